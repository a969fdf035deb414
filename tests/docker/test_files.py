"""The container files, checked without building anything (the real images and
compose stacks are test_containers.py): the Dockerfile installs through the
shared script and keeps its promises, the compose files use only the syntax
that both Docker Compose and podman-compose 1.0.3 understand, and
settings-service honours every variable the compose file sets."""

import json
import os
import pathlib
import re
import subprocess
import urllib.request

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICE = os.environ.get("SETTINGS_SERVICE_BINARY", str(ROOT / "build/service/settings-service"))
COMPOSE_FILES = sorted(ROOT.glob("docker-compose*.yml"))


def dockerfile_stages():
    stages = {}
    current = None
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        match = re.match(r"FROM\s+(\S+)\s+AS\s+(\S+)", line)
        if match:
            current = match.group(2)
            stages[current] = [line]
        elif current:
            stages[current].append(line)
    return {name: "\n".join(lines) for name, lines in stages.items()}


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_stage_starts_from_the_one_base_image():
    # scripts/container-base-image.sh makes exactly this image where no
    # registry is reachable; tests/docker/test_containers.py uses the same name.
    froms = re.findall(r"^FROM\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.M)
    stages = set(dockerfile_stages())
    assert froms and all(name == "debian:12-slim" or name in stages for name in froms)


def test_the_service_installs_through_the_shared_script():
    stages = dockerfile_stages()
    assert set(stages) >= {"service-build", "service", "web-build", "web"}
    # The build stage takes the build_packages list of the script (not its web
    # toolchain); the runtime stage runs the script.
    assert re.search(r"/\^build_packages=\(/.*scripts/install-deps\.sh", stages["service-build"])
    assert "install-deps.sh runtime" in stages["service"]
    assert "apt-get install" not in stages["service"]
    script = (ROOT / "scripts/install-deps.sh").read_text()
    assert "runtime_packages=(" in script
    assert re.search(r"^build_packages=\($", script, re.M) and "\n)\n" in script


def test_the_service_build_copies_what_cmake_configures():
    build = dockerfile_stages()["service-build"]
    # Either bench/ is copied or it is switched off (issue 16: it was neither).
    assert "COPY bench" in build or "-DSETTINGS_BUILD_BENCH=OFF" in build
    assert "-DSETTINGS_BUILD_TESTS=OFF" in build
    assert "COPY migrations migrations" in build
    top = (ROOT / "CMakeLists.txt").read_text()
    for folder in re.findall(r"^\s*add_subdirectory\((\S+?)\)", top, re.M):
        guarded = folder in ("bench", "tests", "tests/fuzz")
        copied = re.search(rf"^COPY {re.escape(folder.split('/')[0])}\b", build, re.M)
        assert guarded or copied, folder


def test_service_image_contract():
    service = dockerfile_stages()["service"]
    # SQLite in /app/data by default (./data/settings.db from /app), and no
    # DATABASE_PATH that would make a DATABASE_URL exit 2.
    assert not re.search(r"^(ENV|ARG)\b[^#]*DATABASE_PATH", service, re.M)
    assert re.search(r"^WORKDIR /app$", service, re.M)
    assert re.search(r"HOST=0\.0\.0\.0", service)
    assert "VOLUME /app/data" in service
    # The health check follows PORT (shell form), it does not hard-code 8000.
    check = re.search(r"HEALTHCHECK .*\\\n\s*CMD (.*)", service)
    assert check and "${PORT}" in check.group(1) and "8000" not in check.group(1)
    assert "STOPSIGNAL SIGTERM" in service
    user = re.search(r"^USER (\S+)", service, re.M)
    assert user and user.group(1).split(":")[0] not in ("root", "0")
    assert 'ENTRYPOINT ["settings-service"]' in service
    # Only the binaries come over from the build stage.
    assert re.findall(r"COPY --from=(\S+)", service) == ["service-build"]


def test_the_machines_ca_certificates_are_opt_in_and_stay_in_the_build_stage():
    stages = dockerfile_stages()
    assert re.search(r"^ARG EXTRA_CA_CERTS=$", stages["web-build"], re.M)
    for name in ("service", "web"):
        assert "EXTRA_CA_CERTS" not in stages[name]


def test_web_image_forwards_the_api():
    web = dockerfile_stages()["web"]
    assert "COPY --from=web-build /src/web/dist" in web
    nginx = (ROOT / "docker/nginx.conf").read_text()
    assert re.search(r"location /api/ \{\s*proxy_pass http://service:8000;", nginx)
    # Port 80 (docker-compose.postgres.yml's proxy forwards to web:80); the
    # workers that serve requests are not root.
    assert re.search(r"listen 80;", nginx)
    assert re.search(r"^user www-data;", nginx, re.M)


def test_compose_names_the_volume_and_the_health_check():
    document = compose()
    assert "settings-data" in document["volumes"]
    service = document["services"]["service"]
    assert "settings-data:/app/data" in service["volumes"]
    assert service["environment"]["DATABASE_PATH"] == "/app/data/settings.db"
    assert "/api/v1/health" in " ".join(service["healthcheck"]["test"])
    web = document["services"]["web"]
    assert web["depends_on"]["service"]["condition"] == "service_healthy"
    assert any(str(port).endswith(":80") for port in web["ports"])


def test_compose_serves_metrics_on_the_hosts_loopback_only():
    service = compose()["services"]["service"]
    assert service["environment"]["METRICS_ADDR"] == "0.0.0.0:9100"
    assert service["ports"] == ["127.0.0.1:${METRICS_PORT:-9100}:9100"]


def test_the_postgres_replicas_serve_metrics_inside_the_stack():
    document = yaml.safe_load((ROOT / "docker-compose.postgres.yml").read_text())
    for name in ("service-a", "service-b"):
        replica = document["services"][name]
        assert replica["environment"]["METRICS_ADDR"] == "0.0.0.0:9100"
        assert replica["expose"] == ["9100"]
        assert "ports" not in replica  # two replicas, one host port: scrape them by name
    nginx = (ROOT / "docker/nginx-postgres.conf").read_text()
    assert "proxy_set_header X-Request-Id $request_id;" in nginx


def strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda path: path.name)
def test_compose_syntax_both_engines_understand(path):
    document = yaml.safe_load(path.read_text())
    assert "services" in document
    for text in strings(document):
        # podman-compose 1.0.3 substitutes only ${VAR} and ${VAR:-default} with
        # a non-empty default (it leaves ${VAR:-} as it is); $$ is a literal $.
        for match in re.finditer(r"\$(\$|\{[^}]*\}|[A-Za-z_]\w*)", text):
            variable = match.group(1)
            assert variable == "$" or re.fullmatch(
                r"\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]+)?\}", variable), f"{path.name}: {text}"


