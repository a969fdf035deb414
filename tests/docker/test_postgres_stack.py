"""docker-compose.postgres.yml for real, with podman-compose: PostgreSQL 15 on a
named volume, two settings-service replicas on it, the page, and the nginx
proxy in front of them on the published port (scale-out.md, Deployment).

It signs in through the proxy, writes a setting through each replica and reads
it through the other (each replica is asked directly, from inside its own
container), gets the page and the API through the proxy, shows that the proxy
reaches each replica (with the other one stopped), and after `down` and `up`
finds the session and the settings still there (the named volume).

No image registry is reachable here: when podman has no `postgres:15` or
`nginx:1.25`, local stand-ins are built under those names from
tests/docker/standins/ on the locally made Debian 12 base image, and kept
(rebuilt only when their folder or the base image changes). A real image of
that name is never replaced. Skipped only when podman is not installed."""

import hashlib
import json
import re
import secrets
import shutil
import subprocess
import time

import pytest
import yaml

from podman_harness import (BASE_IMAGE, LOG_DIR, ROOT, compose_copy, compose_down, compose_env,
                            compose_up, dev_login, free_port, http, podman, project_containers,
                            remove_objects, report, run_logged, wait_for)

pytestmark = pytest.mark.skipif(
    shutil.which("podman") is None,
    reason="podman is not installed (scripts/install-deps.sh test installs it)")

POSTGRES_COMPOSE = ROOT / "docker-compose.postgres.yml"
STANDINS = {"postgres:15": ROOT / "tests/docker/standins/postgres",
            "nginx:1.25": ROOT / "tests/docker/standins/nginx"}
# On a stand-in only: what it was built from. An image without it is real.
STANDIN_LABEL = "org.settings.stand-in"


# ---- the images the stack runs but does not build ----------------------------


def pulled_images(compose_file):
    document = yaml.safe_load(compose_file.read_text())
    return sorted({service["image"] for service in document["services"].values()
                   if "image" in service and "build" not in service})


def image_labels(name):
    """The labels of the image podman runs for `name`; None when it has none."""
    result = podman("image", "inspect", "--format", "{{json .Labels}}", name, check=False)
    if result.returncode != 0:
        return None
    return json.loads(result.stdout) or {}


def fingerprint(folder):
    """The stand-in's folder (names, modes, contents) and the base image."""
    digest = hashlib.sha256(podman("image", "inspect", "--format", "{{.Id}}",
                                   BASE_IMAGE).stdout.strip().encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder).as_posix()}\0{path.stat().st_mode:o}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


@pytest.fixture(scope="session")
def stack_images(base_image):
    """Makes sure podman has every image the stack pulls: what it has already
    (a real image, or a stand-in built from the same files) stays; a missing
    image, or a stand-in built from other files, is built from standins/."""
    for image in pulled_images(POSTGRES_COMPOSE):
        labels = image_labels(image)
        if labels is not None and STANDIN_LABEL not in labels:
            continue
        folder = STANDINS.get(image)
        assert folder, (f"docker-compose.postgres.yml runs {image}: podman does not have it, no "
                        "image registry is reachable here, and tests/docker/standins/ has no "
                        "stand-in for it")
        wanted = fingerprint(folder)
        if labels is not None and labels[STANDIN_LABEL] == wanted:
            continue
        started = time.monotonic()
        run_logged(["podman", "build", "--format", "docker", "--layers",
                    "--label", f"{STANDIN_LABEL}={wanted}",
                    "-t", f"docker.io/library/{image}", str(folder)],
                   LOG_DIR / f"build-standin-{image.split(':')[0]}.log", timeout=900)
        report(f"stand-in {image}", started)


# ---- one replica, asked directly ---------------------------------------------


