"""Storage faults under a running service: another process holding the write
lock, a database file that cannot be written (immutable file, full disk), and
the database folder deleted. Writes that cannot be stored answer 503 JSON with
Retry-After, reads that can be served are served, health never waits, and
writes work again once the fault is gone. (A file replaced or deleted under the
service is refused altogether: see also test_database_file.py.)"""

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

from rawhttp import integrity, timed_health

BUSY_TIMEOUT = 5.0     # docs/decisions.md: "Busy timeout 5 s"
HEALTH_BUDGET = 0.100  # seconds
READ_BUDGET = 1.0      # a read that does not wait for the write lock


def interval_put(client, value):
    return client.put("/api/v1/settings/user", {"workflow": {"copilot_polling_interval": value}})


def stored_interval(client):
    reply = client.get("/api/v1/settings/user")
    assert reply.status == 200, reply
    return reply.json["workflow"]["copilot_polling_interval"]


def assert_unavailable(reply):
    """The storage-unavailable answer: 503, JSON error, Retry-After."""
    assert reply.status == 503, reply
    assert reply.header("content-type").startswith("application/json")
    assert reply.json["error"]
    retry_after = reply.header("retry-after")
    assert retry_after is not None and retry_after.isdigit() and int(retry_after) >= 1, reply


def assert_serving_reads(service, user, expected_interval):
    """Health within its budget; reads of settings, session and global answer 200."""
    seconds, health = timed_health(service.port)
    assert health.status == 200, health
    assert seconds < HEALTH_BUDGET, f"health took {seconds * 1000:.1f} ms"
    started = time.monotonic()
    assert stored_interval(user) == expected_interval
    assert user.get("/api/v1/auth/me").status == 200
    assert user.get("/api/v1/settings/global").status == 200
    assert user.get("/api/v1/settings/project/P1").status == 200
    elapsed = time.monotonic() - started
    assert elapsed < 4 * READ_BUDGET, f"four reads took {elapsed:.2f} s"


def assert_writes_recover(service, user, first_value, count=5):
    """`count` writes in a row, each answered 200 at once, and read back."""
    for value in range(first_value, first_value + count):
        started = time.monotonic()
        reply = interval_put(user, value)
        assert reply.status == 200, (value, reply, service.log()[-2000:])
        assert time.monotonic() - started < 2.0
    assert stored_interval(user) == first_value + count - 1
    login = service.client().post("/api/v1/auth/dev-login", {"username": "after-fault"})
    assert login.status == 200, login


# --------------------------------------------------------------------------
# Another process holds the write lock


def hold_write_lock(db_path):
    holder = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE global_settings SET ai_model = 'held-by-another-process'")
    return holder


def release(holder):
    holder.execute("ROLLBACK")
    holder.close()


def test_a_write_lock_held_past_the_busy_timeout(make_service):
    service = make_service()
    user = service.client()
    user.login()
    assert interval_put(user, 100).status == 200
    holder = hold_write_lock(service.db)
    answer = {}

    def write():
        started = time.monotonic()
        answer["reply"] = put_as(service, user.cookie, 200)
        answer["seconds"] = time.monotonic() - started

    writer = threading.Thread(target=write, daemon=True)
    try:
        writer.start()
        # While the write waits for the lock: health at once, reads served.
        deadline = time.monotonic() + BUSY_TIMEOUT - 1
        rounds = 0
        while time.monotonic() < deadline and rounds < 40:
            assert_serving_reads(service, user, 100)
            rounds += 1
            time.sleep(0.1)
        assert rounds >= 5
        writer.join(BUSY_TIMEOUT + 5)
        assert not writer.is_alive(), "the write did not answer within busy timeout + 5 s"
    finally:
        release(holder)
    assert_unavailable(answer["reply"])
    assert BUSY_TIMEOUT - 0.5 <= answer["seconds"] <= BUSY_TIMEOUT + 2.5, answer["seconds"]
    assert stored_interval(user) == 100  # the refused write left nothing behind
    assert_writes_recover(service, user, 300)
    assert service.process.poll() is None
    assert service.stop() == 0
    assert integrity(service.db) == "ok"


def put_as(service, cookie, value):
    client = service.client()
    client.cookie = cookie
    return interval_put(client, value)


