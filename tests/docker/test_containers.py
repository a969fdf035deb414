"""The container images and compose stacks, for real, with podman (no Docker
daemon): builds both images from the working tree, runs the service image on a
named volume and re-creates it (SES-1, DB-2), checks it runs as non-root, is
healthy on the port it is given and stops cleanly on SIGTERM, and runs the
compose file(s) with podman-compose, page and API through the web container.

What these machines need (issue 16), all handled here:
- no image registry: the base image is made with debootstrap
  (scripts/container-base-image.sh) when podman does not have it yet;
- crun refuses the kernel's hybrid cgroups: runc; root lacks CAP_SYS_RESOURCE:
  nofile/nproc ulimits no higher than this process's hard limits. Both go into
  a containers.conf of the test's own (CONTAINERS_CONF), so podman,
  podman build and podman-compose all get them;
- --format docker, or podman drops HEALTHCHECK;
- a TLS-intercepting proxy in front of the npm registry: the machine's extra CA
  certificates (/usr/local/share/ca-certificates, or the PEM file named by
  SETTINGS_CONTAINER_CA_CERTS) go to the web build as EXTRA_CA_CERTS.

Images are kept between runs under fixed test tags (the layer cache); every
container, volume, network and pod is named after this run and removed at the
end, also on failure. Cookies and tokens are never printed."""

import json
import os
import pathlib
import re
import resource
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASE_IMAGE = "debian:12-slim"
SERVICE_IMAGE = "localhost/settings-service:test"
WEB_IMAGE = "localhost/settings-web:test"
SIZE_LIMIT = 120 * 1000 * 1000
PREFIX = "settings-ct"
RUN_ID = f"{PREFIX}-{os.getpid()}-{secrets.token_hex(3)}"
POSTGRES_COMPOSE = ROOT / "docker-compose.postgres.yml"
LOG_DIR = pathlib.Path(os.environ.get("SETTINGS_CONTAINER_LOGS", ROOT / "build/docker-test"))


class Secret(str):
    """A cookie value: usable as a string, never shown by repr (pytest's
    assertion messages use repr)."""

    def __repr__(self):
        return "<secret>"


# ---- podman ------------------------------------------------------------------


def podman(*args, check=True, timeout=120, env=None):
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout,
                            env=env or os.environ)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {args[0]} failed ({result.returncode}): {result.stderr[-3000:]}")
    return result


