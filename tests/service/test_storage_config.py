"""Choosing the storage engine at start-up (scale-out.md, "Choosing the engine"):
every bad setting is a one-line error with the documented exit code, nothing is
written, and a password never appears in the output."""

import os
import subprocess
import time

from conftest import Service, new_postgres_database

PASSWORD = "s3cret-Pa55word"


def admin_url():
    return os.environ["SETTINGS_TEST_POSTGRES_URL"]


def with_credentials(url, user):
    """The URL of the test cluster with a user and a password in it."""
    return url.replace("postgresql://postgres@", f"postgresql://{user}:{PASSWORD}@")


def psql(url, sql):
    return subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def test_a_url_of_another_scheme_is_exit_2_naming_the_variable(make_service):
    service = make_service(env={"DATABASE_URL": "mysql://db.example/settings"}, start=False)
    assert service.run_to_exit() == 2
    lines = service.log().strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], lines


def test_both_a_url_and_a_path_is_exit_2(make_service, tmp_path):
    service = make_service(env={"DATABASE_URL": "sqlite:" + str(tmp_path / "a.db"),
                                "DATABASE_PATH": str(tmp_path / "b.db")}, start=False)
    assert service.run_to_exit() == 2
    assert "DATABASE_URL" in service.log() and "DATABASE_PATH" in service.log()
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()


def test_sqlite_url_names_the_file(tmp_path):
    service = Service(tmp_path, database_url="sqlite:" + str(tmp_path / "u" / "s.db")).start()
    try:
        health = service.client().get("/api/v1/health")
        assert (health.status, health.json["storage"]) == (200, "sqlite")
        assert (tmp_path / "u" / "s.db").exists()
    finally:
        service.stop()


def test_an_unreachable_server_is_retried_for_the_wait_then_exit_3(tmp_path):
    url = f"postgresql://settings:{PASSWORD}@127.0.0.1:1/settings"
    service = Service(tmp_path, env={"DATABASE_WAIT_SECONDS": "2"}, database_url=url)
    started = time.monotonic()
    assert service.run_to_exit(timeout=20) == 3
    assert 2 <= time.monotonic() - started < 10
    assert "retrying" in service.log()
    assert PASSWORD not in service.log()


def test_a_refused_login_is_exit_3_at_once_without_the_password(tmp_path):
    url = with_credentials(admin_url(), "no_such_role")
    service = Service(tmp_path, env={"DATABASE_WAIT_SECONDS": "30"}, database_url=url)
    started = time.monotonic()
    assert service.run_to_exit(timeout=20) == 3
    assert time.monotonic() - started < 10  # no point waiting for a refusal
    assert "no_such_role" in service.log()
    assert PASSWORD not in service.log()


def test_the_start_up_line_names_engine_host_port_and_database_only(tmp_path):
    url = new_postgres_database()
    name = url.rsplit("/", 1)[1]
    psql(admin_url(), f"CREATE ROLE app_{name} LOGIN PASSWORD '{PASSWORD}'")
    psql(admin_url(), f"GRANT ALL ON DATABASE {name} TO app_{name}")
    psql(url, f"GRANT ALL ON SCHEMA public TO app_{name}")
    service = Service(tmp_path, database_url=with_credentials(url, f"app_{name}")).start()
    try:
        assert service.client().get("/api/v1/health").json["storage"] == "postgresql"
        opened = [line for line in service.lines if "opened postgresql" in line]
        assert len(opened) == 1 and f"127.0.0.1:" in opened[0] and f"/{name}" in opened[0]
    finally:
        service.stop()
    assert PASSWORD not in service.log()


def test_a_postgresql_database_newer_than_the_program_is_exit_4_and_untouched(tmp_path):
    url = new_postgres_database()
    first = Service(tmp_path, database_url=url).start()
    first.client().login("before")
    assert first.stop() == 0
    psql(url, "UPDATE schema_version SET version = 99")
    before = psql(url, "SELECT count(*) FROM user_sessions") + psql(url, "SELECT version FROM schema_version")
    service = Service(tmp_path, database_url=url)
    assert service.run_to_exit() == 4
    assert "99" in service.log()
    after = psql(url, "SELECT count(*) FROM user_sessions") + psql(url, "SELECT version FROM schema_version")
    assert after == before


def test_hosts_starting_together_on_a_new_database_migrate_and_seed_once(tmp_path):
    url = new_postgres_database()
    hosts = [Service(tmp_path, database_url=url,
                     env={"COPILOT_MODEL": f"seed-{i}"}) for i in range(3)]
    processes = [host.start(expect_listening=False) for host in hosts]
    try:
        deadline = time.time() + 20
        while time.time() < deadline and not all(h.port for h in processes):
            time.sleep(0.1)
        assert all(h.port for h in processes), [h.log() for h in processes]
        assert psql(url, "SELECT count(*) FROM schema_migrations") == "5"
        assert psql(url, "SELECT count(*) FROM global_settings") == "1"
        seeded = [h for h in processes if "seeded the global settings" in h.log()]
        assert len(seeded) == 1
        model = psql(url, "SELECT ai_model FROM global_settings")
        for host in processes:
            assert host.client().get("/api/v1/health").status == 200
        assert model.startswith("seed-")
    finally:
        for host in processes:
            host.stop()
