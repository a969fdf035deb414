# Two images from one file:
#   docker build --target service -t settings-service .   # the C++ service
#   docker build --target web -t settings-web .           # the page, forwarding /api
# Packages come from scripts/install-deps.sh, the same script the README uses.

# ---- build the service -------------------------------------------------------
FROM debian:12 AS service-build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh build && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt ./
COPY cmake cmake
COPY migrations migrations
COPY libsettings libsettings
COPY libsession libsession
COPY service service
COPY tools tools
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSETTINGS_BUILD_TESTS=OFF \
    && cmake --build /build \
    && cmake --install /build --prefix /opt/settings

# ---- the service -------------------------------------------------------------
FROM debian:12-slim AS service
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN /tmp/install-deps.sh runtime && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/data && chown app:app /app/data
COPY --from=service-build /opt/settings/bin/settings-service /opt/settings/bin/settingsctl \
    /usr/local/bin/
ENV DATABASE_PATH=/app/data/settings.db \
    HOST=0.0.0.0 \
    PORT=8000
VOLUME /app/data
WORKDIR /app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/api/v1/health || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["settings-service"]

# ---- build the page ----------------------------------------------------------
FROM debian:12 AS web-build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh build && rm -rf /var/lib/apt/lists/*
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY web web
RUN cd web && npm run build

# ---- the page: nginx serves it and forwards /api to the service --------------
FROM debian:12-slim AS web
RUN apt-get update && apt-get install -y --no-install-recommends nginx-light \
    && rm -rf /var/lib/apt/lists/* \
    && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
COPY docker/nginx.conf /etc/nginx/conf.d/default.conf
RUN rm -f /etc/nginx/sites-enabled/default
COPY --from=web-build /src/web/dist /usr/share/nginx/html
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