def run_logged(command, log_path, timeout, env=None):
    """Runs a long command with its output in a file; the tail on failure."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        result = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                timeout=timeout, env=env or os.environ)
    if result.returncode != 0:
        tail = log_path.read_text()[-4000:]
        raise AssertionError(f"{command[:3]} failed ({result.returncode}), {log_path}:\n{tail}")


def limit(kind, ceiling=32768):
    soft, hard = resource.getrlimit(kind)
    return ceiling if hard == resource.RLIM_INFINITY else min(hard, ceiling)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_objects(matches):
    """Removes containers, pods, volumes and networks whose name (or compose
    project label) `matches`."""
    containers = podman("ps", "-a", "--format", "{{.Names}}\t{{.Labels}}", check=False).stdout
    for line in containers.splitlines():
        name = line.split("\t")[0]
        project = re.search(r"io\.podman\.compose\.project:(\S+?)[\s\]]", line + " ")
        if matches(name) or (project and matches(project.group(1))):
            podman("rm", "-f", "-t", "0", name, check=False)
    for name in podman("pod", "ps", "--format", "{{.Name}}", check=False).stdout.split():
        if matches(name) or matches(name.removeprefix("pod_")):
            podman("pod", "rm", "-f", name, check=False)
    for name in podman("volume", "ls", "--format", "{{.Name}}", check=False).stdout.split():
        if matches(name):
            podman("volume", "rm", "-f", name, check=False)
    for name in podman("network", "ls", "--format", "{{.Name}}", check=False).stdout.split():
        if matches(name):
            podman("network", "rm", "-f", name, check=False)


def stale(name):
    """An object of an earlier run of this test whose process is gone."""
    match = re.match(rf"{PREFIX}-(\d+)-", name)
    return bool(match) and not pid_alive(int(match.group(1)))


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    assert shutil.which("podman"), "podman is missing: scripts/install-deps.sh test installs it"
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    nofile, nproc = limit(resource.RLIMIT_NOFILE), limit(resource.RLIMIT_NPROC)
    conf.write_text(
        "[containers]\n"
        f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n'
        "[engine]\n"
        'runtime = "runc"\n'
        'cgroup_manager = "cgroupfs"\n'
        'events_logger = "file"\n')
    os.environ["CONTAINERS_CONF"] = str(conf)
    remove_objects(stale)
    yield
    remove_objects(lambda name: name.startswith(RUN_ID))


@pytest.fixture(scope="session")
def base_image(engine):
    started = time.monotonic()
    run_logged([str(ROOT / "scripts/container-base-image.sh"), BASE_IMAGE],
               LOG_DIR / "base-image.log", timeout=900)
    report("base image", started)


def extra_ca_certs():
    named = os.environ.get("SETTINGS_CONTAINER_CA_CERTS")
    files = [pathlib.Path(named)] if named else sorted(
        pathlib.Path("/usr/local/share/ca-certificates").glob("**/*.crt"))
    return "".join(path.read_text() for path in files if path.is_file())


def build(target, tag, extra_args=()):
    started = time.monotonic()
    run_logged(["podman", "build", "--format", "docker", "--layers", "--target", target,
                "-t", tag, *extra_args, "."], LOG_DIR / f"build-{target}.log", timeout=1500)
    report(f"image {target}", started)
    return tag


@pytest.fixture(scope="session")
def service_image(base_image):
    return build("service", SERVICE_IMAGE)


@pytest.fixture(scope="session")
def web_image(base_image, service_image):
    # After the service image, never at the same time (two cores).
    certs = extra_ca_certs()
    return build("web", WEB_IMAGE, ["--build-arg", f"EXTRA_CA_CERTS={certs}"] if certs else [])


def report(what, started):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOG_DIR / "timings.txt", "a") as out:
        out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {what}: {time.monotonic() - started:.0f} s\n")


# ---- HTTP --------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(method, url, body=None, cookie=None, origin=None, timeout=10):
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if cookie:
        headers["Cookie"] = cookie
    if origin:
        headers["Origin"] = origin
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for(url, container, seconds=60):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            status, _, body = http("GET", url, timeout=3)
            if status == 200:
                return body
            last = status
        except OSError as error:
            last = error
        time.sleep(0.3)
    logs = podman("logs", "--tail", "40", container, check=False)
    raise AssertionError(f"{url} never answered 200 (last: {last}); {container} logs:\n"
                         f"{logs.stdout[-3000:]}{logs.stderr[-3000:]}")


def dev_login(api, username, origin=None):
    """Signs in; the cookie (to send back) and the user /auth/me answers with."""
    status, headers, body = http("POST", f"{api}/auth/dev-login", {"username": username},
                                 origin=origin)
    assert status == 200
    cookie = headers.get("Set-Cookie") or ""
    value = Secret(cookie.split(";")[0])
    assert value.startswith("session_id="), "no session cookie"
    user = json.loads(body)
    assert user["github_username"] == username
    return value, user


# ---- the service image -------------------------------------------------------


def run_service(image, name, volume, port, *extra):
    podman("run", "-d", "--name", name, "-v", f"{volume}:/app/data",
           "-p", f"127.0.0.1:{port}:{extra_port(extra)}", "-e", "DEV_LOGIN=1",
           "-e", f"FRONTEND_URL=http://127.0.0.1:{port}", *extra, image)
    return f"http://127.0.0.1:{port}/api/v1"


def extra_port(extra):
    for item in extra:
        if item.startswith("PORT="):
            return item.split("=", 1)[1]
    return "8000"


def stop(name, seconds=10):
    started = time.monotonic()
    podman("stop", "-t", str(seconds), name, timeout=seconds + 30)
    took = time.monotonic() - started
    state = json.loads(podman("inspect", name).stdout)[0]["State"]
    return state["ExitCode"], took


def test_image_sizes(service_image, web_image):
    sizes = {}
    for image in (service_image, web_image):
        sizes[image] = json.loads(podman("image", "inspect", image).stdout)[0]["Size"]
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOG_DIR / "timings.txt", "a") as out:
        for image, size in sizes.items():
            out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} size {image}: {size / 1e6:.1f} MB\n")
    assert all(size <= SIZE_LIMIT for size in sizes.values()), sizes


def test_the_service_image_is_non_root_healthy_and_stops_cleanly(service_image):
    image = json.loads(podman("image", "inspect", service_image).stdout)[0]
    assert image["Config"]["User"].split(":")[0] not in ("", "root", "0")
    check = (image.get("Healthcheck") or {}).get("Test") or []
    assert check, "HEALTHCHECK dropped (built without --format docker?)"
    assert "${PORT}" in " ".join(check)

    name = f"{RUN_ID}-port"
    port = free_port()
    # Another PORT than 8000: the health check must follow it.
    api = run_service(service_image, name, f"{RUN_ID}-port-data", port, "-e", "PORT=8123")
    wait_for(f"{api}/health", name)
    uid = podman("exec", name, "id", "-u").stdout.strip()
    assert uid != "0"
    processes = [line.split() for line in podman("top", name, "user", "comm").stdout.splitlines()[1:]]
    assert processes and all(user != "root" for user, *_ in processes), processes
    health = podman("healthcheck", "run", name, check=False)
    assert health.returncode == 0, health.stdout + health.stderr

    exit_code, took = stop(name)
    assert exit_code == 0
    assert took < 5, f"SIGTERM took {took:.1f} s"
    logs = podman("logs", name).stderr + podman("logs", name).stdout
    assert "listening on" in logs


def test_session_and_settings_survive_recreating_the_container(service_image):
    volume = f"{RUN_ID}-data"
    first = f"{RUN_ID}-first"
    port = free_port()
    api = run_service(service_image, first, volume, port)
    wait_for(f"{api}/health", first)
    cookie, user = dev_login(api, "volume-octocat")
    status, _, _ = http("PUT", f"{api}/settings/user", {"display": {"theme": "dark"}}, cookie)
    assert status == 200
    exit_code, _ = stop(first)
    assert exit_code == 0
    podman("rm", first)
    assert not podman("container", "exists", first, check=False).returncode == 0

    second = f"{RUN_ID}-second"
    port = free_port()
    api = run_service(service_image, second, volume, port)
    wait_for(f"{api}/health", second)
    status, _, body = http("GET", f"{api}/auth/me", cookie=cookie)
    assert status == 200, "the session did not survive (SES-1)"
    assert json.loads(body) == user
    status, _, body = http("GET", f"{api}/settings/user", cookie=cookie)
    assert status == 200
    settings = json.loads(body)
    assert settings["display"]["theme"] == "dark", "the setting did not survive (DB-2)"
    assert settings["sources"]["display.theme"] == "user"
    exit_code, _ = stop(second)
    assert exit_code == 0


# ---- compose -----------------------------------------------------------------


def compose_command(project, compose_file, *args):
    return ["podman-compose", "-p", project, "-f", str(compose_file), *args]


# Never handed to the stack: podman-compose logs the values it passes.
SECRETS = ("TOKEN_ENCRYPTION_KEY", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET")


def compose_env(web_port, service_image, web_image):
    env = {name: value for name, value in os.environ.items() if name not in SECRETS}
    env.update({"SERVICE_IMAGE": service_image, "WEB_IMAGE": web_image,
                "WEB_PORT": f"127.0.0.1:{web_port}", "DEV_LOGIN": "1",
                "FRONTEND_URL": f"http://127.0.0.1:{web_port}"})
    return env


def compose_copy(compose_file, tmp_path):
    """The compose file in a folder that mirrors the tree (symbolic links, so
    relative paths in the file still work) without its .env: podman-compose
    reads the .env next to the file and lets it win over the environment, and a
    developer's .env with real secrets must reach neither the test nor its logs."""
    shadow = tmp_path / "tree"
    shadow.mkdir()
    for entry in ROOT.iterdir():
        if entry.name != ".env" and entry.name != compose_file.name:
            (shadow / entry.name).symlink_to(entry)
    shutil.copyfile(compose_file, shadow / compose_file.name)
    return shadow / compose_file.name


