"""The database file under a running service (docs/security.md, "The database
file"): restoring a backup with settingsctl while the service runs, a file
replaced or deleted under it, damaged pages, and the check before listening."""

import os
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BINARY
from rawhttp import integrity

SETTINGSCTL = os.environ.get(
    "SETTINGSCTL_BINARY", str(Path(BINARY).resolve().parents[1] / "tools/settingsctl/settingsctl"))
DETECTION_BUDGET = 1.0  # seconds from the change to the service noticing it

pytestmark = pytest.mark.skipif(os.environ.get("SETTINGS_TEST_ENGINE") == "postgresql",
                                reason="SQLite files only")


def ctl(db, *args):
    result = subprocess.run([SETTINGSCTL, "--db", str(db), *args], capture_output=True,
                            text=True, timeout=60)
    return result.returncode, result.stdout, result.stderr


def put_interval(client, value):
    return client.put("/api/v1/settings/user", {"workflow": {"copilot_polling_interval": value}})


def interval(client):
    reply = client.get("/api/v1/settings/user")
    assert reply.status == 200, reply
    return reply.json["workflow"]["copilot_polling_interval"]


def stored_intervals(db):
    """What the file holds, read without the service."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute(
            "SELECT copilot_polling_interval FROM user_preferences ORDER BY github_user_id")]
    finally:
        connection.close()


def assert_refused(reply):
    assert reply.status == 503, reply
    assert reply.json["error"]
    assert reply.header("retry-after") == "1", reply


def wait_for_health(client, status, budget):
    """Seconds until health answers `status`; fails after `budget`."""
    started = time.monotonic()
    while True:
        reply = client.get("/api/v1/health")
        if reply.status == status:
            return time.monotonic() - started, reply
        assert time.monotonic() - started < budget, reply
        time.sleep(0.02)


def error_lines(service):
    return [line for line in service.log().splitlines() if " ERROR " in line]


@pytest.fixture
def running(make_service, tmp_path):
    """A service with one user whose interval is 100 in the backup and 139 after."""
    service = make_service()
    user = service.client()
    user.login()
    assert put_interval(user, 100).status == 200
    backup = tmp_path / "backup.db"
    code, out, err = ctl(service.db, "backup", backup)
    assert code == 0, err
    for value in range(101, 140):
        assert put_interval(user, value).status == 200
    assert interval(user) == 139
    return service, user, backup


# --------------------------------------------------------------------------
# settingsctl restore


def test_restore_while_the_service_runs(running):
    service, user, backup = running
    assert interval(user) == 139  # in the service's read cache now
    code, out, err = ctl(service.db, "restore", backup)
    assert code == 0, err
    assert re.search(r"restored .*backup\.db into .*settings\.db: global_settings=1 "
                     r"user_preferences=1 project_settings=0 user_sessions=1", out), out
    # Served at once, without a restart, past the read cache.
    assert interval(user) == 100
    reply = user.get("/api/v1/health")
    assert reply.status == 200 and reply.json["storage"] == "sqlite", reply
    assert put_interval(user, 200).status == 200
    assert interval(user) == 200
    assert error_lines(service) == []
    assert service.stop() == 0
    assert ctl(service.db, "check")[:2] == (0, "integrity check: ok\n")
    assert stored_intervals(service.db) == [200]


def test_restore_of_a_stopped_database_and_of_a_missing_one(running, tmp_path):
    service, user, backup = running
    assert service.stop() == 0
    assert ctl(service.db, "restore", backup)[0] == 0
    assert stored_intervals(service.db) == [100]
    fresh = tmp_path / "elsewhere" / "new.db"
    fresh.parent.mkdir()
    assert ctl(fresh, "restore", backup)[0] == 0
    assert stored_intervals(fresh) == [100]
    assert integrity(fresh) == "ok"
    assert not list(tmp_path.glob("**/*.restoring*"))


def test_restore_refuses_a_backup_it_cannot_use(running, tmp_path):
    service, user, _ = running
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    foreign = tmp_path / "foreign.db"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    for bad in (garbage, foreign, tmp_path / "missing.db"):
        code, out, err = ctl(service.db, "restore", bad)
        assert code == 2, (bad, out, err)
        assert "nothing was restored" in err
    assert interval(user) == 139
    assert ctl(service.db, "restore")[0] == 2
    result = subprocess.run([SETTINGSCTL, "--database-url", "postgresql://localhost/x", "restore",
                             str(tmp_path / "b.db")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "restore is for SQLite files" in result.stderr, result
    assert not list(tmp_path.glob("**/*.restoring*"))


# --------------------------------------------------------------------------
# A file replaced or deleted under the service


def replace_by_rename(db, backup):
    shutil.copyfile(backup, str(db) + ".tmp")
    os.rename(str(db) + ".tmp", db)


def overwrite_in_place(db, backup):
    inode = os.stat(db).st_ino
    shutil.copyfile(backup, db)  # opens the existing file with O_TRUNC
    assert os.stat(db).st_ino == inode


@pytest.mark.parametrize("replace", [replace_by_rename, overwrite_in_place],
                         ids=["mv over it", "cp over it"])
def test_a_file_replaced_under_the_service(running, replace):
    service, user, backup = running
    replace(service.db, backup)
    seconds, health = wait_for_health(user, 503, DETECTION_BUDGET)
    assert health.json["storage"] == "replaced", health
    assert health.json["status"] == "unavailable"
    assert health.header("retry-after") == "1"
    for reply in (user.get("/api/v1/settings/user"), put_interval(user, 500),
                  user.get("/api/v1/auth/me"), user.get("/api/v1/settings/global"),
                  service.client().post("/api/v1/auth/dev-login", {"username": "later"})):
        assert_refused(reply)
    assert len(error_lines(service)) == 1, error_lines(service)
    assert "replaced" in error_lines(service)[0] or "written" in error_lines(service)[0]
    assert service.process.poll() is None
    assert service.stop() == 0
    # Nothing of the old file's WAL is left to be replayed into the new one.
    assert not Path(str(service.db) + "-wal").exists()
    assert ctl(service.db, "check")[:2] == (0, "integrity check: ok\n")
    assert stored_intervals(service.db) == [100]


def test_a_file_deleted_under_the_service(running):
    service, user, _ = running
    os.unlink(service.db)
    _, health = wait_for_health(user, 503, DETECTION_BUDGET)
    assert health.json["storage"] == "replaced"
    assert_refused(put_interval(user, 500))
    assert_refused(user.get("/api/v1/settings/user"))
    assert service.stop() == 0
    assert not service.db.exists()
    # The stale WAL is gone too: a new start begins with an empty database.
    assert not Path(str(service.db) + "-wal").exists()
    service.start()
    fresh = service.client()
    fresh.login()
    assert interval(fresh) == 60
    assert service.stop() == 0
    assert integrity(service.db) == "ok"


def test_a_write_racing_the_replacement_never_reaches_the_new_file(running):
    """Writes keep arriving while the file is swapped: whatever the service
    acknowledged, the new file afterwards holds exactly the backup."""
    service, user, backup = running
    statuses = []
    replace_by_rename(service.db, backup)
    for value in range(600, 640):
        statuses.append(put_interval(user, value).status)
    assert set(statuses) <= {200, 503}
    assert statuses[-1] == 503
    assert service.stop() == 0
    assert ctl(service.db, "check")[:2] == (0, "integrity check: ok\n")
    assert stored_intervals(service.db) == [100]


# --------------------------------------------------------------------------
# Damaged pages


def damage_user_preferences(db):
    """Overwrites the root page of user_preferences (stopped service)."""
    connection = sqlite3.connect(db)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master "
                                  "WHERE name = 'user_preferences'").fetchone()[0]
    finally:
        connection.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


def stopped_and_damaged(make_service, tmp_path):
    service = make_service()
    user = service.client()
    user.login()
    assert put_interval(user, 100).status == 200
    backup = tmp_path / "backup.db"
    assert ctl(service.db, "backup", backup)[0] == 0
    assert service.stop() == 0
    damage_user_preferences(service.db)
    return service, user, backup


def test_damaged_pages_are_503_and_health_says_corrupt(make_service, tmp_path):
    service, user, backup = stopped_and_damaged(make_service, tmp_path)
    service.env["CHECK_ON_START"] = "off"
    service.start()
    user.port = service.port
    assert user.get("/api/v1/health").status == 200  # not found yet
    for _ in range(5):
        assert_refused(user.get("/api/v1/settings/user"))
    assert_refused(put_interval(user, 300))
    health = user.get("/api/v1/health")
    assert health.status == 503 and health.json["storage"] == "corrupt", health
    errors = error_lines(service)
    assert len(errors) == 1 and "damaged" in errors[0], errors
    assert " 500 " not in service.log()
    # A restore brings it back, without a restart.
    code, _, err = ctl(service.db, "restore", backup)
    assert code == 0, err
    wait_for_health(user, 200, DETECTION_BUDGET)
    assert interval(user) == 100
    assert put_interval(user, 301).status == 200
    assert service.stop() == 0
    assert integrity(service.db) == "ok"


@pytest.mark.parametrize("setting", [None, "quick", "full"])
def test_a_damaged_file_fails_the_check_before_listening(make_service, tmp_path, setting):
    service, _, _ = stopped_and_damaged(make_service, tmp_path)
    if setting:
        service.env["CHECK_ON_START"] = setting
    assert service.run_to_exit() == 3
    assert "fails its integrity check" in service.log()
    assert "listening" not in service.log()


def test_the_check_before_listening_can_be_turned_off_or_passes(make_service, tmp_path):
    service, _, _ = stopped_and_damaged(make_service, tmp_path)
    service.args = ["--check-on-start", "off"]
    service.start()
    assert "start-up check" not in service.log()
    assert service.stop() == 0
    healthy = make_service(start=False)
    healthy.db = tmp_path / "other" / "settings.db"
    healthy.env["DATABASE_PATH"] = str(healthy.db)
    healthy.start()
    assert healthy.stop() == 0
    healthy.start()  # now the file exists and is checked
    assert "start-up check of" in healthy.log() and ": ok" in healthy.log()
    assert healthy.stop() == 0


def test_a_bad_check_setting_is_exit_2(make_service):
    service = make_service(env={"CHECK_ON_START": "sometimes"}, start=False)
    assert service.run_to_exit() == 2
    assert "CHECK_ON_START (--check-on-start)" in service.log()
