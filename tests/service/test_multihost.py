"""The promises of scale-out.md ("What several hosts promise"), proven with
several real settings-service processes on one database: on PostgreSQL, and on
one SQLite file shared by two processes, where the same promises hold."""

import os
import re
import subprocess
import threading
import time

import pytest

from conftest import Hosts, Service, signed_in_pair

CLUSTER_SCRIPT = os.path.join(os.path.dirname(__file__), "..", "support", "postgres_cluster.sh")
THEMES = ("dark", "light")


@pytest.fixture(params=["sqlite", "postgresql"])
def hosts(request, tmp_path):
    """start(count, env) -> that many services on one database of each engine,
    whatever SETTINGS_TEST_ENGINE says: every promise is checked on both."""
    on_one_database = Hosts(tmp_path, request.param)
    yield on_one_database.start
    on_one_database.kill()


def test_1_a_session_works_on_every_host_and_a_logout_ends_it_everywhere(hosts):
    a, b = hosts(2)
    for round_ in range(25):
        on_a, on_b = signed_in_pair(a, b, f"user{round_}")
        assert on_b.get("/api/v1/auth/me").json["github_username"] == f"user{round_}"
        assert on_b.get("/api/v1/settings/user").status == 200  # now in b's read cache
        assert on_b.get("/api/v1/settings/user").status == 200
        assert on_a.post("/api/v1/auth/logout", {}).status == 200
        assert on_b.get("/api/v1/settings/user").status == 401, round_
        assert on_b.get("/api/v1/auth/me").status == 401


def test_2_a_get_on_any_host_returns_the_put_acknowledged_before_it(hosts):
    a, b = hosts(2)
    on_a, on_b = signed_in_pair(a, b, "reader")
    stale = []
    for i in range(1000):
        on_b.get("/api/v1/settings/user")  # keep b's cache warm with the old value
        theme = THEMES[i % 2]
        interval = i + 1
        reply = on_a.put("/api/v1/settings/user",
                         {"display": {"theme": theme},
                          "workflow": {"copilot_polling_interval": interval}})
        assert reply.status == 200, reply
        seen = on_b.get("/api/v1/settings/user").json
        if (seen["display"]["theme"], seen["workflow"]["copilot_polling_interval"]) != \
                (theme, interval):
            stale.append(i)
    assert stale == []


