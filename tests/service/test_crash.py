"""Crash durability: what the service acknowledged survives a SIGKILL at any moment.

Each round: several client threads, each with users of its own, write increasing
values at full speed (PUT /api/v1/settings/user) and create sessions (dev login).
At a random moment the service gets SIGKILL; it is restarted on the same
database, and every acknowledged value and session must still be there, and the
file must pass PRAGMA integrity_check.

CRASH_ROUNDS (default 3) sets the number of rounds, CRASH_SEED the random seed
(printed on failure, so a failing schedule can be replayed)."""

import http.client
import os
import random
import signal
import threading
import time

from conftest import Client
from rawhttp import integrity

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "3"))
SEED = int(os.environ.get("CRASH_SEED", str(random.randrange(1 << 30))))
WRITERS = 8
SESSION_EVERY = 4        # every 4th operation of a writer is a dev login
ROUND_SECONDS = 10.0     # hard bound on one round's writing phase
FIELD = "workflow.copilot_polling_interval"


class Writer:
    """One client thread: its own user, increasing values, extra sessions."""

    def __init__(self, port, username):
        self.port = port
        self.username = username
        self.client = Client(port)
        self.acked = 0          # last value answered 200
        self.sent = 0           # last value sent (may have committed without an answer)
        self.cookies = []       # every session cookie whose login answered 200
        self.unexpected = []    # answers other than 200 while the service was up
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def login(self):
        self.client.login(self.username)
        self.cookies.append(self.client.cookie)

    def run(self):
        deadline = time.monotonic() + ROUND_SECONDS
        value = 0
        while not self.stop.is_set() and time.monotonic() < deadline and value < 86400:
            value += 1
            try:
                if value % SESSION_EVERY == 0:
                    extra = Client(self.port)
                    reply = extra.post("/api/v1/auth/dev-login", {"username": self.username})
                    if reply.status == 200:
                        self.cookies.append(extra.cookie)
                    else:
                        self.unexpected.append(("dev-login", reply))
                self.sent = value
                reply = self.client.put("/api/v1/settings/user",
                                        {"workflow": {"copilot_polling_interval": value}})
            except (OSError, http.client.HTTPException):
                return  # the service is gone: whatever was not answered is not acknowledged
            if reply.status == 200:
                if reply.json["workflow"]["copilot_polling_interval"] != value:
                    self.unexpected.append(("put answered another value", value, reply))
                self.acked = value
            else:
                self.unexpected.append(("put", value, reply))


def stored_value(port, cookie):
    client = Client(port)
    client.cookie = cookie
    reply = client.get("/api/v1/settings/user")
    assert reply.status == 200, reply
    return reply.json["workflow"]["copilot_polling_interval"], reply.json["sources"][FIELD]


def check_writer(port, writer, context):
    value, source = stored_value(port, writer.cookies[0])
    if writer.acked:
        assert source == "user", (context, writer.username, source)
        assert writer.acked <= value <= writer.sent, (
            f"{context}: {writer.username} acknowledged {writer.acked}, last sent "
            f"{writer.sent}, stored {value}")


def check_cookies(port, cookies, context):
    lost = []
    for cookie in cookies:
        client = Client(port)
        client.cookie = cookie
        reply = client.get("/api/v1/auth/me")
        if reply.status != 200:
            lost.append((cookie[:6], reply.status))
    assert lost == [], f"{context}: acknowledged sessions lost: {lost[:10]} ({len(lost)} in all)"


def test_acknowledged_writes_and_sessions_survive_sigkill(make_service):
    rng = random.Random(SEED)
    context = f"CRASH_SEED={SEED}"
    service = make_service()
    finished = []  # writers of earlier rounds, checked again after every later crash
    started = time.monotonic()
    for round_no in range(1, ROUNDS + 1):
        where = f"{context} round {round_no}/{ROUNDS}"
        writers = [Writer(service.port, f"crash-r{round_no}-w{i}") for i in range(WRITERS)]
        for writer in writers:
            writer.login()
        for writer in writers:
            writer.thread.start()
        # Let every writer get going, then kill at a random moment.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(w.acked for w in writers):
            time.sleep(0.01)
        assert all(w.acked for w in writers), (where, service.log()[-2000:])
        time.sleep(rng.uniform(0.05, 1.0))
        assert service.process.poll() is None, (where, service.log()[-2000:])
        code = service.stop(signal.SIGKILL)
        assert code == -signal.SIGKILL
        for writer in writers:
            writer.stop.set()
            writer.thread.join(20)
            assert not writer.thread.is_alive(), (where, writer.username, "client thread stuck")
            assert writer.unexpected == [], (where, writer.username, writer.unexpected[:5])

        assert integrity(service.db) == "ok", where
        service.start()
        for writer in writers:
            check_writer(service.port, writer, where)
            check_cookies(service.port, writer.cookies, where)
        for writer in finished:  # nothing acknowledged in earlier rounds went missing
            check_writer(service.port, writer, where + " (earlier round)")
        finished.extend(writers)

    # All sessions of all rounds (a bounded sample when there are many).
    every_cookie = [c for w in finished for c in w.cookies]
    sample = rng.sample(every_cookie, min(len(every_cookie), 2000))
    check_cookies(service.port, sample, context + " final")
    assert service.process.poll() is None
    assert service.stop(signal.SIGTERM) == 0
    assert integrity(service.db) == "ok", context
    total_acked = sum(w.acked for w in finished)
    total_sessions = len(every_cookie)
    print(f"{context}: {ROUNDS} rounds, {total_acked} acknowledged writes, "
          f"{total_sessions} acknowledged sessions, {time.monotonic() - started:.1f} s")