def compose_up(project, compose_file, env, log_name):
    assert shutil.which("podman-compose"), "podman-compose is missing (scripts/install-deps.sh test)"
    run_logged(compose_command(project, compose_file, "up", "-d", "--no-build"),
               LOG_DIR / log_name, timeout=300, env=env)


def compose_down(project, compose_file, env, log_name, volumes=False):
    run_logged(compose_command(project, compose_file, "down", *(["-v"] if volumes else [])),
               LOG_DIR / log_name, timeout=300, env=env)


def project_containers(project):
    lines = podman("ps", "-a", "--filter", f"label=io.podman.compose.project={project}",
                   "--format", "{{.Names}}").stdout
    return lines.split()


@pytest.fixture
def compose_project(engine):
    project = f"{RUN_ID}-compose-{secrets.token_hex(2)}"
    yield project
    remove_objects(lambda name: name.startswith(project) or name == f"pod_{project}")


def test_the_compose_stack_serves_the_page_and_the_api(service_image, web_image, compose_project,
                                                       tmp_path):
    web_port = free_port()
    env = compose_env(web_port, service_image, web_image)
    compose_file = compose_copy(ROOT / "docker-compose.yml", tmp_path)
    site = f"http://127.0.0.1:{web_port}"
    api = f"{site}/api/v1"
    compose_up(compose_project, compose_file, env, "compose-up.log")
    web = next(name for name in project_containers(compose_project) if "_web_" in name)
    page = wait_for(f"{site}/", web)
    assert b'<div id="app"' in page
    health = json.loads(wait_for(f"{api}/health", web))
    assert health["status"] == "ok"

    cookie, user = dev_login(api, "compose-octocat", origin=site)
    status, _, _ = http("PUT", f"{api}/settings/user", {"display": {"theme": "dark"}}, cookie,
                        origin=site)
    assert status == 200

    compose_down(compose_project, compose_file, env, "compose-down.log")
    assert project_containers(compose_project) == []
    compose_up(compose_project, compose_file, env, "compose-up-again.log")
    web = next(name for name in project_containers(compose_project) if "_web_" in name)
    wait_for(f"{api}/health", web)
    status, _, body = http("GET", f"{api}/auth/me", cookie=cookie)
    assert status == 200, "the session did not survive compose down/up"
    assert json.loads(body) == user
    status, _, body = http("GET", f"{api}/settings/user", cookie=cookie)
    assert status == 200 and json.loads(body)["display"]["theme"] == "dark"
    compose_down(compose_project, compose_file, env, "compose-down-again.log", volumes=True)


