"""Running the project's images with podman on these machines (issue 16), for
tests/docker/test_containers.py and test_postgres_stack.py; the fixtures that
build the images are in conftest.py.

What these machines need, all handled here and in conftest.py:
- no image registry: the base image is made with debootstrap
  (scripts/container-base-image.sh) when podman does not have it yet, and the
  images docker-compose.postgres.yml runs but does not build get local
  stand-ins (tests/docker/standins/) when podman has none of that name;
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

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASE_IMAGE = "debian:12-slim"
SERVICE_IMAGE = "localhost/settings-service:test"
WEB_IMAGE = "localhost/settings-web:test"
SIZE_LIMIT = 120 * 1000 * 1000
PREFIX = "settings-ct"
RUN_ID = f"{PREFIX}-{os.getpid()}-{secrets.token_hex(3)}"
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
    """Removes containers (with their anonymous volumes), pods, volumes and
    networks whose name (or compose project label) `matches`."""
    containers = podman("ps", "-a", "--format", "{{.Names}}\t{{.Labels}}", check=False).stdout
    for line in containers.splitlines():
        name = line.split("\t")[0]
        project = re.search(r"io\.podman\.compose\.project:(\S+?)[\s\]]", line + " ")
        if matches(name) or (project and matches(project.group(1))):
            podman("rm", "-f", "-v", "-t", "0", name, check=False)
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
