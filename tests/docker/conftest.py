"""The fixtures of the container tests (podman_harness.py says what they cope
with): podman set up for this machine, the base image, the two images built
from the working tree, and a compose project removed at the end."""

import os
import resource
import secrets
import shutil
import time

import pytest

from podman_harness import (BASE_IMAGE, LOG_DIR, ROOT, RUN_ID, SERVICE_IMAGE, WEB_IMAGE, build,
                            extra_ca_certs, limit, remove_objects, report, run_logged, stale)


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


@pytest.fixture(scope="session")
def service_image(base_image):
    return build("service", SERVICE_IMAGE)


@pytest.fixture(scope="session")
def web_image(base_image, service_image):
    # After the service image, never at the same time (two cores).
    certs = extra_ca_certs()
    return build("web", WEB_IMAGE, ["--build-arg", f"EXTRA_CA_CERTS={certs}"] if certs else [])


@pytest.fixture
def compose_project(engine):
    project = f"{RUN_ID}-compose-{secrets.token_hex(2)}"
    yield project
    remove_objects(lambda name: name.startswith(project) or name == f"pod_{project}")