def pulled_images(compose_file):
    """The images a compose file runs but does not build (postgres, a proxy)."""
    document = yaml.safe_load(compose_file.read_text())
    return sorted({service["image"] for service in document["services"].values()
                   if "image" in service and "build" not in service})


def postgres_stack_missing():
    if not POSTGRES_COMPOSE.exists():
        return "docker-compose.postgres.yml does not exist"
    missing = [image for image in pulled_images(POSTGRES_COMPOSE)
               if podman("image", "exists", image, check=False).returncode != 0]
    if missing:
        return (f"docker-compose.postgres.yml needs {', '.join(missing)}, not in podman's "
                "storage, and no image registry is reachable here")
    return None


def test_the_postgresql_stack_shares_one_database_between_two_replicas(
        service_image, web_image, compose_project, tmp_path):
    reason = postgres_stack_missing()
    if reason:
        pytest.skip(reason)
    web_port = free_port()
    env = compose_env(web_port, service_image, web_image)
    env["POSTGRES_PASSWORD"] = secrets.token_hex(12)
    env["COOKIE_SECURE"] = "false"
    compose_file = compose_copy(POSTGRES_COMPOSE, tmp_path)
    # Published on a free loopback port instead of the file's 8080.
    text = re.sub(r'"(?:[\d.]+:)?8080:80"', f'"127.0.0.1:{web_port}:80"', compose_file.read_text())
    compose_file.write_text(text)
    document = yaml.safe_load(text)
    # The services it builds run the images built above (podman-compose names
    # an image it builds PROJECT_SERVICE).
    built = {name: service["build"].get("target") for name, service in document["services"].items()
             if "build" in service and "image" not in service}
    replicas = sorted(name for name, target in built.items() if target == "service")
    assert len(replicas) >= 2, built
    for name, target in built.items():
        podman("tag", service_image if target == "service" else web_image,
               f"localhost/{compose_project}_{name}")
    try:
        compose_up(compose_project, compose_file, env, "compose-postgres-up.log")
        names = project_containers(compose_project)
        site = f"http://127.0.0.1:{web_port}"
        front = next(name for name in names if "_proxy_" in name or "_web_" in name)
        wait_for(f"{site}/api/v1/health", front, seconds=120)
        addresses = []
        for replica in replicas:
            container = next(name for name in names if f"_{replica}_" in name)
            info = json.loads(podman("inspect", container).stdout)[0]
            network = next(iter(info["NetworkSettings"]["Networks"].values()))
            addresses.append(f"http://{network['IPAddress']}:8000/api/v1")
            wait_for(f"{addresses[-1]}/health", container, seconds=120)
        cookie, user = dev_login(addresses[0], "replica-octocat")
        status, _, _ = http("PUT", f"{addresses[0]}/settings/user",
                            {"display": {"theme": "dark"}}, cookie)
        assert status == 200
        status, _, body = http("GET", f"{addresses[1]}/settings/user", cookie=cookie)
        assert status == 200, "the session written through one replica is unknown to the other"
        assert json.loads(body)["display"]["theme"] == "dark"
        # And the page and the API through the proxy.
        status, _, page = http("GET", f"{site}/")
        assert status == 200 and b'<div id="app"' in page
        status, _, body = http("GET", f"{site}/api/v1/auth/me", cookie=cookie)
        assert status == 200 and json.loads(body) == user
        compose_down(compose_project, compose_file, env, "compose-postgres-down.log",
                     volumes=True)
    finally:
        for name in built:
            podman("rmi", f"localhost/{compose_project}_{name}", check=False)