@pytest.mark.parametrize("count", [3, 80], ids=["3 writes", "80 writes"])
def test_writes_queued_behind_a_held_lock_each_answer_in_time(make_service, count):
    """A burst of writes arrives while another process holds the lock (80 is
    more than the service's storage write threads). The first write gives up
    after the busy timeout: its 503 must reach the client then, not only once
    writes queued behind it are done too."""
    service = make_service()
    user = service.client()
    user.login()
    assert interval_put(user, 100).status == 200
    holder = hold_write_lock(service.db)
    answers = []  # (value, reply, seconds since the first request)
    lock = threading.Lock()
    started = time.monotonic()

    def write(value):
        try:
            reply = put_as(service, user.cookie, value)
        except OSError as e:  # the client's 15 s timeout
            reply = e
        with lock:
            answers.append((value, reply, time.monotonic() - started))

    values = range(1001, 1001 + count)
    writers = [threading.Thread(target=write, args=(v,), daemon=True) for v in values]
    first_answer = None
    try:
        for w in writers:
            w.start()
            time.sleep(0.05 if count < 10 else 0.002)
        deadline = started + BUSY_TIMEOUT + 3
        while time.monotonic() < deadline and not answers:
            assert_serving_reads(service, user, 100)
            time.sleep(0.1)
        with lock:
            first_answer = answers[0] if answers else None
    finally:
        release(holder)
    for w in writers:
        w.join(max(0.1, started + 4 * BUSY_TIMEOUT - time.monotonic()))
    assert all(not w.is_alive() for w in writers), "a write never answered"
    seen = sorted((round(s, 1), getattr(r, "status", repr(r))) for _, r, s in answers)
    assert first_answer is not None, (
        f"no write answered within {BUSY_TIMEOUT + 3:.0f} s although the first one gave up "
        f"after the {BUSY_TIMEOUT:.0f} s busy timeout (the lock was then released); answers "
        f"(seconds, status): {seen[:10]}...; the service logged:\n"
        + "\n".join(line.rstrip() for line in service.log().splitlines()
                    if "storage unavailable" in line)[:1500])
    value, reply, seconds = first_answer
    assert_unavailable(reply)
    assert seconds <= BUSY_TIMEOUT + 2.5, seconds
    # Every write answered, refused or stored, and nothing half-done.
    statuses = {v: getattr(r, "status", None) for v, r, _ in answers}
    assert set(statuses.values()) <= {200, 503}, seen
    stored = [v for v, status in statuses.items() if status == 200]
    assert stored_interval(user) in (stored or [100])
    assert_writes_recover(service, user, 300)
    assert service.stop() == 0
    assert integrity(service.db) == "ok"


def test_every_queued_write_answers_within_the_busy_timeout_of_its_arrival(make_service):
    """150 writes (more than the storage write threads) arrive over a second
    and a half while another process holds the lock for longer than all of
    them may wait: each is answered 503 with Retry-After within the busy
    timeout + 1 s of its own arrival, not in multiples of the busy timeout."""
    service = make_service()
    user = service.client()
    user.login()
    assert interval_put(user, 100).status == 200
    holder = hold_write_lock(service.db)
    answers = []
    lock = threading.Lock()

    def write(value):
        sent = time.monotonic()
        try:
            reply = put_as(service, user.cookie, value)
        except OSError as e:
            reply = e
        with lock:
            answers.append((value, reply, time.monotonic() - sent))

    writers = [threading.Thread(target=write, args=(v,), daemon=True)
               for v in range(2001, 2151)]
    try:
        for w in writers:
            w.start()
            time.sleep(0.01)
        for w in writers:
            w.join(3 * BUSY_TIMEOUT)
    finally:
        release(holder)
    assert len(answers) == 150, "a write never answered"
    late = sorted((round(seconds, 2), value) for value, _, seconds in answers
                  if seconds > BUSY_TIMEOUT + 1)
    assert not late, f"{len(late)} writes answered later than busy timeout + 1 s: {late[:10]}"
    for _, reply, _ in answers:
        assert_unavailable(reply)
    assert stored_interval(user) == 100
    assert_writes_recover(service, user, 300)
    assert service.stop() == 0
    assert integrity(service.db) == "ok"


# --------------------------------------------------------------------------
# The database file cannot be written


def immutable_files_supported(probe_dir):
    """Whether `chattr +i` makes writes through an already open descriptor fail
    here. (We run as root: permission bits do not stop root, and SQLite keeps
    its descriptors open, so chmod changes nothing for the running service.
    The immutable attribute is checked at every write(2), even through open
    descriptors, and stops root too.)"""
    if shutil.which("chattr") is None:
        return False, "chattr is not installed"
    probe = probe_dir / "immutable-probe"
    with open(probe, "wb") as f:
        f.write(b"x")
        f.flush()
        result = subprocess.run(["chattr", "+i", str(probe)], capture_output=True, text=True)
        if result.returncode != 0:
            return False, f"chattr +i does not work on this filesystem: {result.stderr.strip()}"
        try:
            try:
                os.write(f.fileno(), b"y")
                return False, "an immutable file still takes writes through an open descriptor"
            except OSError as e:
                if e.errno not in (errno.EPERM, errno.EACCES, errno.EROFS):
                    return False, f"unexpected error writing an immutable file: {e}"
        finally:
            subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
    probe.unlink()
    return True, ""