def resolved_environment():
    """The compose environment with ${VAR:-default} replaced by its default
    and ${VAR} by nothing (what an empty .env gives)."""
    values = {}
    for name, value in compose()["services"]["service"]["environment"].items():
        value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
        values[name] = re.sub(r"\$\{[A-Z_]+\}", "", value)
    return values


def test_every_compose_variable_is_one_the_service_knows():
    help_text = subprocess.run([SERVICE, "--help"], capture_output=True, text=True).stdout
    for name in compose()["services"]["service"]["environment"]:
        assert re.search(rf"\b{name}\b", help_text), name


def test_the_service_honours_the_compose_environment(tmp_path):
    env = resolved_environment()
    # Loopback and a free port on this machine; the rest exactly as compose sets it.
    env.update({"DATABASE_PATH": str(tmp_path / "data/settings.db"), "HOST": "127.0.0.1",
                "PORT": "0", "METRICS_ADDR": "127.0.0.1:0", "DEV_LOGIN": "1",
                "PATH": os.environ.get("PATH", "/usr/bin")})
    process = subprocess.Popen([SERVICE], env=env, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "listening on" in line:
                port = int(line.rsplit(":", 1)[1])
                break
        assert port, "".join(lines)
        base = f"http://127.0.0.1:{port}/api/v1"
        health = json.load(urllib.request.urlopen(base + "/health"))
        assert health["status"] == "ok"
        request = urllib.request.Request(
            base + "/auth/dev-login", data=b'{"username": "compose"}', method="POST",
            headers={"Content-Type": "application/json", "Origin": env["FRONTEND_URL"]})
        reply = urllib.request.urlopen(request)
        assert reply.headers["Access-Control-Allow-Origin"] == env["FRONTEND_URL"]
        cookie = reply.headers["Set-Cookie"]
        # Booleans only: a failing assertion must not print the cookie.
        has_max_age = "Max-Age=28800" in cookie
        is_secure = "Secure" in cookie
        assert has_max_age and not is_secure
        global_settings = json.load(urllib.request.urlopen(urllib.request.Request(
            base + "/settings/global", headers={"Cookie": cookie.split(";")[0]})))
        assert global_settings["ai"]["model"] == env["COPILOT_MODEL"]
        assert global_settings["workflow"]["copilot_polling_interval"] == int(
            env["COPILOT_POLLING_INTERVAL"])
    finally:
        process.terminate()
        assert process.wait(10) == 0
