"""The in-memory answer to repeated GET /api/v1/settings/user: it is used, it
never outlives a write of the service, a logout or an expiry, and a change made
by another process is seen by the next request (every request is checked by a
reading of the database version that started after it arrived). On SQLite and
PostgreSQL alike."""

import threading
import time

SETTINGS = "/api/v1/settings/user"


def lookups(service, at_least=0):
    """How many times the session store has read a session from the database.

    The log reaches the test through a reader thread, a little after the reply
    it belongs to, so the count is taken once it has stopped moving (and has
    reached at_least, for a lookup the test knows has happened)."""
    deadline = time.monotonic() + 10
    count = service.log().count("lookup: session found")
    while True:
        time.sleep(0.1)
        again = service.log().count("lookup: session found")
        if (again == count and again >= at_least) or time.monotonic() > deadline:
            return again
        count = again


def read_twice(user):
    first = user.get(SETTINGS)
    second = user.get(SETTINGS)
    assert first.status == second.status == 200
    assert first.json == second.json
    return second




def test_a_repeated_read_is_answered_from_memory_with_the_same_reply(service):
    user = service.client()
    user.login()
    first = user.get(SETTINGS)
    before = lookups(service)
    for _ in range(5):
        again = user.get(SETTINGS)
        assert again.status == 200
        assert again.body == first.body
        assert again.header("content-type") == "application/json"
        assert again.header("cache-control") == "no-store"
        assert again.header("set-cookie") == first.header("set-cookie")
    assert lookups(service) == before


def test_every_write_of_the_service_is_seen_by_the_next_read(make_service):
    service = make_service(env={"ADMIN_USERS": "admin"})
    user = service.client()
    user.login()
    read_twice(user)
    assert user.put(SETTINGS, {"display": {"theme": "dark"}}).status == 200
    assert user.get(SETTINGS).json["display"]["theme"] == "dark"

    # A global change reaches the inherited fields of every user.
    admin = service.client()
    admin.login("admin")
    assert admin.put("/api/v1/settings/global", {"ai": {"temperature": 1.25}}).status == 200
    reply = user.get(SETTINGS)
    assert reply.json["ai"]["temperature"] == 1.25
    assert reply.json["sources"]["ai.temperature"] == "global"


def test_under_concurrent_reads_every_answered_write_is_seen(service):
    user = service.client()
    user.login()
    stop = threading.Event()
    failures = []

    def keep_reading():
        reader = service.client()
        reader.cookie = user.cookie
        while not stop.is_set():
            reply = reader.get(SETTINGS)
            if reply.status != 200:
                failures.append(reply)

    readers = [threading.Thread(target=keep_reading) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for interval in range(60, 110):
            body = {"workflow": {"copilot_polling_interval": interval}}
            assert user.put(SETTINGS, body).status == 200
            assert user.get(SETTINGS).json["workflow"]["copilot_polling_interval"] == interval
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert failures == []


def test_a_change_made_by_another_process_is_seen_by_the_next_read(service):
    user = service.client()
    user.login()
    assert read_twice(user).json["ai"]["temperature"] == 0.7
    service.sql("UPDATE global_settings SET ai_temperature = 1.5")
    assert user.get(SETTINGS).json["ai"]["temperature"] == 1.5


def test_a_session_removed_by_another_process_is_refused_by_the_next_read(service):
    user = service.client()
    user.login()
    read_twice(user)
    service.sql("DELETE FROM user_sessions")
    assert user.get(SETTINGS).status == 401


def test_logout_ends_the_remembered_reads(service):
    user = service.client()
    user.login()
    read_twice(user)
    cookie = user.cookie
    assert user.post("/api/v1/auth/logout", {}).status == 200
    user.cookie = cookie
    assert user.get(SETTINGS).status == 401


def test_each_session_gets_its_own_users_settings(service):
    alice, bob = service.client(), service.client()
    alice.login("alice")
    bob.login("bob")
    assert alice.put(SETTINGS, {"display": {"theme": "dark"}}).status == 200
    read_twice(alice)
    read_twice(bob)
    assert alice.get(SETTINGS).json["display"]["theme"] == "dark"
    assert bob.get(SETTINGS).json["display"]["theme"] == "light"
    bob.cookie = "A" * 43  # well formed, unknown
    assert bob.get(SETTINGS).status == 401


def test_a_remembered_session_still_expires_and_is_deleted(make_service):
    service = make_service(args=["--session-expire-hours", "0.0005"])  # 1.8 s
    user = service.client()
    user.login()
    read_twice(user)
    time.sleep(2.2)
    assert user.get(SETTINGS).status == 401
    assert service.sql("SELECT count(*) FROM user_sessions") == ["0"]


def test_reads_keep_a_session_alive_past_its_inactivity_window(make_service):
    service = make_service(args=["--session-expire-hours", "0.0005"])
    user = service.client()
    user.login()
    for _ in range(8):
        time.sleep(0.5)
        assert user.get(SETTINGS).status == 200


def test_refused_requests_never_empty_the_cache(service):
    user = service.client()
    user.login()
    other = service.client()
    other.login("other")
    read_twice(user)
    cookie = {"Cookie": f"session_id={user.cookie}"}
    refused = [
        # The repro: bare logouts, answered 415.
        *[("POST", "/api/v1/auth/logout", None, {}, 415)] * 50,
        ("PUT", SETTINGS, {"ai": {"temperature": 0.5}}, {"Cookie": "session_id=" + "A" * 43}, 401),
        ("PUT", SETTINGS, {"ai": {"temperature": 0.5}}, {**cookie, "Origin": "http://evil"}, 403),
        ("PUT", SETTINGS, None, {**cookie, "Content-Type": "text/plain"}, 415),
        ("PUT", SETTINGS, None, {**cookie, "Content-Type": "application/json"}, 400),
        ("PUT", SETTINGS, {"ai": {"temperature": 9}}, cookie, 422),
        ("PUT", SETTINGS, None, {**cookie, "Content-Type": "application/json",
                                 "Content-Length": "70000"}, 413),
    ]
    for method, path, body, headers, status in refused:
        raw = b"{" if body is None and status == 400 else None
        if status == 413:
            raw = b" " * 70000
            headers = {k: v for k, v in headers.items() if k != "Content-Length"}
        reply = other.request(method, path, body=body, headers=headers, raw=raw, cookie=False)
        assert reply.status == status, (method, path, reply)
    # The next read is still answered from memory: no session lookup.
    before = lookups(service)
    assert user.get(SETTINGS).status == 200
    assert lookups(service) == before
    # An accepted write does end it.
    assert other.put(SETTINGS, {"ai": {"temperature": 0.5}}).status == 200
    before = lookups(service)
    assert user.get(SETTINGS).status == 200
    assert lookups(service, at_least=before + 1) == before + 1