def replica_http(container, method, path, cookie=None, body=None):
    """A request to one replica from inside its container (curl is in the
    service image for its health check). The cookie goes in on standard input,
    never on a command line."""
    command = ["podman", "exec", "-i", container, "curl", "-sS", "-m", "30", "-o", "-",
               "-w", "\n%{http_code}", "-X", method, "-H", "@-"]
    if body is not None:
        command += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    command.append(f"http://127.0.0.1:8000/api/v1{path}")
    result = subprocess.run(command, input=f"Cookie: {cookie}\n" if cookie else "",
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        logs = podman("logs", "--tail", "40", container, check=False)
        raise AssertionError(f"{method} {path} on {container}: {result.stderr[-2000:]}; its logs:\n"
                             f"{logs.stdout[-3000:]}{logs.stderr[-3000:]}\n"
                             f"PostgreSQL's sessions then:\n{postgres_activity(container)}")
    text, _, status = result.stdout.rpartition("\n")
    return int(status), text


# What each connection of the stack's database is doing: tells a request that
# waits on the server (a lock, I/O) from one that never reached it.
ACTIVITY_SQL = ("SELECT application_name, client_addr, state, wait_event_type, wait_event, "
                "now() - xact_start AS in_transaction, left(query, 80) AS query "
                "FROM pg_stat_activity WHERE datname = current_database()")


def postgres_activity(replica):
    project = replica.rsplit("_service-", 1)[0]
    database = project + "_postgres_1"
    result = podman("exec", database, "psql", "-U", "settings", "-d", "settings", "-c",
                    ACTIVITY_SQL, check=False)
    return (result.stdout + result.stderr)[-3000:]


def wait_for_replica(container, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = subprocess.run(["podman", "exec", container, "curl", "-fsS", "-m", "3",
                                 "http://127.0.0.1:8000/api/v1/health"],
                                capture_output=True, text=True, timeout=30)
        if result.returncode == 0:
            return json.loads(result.stdout)
        time.sleep(0.5)
    logs = podman("logs", "--tail", "40", container, check=False)
    raise AssertionError(f"{container} never became healthy; its logs:\n"
                         f"{logs.stdout[-3000:]}{logs.stderr[-3000:]}")


def settings_on(container, cookie):
    status, body = replica_http(container, "GET", "/settings/user", cookie)
    assert status == 200, f"{container}: {status}"
    return json.loads(body)


# ---- the stack ---------------------------------------------------------------


class Stack:
    """docker-compose.postgres.yml under a project of this run, published on a
    free loopback port, its replicas running the images built from the tree."""

    def __init__(self, project, tmp_path, service_image, web_image):
        self.project = project
        port = free_port()
        self.site = f"http://127.0.0.1:{port}"
        self.api = f"{self.site}/api/v1"
        self.env = compose_env(port, service_image, web_image)
        self.env["POSTGRES_PASSWORD"] = secrets.token_hex(12)
        self.env["COOKIE_SECURE"] = "false"
        self.file = compose_copy(POSTGRES_COMPOSE, tmp_path)
        text, published = re.subn(r'"(?:[\d.]+:)?8080:80"', f'"127.0.0.1:{port}:80"',
                                  self.file.read_text())
        assert published == 1, "the proxy no longer publishes 8080:80"
        self.file.write_text(text)
        services = yaml.safe_load(text)["services"]
        # podman-compose names the image of a service it builds PROJECT_SERVICE:
        # those names point at the images built above.
        self.built = {name: service["build"]["target"] for name, service in services.items()
                      if "build" in service and "image" not in service}
        self.replicas = sorted(name for name, target in self.built.items() if target == "service")
        assert self.replicas == ["service-a", "service-b"], self.built
        self.images = {"service": service_image, "web": web_image}

    def tag_images(self):
        for name, target in self.built.items():
            podman("tag", self.images[target], f"localhost/{self.project}_{name}")

    def container(self, service):
        names = [name for name in project_containers(self.project) if f"_{service}_" in name]
        assert len(names) == 1, (service, names)
        return names[0]

    def up(self, log_name):
        compose_up(self.project, self.file, self.env, log_name)
        # The replicas wait for PostgreSQL (DATABASE_WAIT_SECONDS), the proxy
        # starts last.
        for replica in self.replicas:
            health = wait_for_replica(self.container(replica))
            assert health["storage"] == "postgresql", health
        wait_for(f"{self.api}/health", self.container("proxy"), seconds=120)
        # Every up would leave one more anonymous volume behind otherwise
        # (compose `down` keeps them).
        for name in project_containers(self.project):
            mounts = json.loads(podman("inspect", name).stdout)[0]["Mounts"]
            anonymous = [mount["Destination"] for mount in mounts if mount["Type"] == "volume"
                         and not mount["Name"].startswith(self.project)]
            assert not anonymous, f"{name} has anonymous volumes at {anonymous}"

    def down(self, log_name, volumes=False):
        compose_down(self.project, self.file, self.env, log_name, volumes=volumes)
        assert project_containers(self.project) == []

    def remove(self):
        """Everything of the project (also after a failure), then the image
        names, which podman keeps while a container uses them."""
        remove_objects(lambda name: name.startswith(self.project)
                       or name == f"pod_{self.project}")
        for name in self.built:
            podman("rmi", f"localhost/{self.project}_{name}", check=False)


def through_proxy_with_only(stack, replica, cookie, user):
    """Stops every other replica: what the proxy answers now, `replica` served."""
    for other in stack.replicas:
        if other != replica:
            podman("stop", "-t", "10", stack.container(other), timeout=60)
    # A few requests: the proxy round-robins, so the stopped replica's turn
    # comes up (nginx then passes the request on, and skips it for 10 s).
    for _ in range(4):
        status, _, body = http("GET", f"{stack.api}/auth/me", cookie=cookie, timeout=30)
        assert status == 200, f"the proxy with only {replica}: {status}"
        assert json.loads(body) == user
    status, _, body = http("GET", f"{stack.api}/settings/user", cookie=cookie, timeout=30)
    assert status == 200
    return json.loads(body)


def test_two_replicas_behind_the_proxy_share_one_postgresql_that_survives_down_and_up(
        service_image, web_image, stack_images, compose_project, tmp_path):
    started = time.monotonic()
    stack = Stack(compose_project, tmp_path, service_image, web_image)
    try:
        stack.tag_images()
        stack.up("compose-postgres-up.log")
        first, second = (stack.container(replica) for replica in stack.replicas)

        # Signed in through the proxy; the session works on both replicas.
        cookie, user = dev_login(stack.api, "replica-octocat", origin=stack.site)
        for replica in (first, second):
            status, body = replica_http(replica, "GET", "/auth/me", cookie)
            assert status == 200, f"the session is unknown to {replica}"
            assert json.loads(body) == user

        # A write through each replica, read through the other.
        status, _ = replica_http(first, "PUT", "/settings/user", cookie,
                                 {"display": {"theme": "dark"}})
        assert status == 200
        assert settings_on(second, cookie)["display"]["theme"] == "dark"
        status, _ = replica_http(second, "PUT", "/settings/user", cookie,
                                 {"display": {"sidebar_collapsed": True}})
        assert status == 200
        seen = settings_on(first, cookie)["display"]
        assert (seen["theme"], seen["sidebar_collapsed"]) == ("dark", True)

        # The page and the API through the proxy.
        status, _, page = http("GET", f"{stack.site}/")
        assert status == 200 and b'<div id="app"' in page
        status, _, body = http("GET", f"{stack.api}/settings/user", cookie=cookie)
        assert status == 200
        assert json.loads(body)["display"]["theme"] == "dark"

        # The proxy reaches the first replica: with the second one stopped.
        display = through_proxy_with_only(stack, stack.replicas[0], cookie, user)["display"]
        assert (display["theme"], display["sidebar_collapsed"]) == ("dark", True)

        stack.down("compose-postgres-down.log")
        stack.up("compose-postgres-up-again.log")
        # After re-creating every container: the session and the settings on
        # both replicas, and through the proxy with only the second one.
        for replica in stack.replicas:
            settings = settings_on(stack.container(replica), cookie)
            assert settings["display"]["theme"] == "dark", "the setting did not survive"
            assert settings["sources"]["display.theme"] == "user"
        display = through_proxy_with_only(stack, stack.replicas[1], cookie, user)["display"]
        assert (display["theme"], display["sidebar_collapsed"]) == ("dark", True)

        stack.down("compose-postgres-down-again.log", volumes=True)
        volumes = podman("volume", "ls", "--format", "{{.Name}}").stdout.split()
        assert not [name for name in volumes if name.startswith(stack.project)], volumes
    finally:
        stack.remove()
    report("postgres stack", started)