def test_3_concurrent_partial_puts_on_different_hosts_lose_nothing(hosts):
    a, b = hosts(2)
    on_a, on_b = signed_in_pair(a, b, "writer")
    fields = [("ai", "temperature", lambda i: round(i / 100, 2)),
              ("workflow", "copilot_polling_interval", lambda i: i),
              ("display", "sidebar_collapsed", lambda i: i % 2 == 0),
              ("notifications", "chat_mention", lambda i: i % 2 == 1)]
    rounds = 40
    failures = []

    def write(client, section, name, value_of):
        for i in range(1, rounds + 1):
            reply = client.put("/api/v1/settings/user", {section: {name: value_of(i)}})
            if reply.status != 200:
                failures.append(reply)

    threads = []
    for index, (section, name, value_of) in enumerate(fields):
        own = (a if index % 2 == 0 else b).client()
        own.cookie = on_a.cookie
        threads.append(threading.Thread(target=write, args=(own, section, name, value_of)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for client in (on_a, on_b):
        settings = client.get("/api/v1/settings/user").json
        for section, name, value_of in fields:
            assert settings[section][name] == value_of(rounds), (section, name)
            assert settings["sources"][f"{section}.{name}"] == "user"


def purged_counts(service):
    return [int(n) for n in re.findall(r"purged (\d+) expired sessions", service.log())]


def test_4_several_hosts_purge_without_counting_a_session_twice(hosts):
    env = {"SESSION_EXPIRE_HOURS": "0.0003", "SESSION_CLEANUP_INTERVAL": "1"}  # about 1 s
    a, b = hosts(2, env)
    for i in range(30):
        (a if i % 2 else b).client().login(f"short{i}")
    deadline = time.time() + 20
    while time.time() < deadline and sum(purged_counts(a) + purged_counts(b)) < 30:
        time.sleep(0.2)
    assert sum(purged_counts(a) + purged_counts(b)) == 30
    time.sleep(2.5)  # more purges on both hosts: nothing left to count
    assert sum(purged_counts(a) + purged_counts(b)) == 30


def test_4_the_activity_throttle_holds_per_session_across_hosts(hosts):
    a, b = hosts(2, {"LOG_LEVEL": "debug"})
    on_a, on_b = signed_in_pair(a, b, "busy")
    for _ in range(20):
        assert on_a.get("/api/v1/auth/me").status == 200
        assert on_b.get("/api/v1/auth/me").status == 200
    # Within the throttle window no host records activity.
    assert "activity recorded" not in a.log() + b.log()


def test_6_every_promise_holds_without_database_notifications(hosts):
    a, b = hosts(2, {"DATABASE_NOTIFY": "0"})
    on_a, on_b = signed_in_pair(a, b, "quiet")
    for i in range(50):
        assert on_a.put("/api/v1/settings/user", {"ai": {"model": f"m-{i}"}}).status == 200
        assert on_b.get("/api/v1/settings/user").json["ai"]["model"] == f"m-{i}"
    assert on_a.post("/api/v1/auth/logout", {}).status == 200
    assert on_b.get("/api/v1/auth/me").status == 401


def test_5_a_server_that_stops_answering_is_an_outage_too(own_cluster, tmp_path):
    """A server that keeps its connections open and answers nothing (frozen, or
    its host cut off without a reset) is an outage as well: within 2 s requests
    get 503 with Retry-After, also the one that was waiting when it froze, and
    health says unavailable; once it answers again the host recovers by itself,
    and the write that got 503 was not committed."""
    folder, url = own_cluster
    host = Service(tmp_path, env={"THREADS": "2"}, database_url=url).start()
    try:
        user = host.client()
        user.login("frozen")
        assert user.put("/api/v1/settings/user", {"display": {"theme": "dark"}}).status == 200
        subprocess.run([CLUSTER_SCRIPT, "freeze", folder], check=True)
        try:
            started = time.monotonic()
            get = user.get("/api/v1/settings/user")
            assert get.status == 503 and get.header("retry-after"), get
            # 2 s, and the slack of a loaded test machine
            assert time.monotonic() - started < 3
            put = user.put("/api/v1/settings/user", {"display": {"theme": "light"}})
            assert put.status == 503 and put.header("retry-after"), put
            health = user.get("/api/v1/health")
            assert (health.status, health.json["storage"]) == (503, "unavailable")
        finally:
            subprocess.run([CLUSTER_SCRIPT, "thaw", folder], check=True)
        deadline = time.time() + 10
        while time.time() < deadline and user.get("/api/v1/settings/user").status != 200:
            time.sleep(0.2)
        settings = user.get("/api/v1/settings/user")
        assert settings.status == 200
        assert settings.json["display"]["theme"] == "dark"  # the 503 PUT wrote nothing
        assert user.put("/api/v1/settings/user",
                        {"display": {"theme": "light"}}).status == 200, host.log()
        assert user.get("/api/v1/health").json["storage"] == "postgresql"
    finally:
        host.stop()


@pytest.fixture
def own_cluster():
    """A PostgreSQL cluster of this test alone, to be stopped and started."""
    out = subprocess.run([CLUSTER_SCRIPT, "start"], check=True, capture_output=True,
                         text=True).stdout.split()
    folder, url = out[0], out[1]
    yield folder, url
    subprocess.run([CLUSTER_SCRIPT, "stop", folder], check=False)


def test_5_an_outage_is_503_with_retry_after_and_the_host_recovers_by_itself(own_cluster,
                                                                            tmp_path):
    folder, url = own_cluster
    host = Service(tmp_path, env={"THREADS": "2"}, database_url=url).start()
    try:
        user = host.client()
        user.login("outage")
        assert user.put("/api/v1/settings/user", {"display": {"theme": "dark"}}).status == 200
        health = user.get("/api/v1/health")
        assert (health.status, health.json["storage"]) == (200, "postgresql")

        subprocess.run([CLUSTER_SCRIPT, "pause", folder], check=True)
        started = time.monotonic()
        put = user.put("/api/v1/settings/user", {"display": {"theme": "light"}})
        assert put.status == 503 and put.header("retry-after"), put
        assert time.monotonic() - started < 2
        assert user.get("/api/v1/settings/user").status == 503
        deadline = time.time() + 5
        while time.time() < deadline and user.get("/api/v1/health").status != 503:
            time.sleep(0.1)
        health = user.get("/api/v1/health")
        assert (health.status, health.json["storage"]) == (503, "unavailable")

        subprocess.run([CLUSTER_SCRIPT, "resume", folder], check=True)
        deadline = time.time() + 15
        while time.time() < deadline and user.get("/api/v1/settings/user").status != 200:
            time.sleep(0.2)
        settings = user.get("/api/v1/settings/user")
        assert settings.status == 200
        assert settings.json["display"]["theme"] == "dark"  # the 503 PUT wrote nothing
        reply = user.put("/api/v1/settings/user", {"display": {"theme": "light"}})
        assert reply.status == 200, host.log()
        deadline = time.time() + 5
        while time.time() < deadline and user.get("/api/v1/health").status != 200:
            time.sleep(0.1)
        assert user.get("/api/v1/health").json["storage"] == "postgresql"
        assert host.process.poll() is None
    finally:
        host.stop()
