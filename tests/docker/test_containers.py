"""The container images and compose stacks, for real, with podman (no Docker
daemon): builds both images from the working tree, runs the service image on a
named volume and re-creates it (SES-1, DB-2), checks it runs as non-root, is
healthy on the port it is given and stops cleanly on SIGTERM, and runs
docker-compose.yml with podman-compose, page and API through the web container.
(podman_harness.py: what these machines need; test_postgres_stack.py: the
PostgreSQL deployment.)"""

import json
import time

from podman_harness import (LOG_DIR, ROOT, RUN_ID, SIZE_LIMIT, compose_copy, compose_down,
                            compose_env, compose_up, dev_login, free_port, http, podman,
                            project_containers, wait_for)

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


