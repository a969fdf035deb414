"""What can be checked of the container files without a Docker engine: the
Dockerfile installs through the shared script, the compose file names its
volume and health check, and settings-service honours every variable the
compose file sets."""

import json
import os
import pathlib
import re
import subprocess
import urllib.request

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICE = os.environ.get("SETTINGS_SERVICE_BINARY", str(ROOT / "build/service/settings-service"))


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


def test_every_stage_that_installs_uses_the_shared_script():
    stages = dockerfile_stages()
    assert set(stages) >= {"service-build", "service", "web-build", "web"}
    for name in ["service-build", "web-build"]:
        assert "FROM debian:12 AS" in stages[name]
        assert "scripts/install-deps.sh build" in stages[name]
    assert "install-deps.sh runtime" in stages["service"]
    assert "apt-get install" not in stages["service"]
    script = (ROOT / "scripts/install-deps.sh").read_text()
    assert "runtime_packages=(" in script


def test_service_image_contract():
    service = dockerfile_stages()["service"]
    assert service.startswith("FROM debian:12-slim AS service")
    assert re.search(r"DATABASE_PATH=/app/data/settings\.db", service)
    assert re.search(r"HOST=0\.0\.0\.0", service)
    assert "VOLUME /app/data" in service
    assert re.search(r"HEALTHCHECK .*\n?.*http://127\.0\.0\.1:8000/api/v1/health", service)
    assert "STOPSIGNAL SIGTERM" in service
    user = re.search(r"^USER (\S+)", service, re.M)
    assert user and user.group(1) not in ("root", "0")
    assert 'ENTRYPOINT ["settings-service"]' in service


def test_web_image_forwards_the_api():
    web = dockerfile_stages()["web"]
    assert "COPY --from=web-build" in web
    nginx = (ROOT / "docker/nginx.conf").read_text()
    assert re.search(r"location /api/ \{\s*proxy_pass http://service:8000;", nginx)


def test_compose_names_the_volume_and_the_health_check():
    document = compose()
    assert "settings-data" in document["volumes"]
    service = document["services"]["service"]
    assert "settings-data:/app/data" in service["volumes"]
    assert service["environment"]["DATABASE_PATH"] == "/app/data/settings.db"
    assert "/api/v1/health" in " ".join(service["healthcheck"]["test"])
    web = document["services"]["web"]
    assert web["depends_on"]["service"]["condition"] == "service_healthy"


def resolved_environment():
    """The compose environment with ${VAR:-default} replaced by its default."""
    values = {}
    for name, value in compose()["services"]["service"]["environment"].items():
        values[name] = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
    return values


def test_every_compose_variable_is_one_the_service_knows():
    help_text = subprocess.run([SERVICE, "--help"], capture_output=True, text=True).stdout
    for name in compose()["services"]["service"]["environment"]:
        assert re.search(rf"\b{name}\b", help_text), name


def test_the_service_honours_the_compose_environment(tmp_path):
    env = resolved_environment()
    # Loopback and a free port on this machine; the rest exactly as compose sets it.
    env.update({"DATABASE_PATH": str(tmp_path / "data/settings.db"), "HOST": "127.0.0.1",
                "PORT": "0", "DEV_LOGIN": "1", "PATH": os.environ.get("PATH", "/usr/bin")})
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
        assert "Max-Age=28800" in cookie and "Secure" not in cookie
        global_settings = json.load(urllib.request.urlopen(urllib.request.Request(
            base + "/settings/global", headers={"Cookie": cookie.split(";")[0]})))
        assert global_settings["ai"]["model"] == env["COPILOT_MODEL"]
        assert global_settings["workflow"]["copilot_polling_interval"] == int(
            env["COPILOT_POLLING_INTERVAL"])
    finally:
        process.terminate()
        assert process.wait(10) == 0