def set_immutable(paths, on):
    result = subprocess.run(["chattr", "+i" if on else "-i", *map(str, paths)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_database_file_that_cannot_be_written(make_service, tmp_path):
    supported, reason = immutable_files_supported(tmp_path)
    if not supported:
        pytest.skip(f"cannot make the database file unwritable for a root process: {reason}")
    service = make_service()
    user = service.client()
    user.login()
    assert interval_put(user, 100).status == 200
    files = [service.db, service.db.with_name(service.db.name + "-wal")]
    assert files[1].exists(), "the database is not in WAL mode?"
    set_immutable(files, True)
    try:
        for value in (201, 202, 203):  # each refused at once: no thread stuck
            started = time.monotonic()
            reply = interval_put(user, value)
            assert_unavailable(reply)
            assert time.monotonic() - started < BUSY_TIMEOUT + 2
        assert_unavailable(service.client().post("/api/v1/auth/dev-login", {"username": "ro"}))
        assert_unavailable(user.put("/api/v1/settings/project/P1",
                                    {"board_display_config": {"show_estimates": True}}))
        assert_unavailable(user.put("/api/v1/settings/global", {"ai": {"temperature": 1.0}}))
        assert_serving_reads(service, user, 100)
        assert service.process.poll() is None
    finally:
        set_immutable(files, False)
    assert_writes_recover(service, user, 300)
    assert user.get("/api/v1/settings/project/P1").json["project"]["board_display_config"] is None
    assert service.stop() == 0
    assert integrity(service.db) == "ok"
    db = sqlite3.connect(service.db)
    try:
        row = db.execute("SELECT copilot_polling_interval FROM user_preferences").fetchall()
    finally:
        db.close()
    assert row == [(304,)]


def mount_small_tmpfs(path, size="2m"):
    path.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        return "mount is not installed"
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                             str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        return f"cannot mount a tmpfs here: {result.stderr.strip()}"
    return None


def fill(directory):
    """Fills the filesystem of `directory`; returns the filler file."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for _ in range(100_000):  # bounded: 400 MB at most, the tmpfs is 2 MB
            os.write(fd, b"\0" * 4096)
    except OSError as e:
        assert e.errno == errno.ENOSPC, e
    finally:
        os.close(fd)
    return filler


def test_a_full_disk(make_service, tmp_path):
    data = tmp_path / "data"
    problem = mount_small_tmpfs(data)
    if problem:
        pytest.skip(problem)
    service = None
    try:
        service = make_service()
        assert service.db.parent == data
        user = service.client()
        user.login()
        assert interval_put(user, 100).status == 200
        filler = fill(data)
        for value in (201, 202, 203):
            assert_unavailable(interval_put(user, value))
        big = {"board_display_config": {"column_order": [f"column-{i:05d}" for i in range(4000)]}}
        assert_unavailable(user.put("/api/v1/settings/project/P1", big))
        assert_unavailable(service.client().post("/api/v1/auth/dev-login", {"username": "full"}))
        assert_serving_reads(service, user, 100)
        filler.unlink()
        assert_writes_recover(service, user, 300)
        reply = user.put("/api/v1/settings/project/P1", big)
        assert reply.status == 200
        assert service.stop() == 0
        assert integrity(service.db) == "ok"
    finally:
        if service is not None and service.process is not None:
            service.process.kill()
            service.process.wait()
        subprocess.run(["umount", "-l", str(data)], capture_output=True)


# --------------------------------------------------------------------------
# The database folder is deleted


def test_the_database_folder_deleted_under_the_service(make_service):
    service = make_service()
    user = service.client()
    user.login()
    assert interval_put(user, 100).status == 200
    shutil.rmtree(service.db.parent)
    assert not service.db.parent.exists()
    outcomes = []
    for method, path, body in [("PUT", "/api/v1/settings/user",
                                {"workflow": {"copilot_polling_interval": 200}}),
                               ("GET", "/api/v1/settings/user", None),
                               ("GET", "/api/v1/auth/me", None),
                               ("PUT", "/api/v1/settings/project/P1",
                                {"board_display_config": {"show_estimates": True}}),
                               ("GET", "/api/v1/settings/projects", None),
                               ("PUT", "/api/v1/auth/session", {"selected_project_id": "P1"})]:
        reply = user.request(method, path, body=body)
        outcomes.append((method, path, reply.status))
        # docs/security.md, "The database file": a deleted file is not served
        # from, and a write would go to an unlinked file and be lost.
        assert_unavailable(reply)
    login = service.client().post("/api/v1/auth/dev-login", {"username": "after-delete"})
    assert_unavailable(login)
    assert "was deleted while open" in service.log()
    for _ in range(5):
        seconds, health = timed_health(service.port)
        assert health.status == 503 and seconds < HEALTH_BUDGET, (seconds, health)
        assert health.json["storage"] == "replaced"
    assert service.process.poll() is None, service.log()[-3000:]
    print("after the folder was deleted:", outcomes, "dev-login", login.status)
    # A clean stop is still clean, and a new start recreates the folder.
    assert service.stop() == 0
    service.start()
    assert service.db.exists()
    seconds, health = timed_health(service.port)
    assert health.status == 200
