"""docker-compose.postgres.yml read as the deployment scale-out.md asks for:
PostgreSQL 15 on a named volume, two settings-service replicas on it, the page,
and a proxy balancing /api over both replicas. (test_postgres_stack.py runs it.)"""

import os
import pathlib
import re
import subprocess

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICE = os.environ.get("SETTINGS_SERVICE_BINARY", str(ROOT / "build/service/settings-service"))


def compose():
    return yaml.safe_load((ROOT / "docker-compose.postgres.yml").read_text())


def test_postgresql_15_keeps_its_data_on_a_named_volume():
    stack = compose()
    postgres = stack["services"]["postgres"]
    assert postgres["image"] == "postgres:15"
    assert "settings-pg:/var/lib/postgresql/data" in postgres["volumes"]
    assert "settings-pg" in stack["volumes"]
    assert postgres["environment"]["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD}"


def test_two_replicas_of_the_service_image_share_the_database():
    services = compose()["services"]
    replicas = [name for name, s in services.items()
                if s.get("build", {}).get("target") == "service"]
    assert sorted(replicas) == ["service-a", "service-b"]
    urls = {services[name]["environment"]["DATABASE_URL"] for name in replicas}
    assert len(urls) == 1
    url = urls.pop()
    assert re.fullmatch(r"postgresql://settings:\$\{POSTGRES_PASSWORD\}@postgres:5432/settings",
                        url)
    for name in replicas:
        assert "DATABASE_PATH" not in services[name]["environment"]
        assert services[name]["environment"]["HOST"] == "0.0.0.0"


def test_every_variable_the_replicas_set_is_one_the_service_knows():
    help_text = subprocess.run([SERVICE, "--help"], capture_output=True, text=True,
                               check=True).stdout
    for name in compose()["services"]["service-a"]["environment"]:
        assert re.search(rf"\b{name}\b", help_text), name


def test_the_proxy_balances_api_over_both_replicas_and_serves_the_page():
    services = compose()["services"]
    proxy = services["proxy"]
    assert "8080:80" in proxy["ports"]
    mount = next(v for v in proxy["volumes"] if v.startswith("./docker/nginx-postgres.conf:"))
    config = (ROOT / mount.split(":")[0]).read_text()
    upstream = re.search(r"upstream settings_service \{(.*?)\}", config, re.S).group(1)
    assert re.findall(r"server (\S+):8000", upstream) == ["service-a", "service-b"]
    assert re.search(r"location /api/ \{[^}]*proxy_pass http://settings_service;", config)
    assert re.search(r"location / \{[^}]*proxy_pass http://web:80;", config)
    assert services["web"]["build"]["target"] == "web"


def test_no_variable_uses_a_default_podman_compose_cannot_read():
    # podman-compose 1.0 substitutes ${VAR} but not ${VAR:-default}.
    assert ":-" not in (ROOT / "docker-compose.postgres.yml").read_text()


def test_the_proxy_starts_after_everything_it_forwards_to():
    # nginx resolves its upstreams' names once, at start.
    services = compose()["services"]
    assert sorted(services["proxy"]["depends_on"]) == ["service-a", "service-b", "web"]
    # The page container serves the page only (the proxy answers /api), so it
    # needs no `service` name, which podman-compose 1.0.3 could not give it (it
    # ignores network aliases).
    web = services["web"]
    assert "./docker/nginx-page.conf:/etc/nginx/nginx.conf:ro" in web["volumes"]
    assert "proxy_pass" not in (ROOT / "docker/nginx-page.conf").read_text()
    assert "depends_on" not in web


def test_the_replicas_leave_no_anonymous_volume_behind():
    # The image declares VOLUME /app/data, which the replicas (on PostgreSQL)
    # do not use: a tmpfs there, or every `up` adds an anonymous volume.
    for name in ("service-a", "service-b"):
        assert compose()["services"][name]["tmpfs"] == ["/app/data"]
