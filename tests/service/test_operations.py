"""operations.md: the metrics listener, readiness, JSON logs, request ids, the
access log and the SIGTERM sequence, against real settings-service processes.
SETTINGS_TEST_ENGINE=postgresql runs it on PostgreSQL."""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import ENGINE, Service

CLUSTER_SCRIPT = os.path.join(os.path.dirname(__file__), "..", "support", "postgres_cluster.sh")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
# Every metric of operations.md, by its name here.
METRIC_NAMES = [
    "settings_http_requests_total",
    "settings_http_request_duration_seconds",
    "settings_http_requests_in_flight",
    "settings_http_connections_open",
    "settings_event_streams_open",
    "settings_storage_group_commit_writes",
    "settings_storage_errors_total",
    "settings_cache_hits_total",
    "settings_cache_misses_total",
    "settings_sessions_created_total",
    "settings_sessions_expired_total",
    "settings_sessions_purged_total",
    "settings_history_entries_purged_total",
    "process_start_time_seconds",
    "settings_build_info",
]
POOL_METRICS = ["settings_storage_pool_connections_in_use", "settings_storage_pool_connections_max"]


def metrics_port(service):
    match = re.search(r"metrics on http://[^ ]+:(\d+)/metrics", service.log())
    assert match, service.log()
    return int(match.group(1))


def get(port, path, method="GET", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict((k.lower(), v) for k, v in response.getheaders()), body


def scrape(service):
    status, headers, body = get(metrics_port(service), "/metrics")
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    return body.decode()


def samples(text):
    """{'name{labels}': value} of every sample line."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def value(text, key):
    return samples(text).get(key)


def eventually(service, key, expected, seconds=5):
    """The value of `key` once it is `expected` (a closed connection is counted
    when the service has read its end, a moment after the client closed it)."""
    deadline = time.time() + seconds
    while time.time() < deadline and value(scrape(service), key) != expected:
        time.sleep(0.05)
    return value(scrape(service), key)


def metrics_service(make_service, **env):
    return make_service({"METRICS_ADDR": "127.0.0.1:0", **env})


# --------------------------------------------------------------------------
# Metrics


def test_metrics_are_served_on_their_own_listener_and_nothing_else(make_service):
    service = metrics_service(make_service)
    port = metrics_port(service)
    assert port != service.port
    text = scrape(service)
    for name in METRIC_NAMES:
        assert f"# TYPE {name} " in text, name
    engine = "postgresql" if ENGINE == "postgresql" else "sqlite"
    assert value(text, f'settings_build_info{{storage="{engine}",version="0.1.0"}}') == 1
    assert abs(value(text, "process_start_time_seconds") - time.time()) < 60
    assert value(text, "settings_event_streams_open") == 0
    assert value(text, "settings_history_entries_purged_total") == 0
    buckets = [key for key in samples(text)
               if key.startswith('settings_http_request_duration_seconds_bucket{route="/api/v1/health"')]
    assert 'le="0.0001"' in buckets[0] and any('le="5"' in b for b in buckets)
    for name in POOL_METRICS:  # PostgreSQL only
        assert (f"# TYPE {name} gauge" in text) == (ENGINE == "postgresql"), name
    # Nothing but GET /metrics there; no /metrics on the API port.
    assert get(port, "/api/v1/health")[0] == 404
    assert get(port, "/metrics", method="POST")[0] == 405
    assert get(service.port, "/metrics")[0] == 404


def test_no_metrics_listener_without_metrics_addr(service):
    assert "metrics on" not in service.log()


def test_requests_are_counted_by_route_template_and_status_class(make_service):
    service = metrics_service(make_service)
    user = service.client()
    user.login()
    for _ in range(3):
        assert user.get("/api/v1/settings/project/PVT_one").status == 200
    assert user.get("/api/v1/settings/project/PVT_two").status == 200
    assert user.get("/api/v1/nothing-here").status == 404
    text = scrape(service)
    route = "/api/v1/settings/project/{project_id}"
    assert value(text, f'settings_http_requests_total{{code="2xx",route="{route}"}}') == 4
    assert value(text, 'settings_http_requests_total{code="4xx",route="unmatched"}') == 1
    assert value(text, f'settings_http_request_duration_seconds_count{{route="{route}"}}') == 4
    assert "PVT_one" not in text and "nothing-here" not in text
    # The scrape itself is not a request of the API.
    assert value(text, "settings_http_requests_in_flight") == 0


def test_ten_thousand_distinct_paths_add_no_series(make_service):
    service = metrics_service(make_service)
    before = samples(scrape(service))
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=15)
    for i in range(10_000):
        path = (f"/api/v1/settings/project/P{i}x{secrets.token_hex(4)}" if i % 2
                else f"/hostile/{i}/{secrets.token_hex(6)}?q={i}")
        conn.request("GET", path, headers={"X-Request-Id": f"id-{i}"})
        response = conn.getresponse()
        response.read()
        assert response.status in (401, 404), (path, response.status)
    conn.close()
    after = samples(scrape(service))
    assert set(after) == set(before), sorted(set(after) ^ set(before))[:20]
    route = "/api/v1/settings/project/{project_id}"
    assert after[f'settings_http_requests_total{{code="4xx",route="{route}"}}'] == 5000
    assert after['settings_http_requests_total{code="4xx",route="unmatched"}'] == 5000


def test_connections_cache_sessions_and_group_commits_are_counted(make_service):
    service = metrics_service(make_service, SESSION_EXPIRE_HOURS="0.0003",
                              SESSION_CLEANUP_INTERVAL="1")
    user = service.client()
    user.login()
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=15)
    conn.request("GET", "/api/v1/health")
    conn.getresponse().read()  # this connection stays open
    assert eventually(service, "settings_http_connections_open", 1) == 1
    assert value(scrape(service), "settings_sessions_created_total") == 1
    assert user.put("/api/v1/settings/user", {"display": {"theme": "dark"}}).status == 200
    for _ in range(3):
        assert user.get("/api/v1/settings/user").status == 200
    text = scrape(service)
    assert value(text, "settings_storage_group_commit_writes_count") >= 1
    assert value(text, "settings_storage_group_commit_writes_sum") >= 1
    if ENGINE == "sqlite":  # the response cache serves SQLite only
        assert value(text, "settings_cache_hits_total") >= 1
        assert value(text, "settings_cache_misses_total") >= 1
    conn.close()
    # One session expires and is found so; another expires and is purged.
    time.sleep(1.5)
    assert user.get("/api/v1/settings/user").status == 401
    other = service.client()
    other.login("later")
    deadline = time.time() + 10
    while time.time() < deadline and value(scrape(service), "settings_sessions_purged_total") < 1:
        time.sleep(0.3)
    text = scrape(service)
    assert value(text, "settings_sessions_expired_total") == 1
    assert value(text, "settings_sessions_purged_total") == 1
    assert value(text, "settings_sessions_created_total") == 2
    assert eventually(service, "settings_http_connections_open", 0) == 0


def test_bad_operations_settings_are_exit_2_naming_the_variable(make_service):
    for env, name in [({"METRICS_ADDR": "9100"}, "METRICS_ADDR"),
                      ({"METRICS_ADDR": "127.0.0.1:99999"}, "METRICS_ADDR"),
                      ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
                      ({"ACCESS_LOG": "maybe"}, "ACCESS_LOG")]:
        service = make_service(env, start=False)
        assert service.run_to_exit() == 2
        assert name in service.log()


# --------------------------------------------------------------------------
# Readiness


def test_ready_is_200_while_storage_answers(service):
    reply = service.client().get("/api/v1/ready")
    assert (reply.status, reply.json) == (200, {"status": "ready"})
    assert service.client().get("/api/v1/health").json["status"] == "ok"  # liveness unchanged


@pytest.fixture
def own_cluster():
    """A PostgreSQL cluster of this test alone, to be stopped and started."""
    out = subprocess.run([CLUSTER_SCRIPT, "start"], check=True, capture_output=True,
                         text=True).stdout.split()
    yield out[0], out[1]
    subprocess.run([CLUSTER_SCRIPT, "stop", out[0]], check=False)


@pytest.mark.skipif(ENGINE == "postgresql", reason="runs once, on a cluster of its own")
def test_ready_is_503_with_the_reason_while_postgresql_is_down(own_cluster, tmp_path):
    folder, url = own_cluster
    host = Service(tmp_path, env={"METRICS_ADDR": "127.0.0.1:0"}, database_url=url).start()
    try:
        user = host.client()
        user.login("ready")
        assert user.get("/api/v1/ready").status == 200
        subprocess.run([CLUSTER_SCRIPT, "pause", folder], check=True)
        deadline = time.time() + 5
        while time.time() < deadline and user.get("/api/v1/ready").status != 503:
            time.sleep(0.1)
        reply = user.get("/api/v1/ready")
        assert reply.status == 503 and reply.header("retry-after")
        assert reply.json == {"status": "unavailable", "reason": "storage unavailable"}
        assert user.get("/api/v1/settings/user").status == 503
        text = scrape(host)
        assert value(text, 'settings_storage_errors_total{kind="unavailable"}') >= 1
        subprocess.run([CLUSTER_SCRIPT, "resume", folder], check=True)
        deadline = time.time() + 15
        while time.time() < deadline and user.get("/api/v1/ready").status != 200:
            time.sleep(0.2)
        assert user.get("/api/v1/ready").status == 200
    finally:
        host.stop()


# --------------------------------------------------------------------------
# Logs and request ids


def test_json_logs_are_one_object_per_line(make_service):
    service = make_service({"LOG_FORMAT": "json", "ACCESS_LOG": "1"})
    service.client().login()
    assert service.stop() == 0
    lines = [line for line in service.lines if line.strip()]
    assert len(lines) > 5
    for line in lines:
        entry = json.loads(line)
        assert TIMESTAMP.match(entry["ts"]), entry
        assert entry["level"] in ("debug", "info", "warn", "error"), entry
        assert entry["component"] and entry["msg"], entry
    access = [json.loads(line) for line in lines if '"component":"access"' in line]
    assert access[0]["route"] == "/api/v1/auth/dev-login" and access[0]["status"] == "200"


def test_a_request_id_is_taken_when_acceptable_else_made(service):
    client = service.client()
    assert client.get("/api/v1/health", headers={"X-Request-Id": "abc-123"}) \
        .header("x-request-id") == "abc-123"
    longest = "r" * 128
    assert client.get("/api/v1/health", headers={"X-Request-Id": longest}) \
        .header("x-request-id") == longest
    for refused in ["r" * 129, "caf\u00e9"]:
        sent = refused.encode("latin-1").decode("latin-1")
        made = client.get("/api/v1/health", headers={"X-Request-Id": sent}).header("x-request-id")
        assert re.fullmatch(r"[0-9a-f]{32}", made), made
    one = client.get("/api/v1/health").header("x-request-id")
    two = client.get("/api/v1/nothing").header("x-request-id")  # errors carry one too
    assert re.fullmatch(r"[0-9a-f]{32}", one) and re.fullmatch(r"[0-9a-f]{32}", two)
    assert one != two


def test_every_log_line_about_a_request_carries_its_id(make_service):
    service = make_service({"LOG_LEVEL": "debug", "ACCESS_LOG": "1", "LOG_FORMAT": "json"})
    client = service.client()
    client.cookie = "A" * 43  # well-formed, unknown: the store logs its lookup
    assert client.get("/api/v1/settings/user", headers={"X-Request-Id": "trace-me-1"}).status == 401
    time.sleep(0.1)
    about = [json.loads(line) for line in service.lines
             if "trace-me-1" in line or "no such session" in line or '"component":"access"' in line]
    components = {entry["component"] for entry in about}
    # The store's line on a storage thread, the host's debug line and the access line.
    assert {"sessions", "http", "access"} <= components, about
    assert all(entry.get("request_id") == "trace-me-1" for entry in about), about


def test_the_access_log_has_one_line_per_request_and_no_secrets(make_service, github):
    service = make_service({"ACCESS_LOG": "1", "LOG_LEVEL": "debug",
                            "GITHUB_CLIENT_ID": "client-1", "GITHUB_CLIENT_SECRET": "shh",
                            "GITHUB_OAUTH_URL": github.url, "GITHUB_API_URL": github.url})
    client = service.client()
    client.login()
    secret_cookie = client.cookie
    client.get("/api/v1/auth/github/callback?code=SECRETCODE42&state=SECRETSTATE42")
    client.get("/api/v1/settings/user", headers={"X-Request-Id": "one-line"})
    time.sleep(0.1)
    log = service.log()
    for secret in ["SECRETCODE42", "SECRETSTATE42", secret_cookie]:
        assert secret not in log
    access = [line for line in service.lines if " access: " in line]
    assert len(access) == 3, access
    line = next(line for line in access if "request_id=one-line" in line)
    for part in ["method=GET", "route=/api/v1/settings/user", "status=200", "duration_ms="]:
        assert part in line, line
    callback = next(line for line in access if "callback" in line)
    assert "route=/api/v1/auth/github/callback status=400" in callback


def test_no_access_log_unless_asked(service):
    service.client().get("/api/v1/health")
    time.sleep(0.1)
    assert " access: " not in service.log()


# --------------------------------------------------------------------------
# SIGTERM


@pytest.mark.skipif(ENGINE != "sqlite", reason="holds SQLite's write lock to slow a request")
def test_sigterm_refuses_new_connections_finishes_requests_in_flight_and_exits_0(make_service):
    service = make_service()
    user = service.client()
    user.login()
    holder = sqlite3.connect(service.db, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # the PUT below waits for this lock
    answer = {}

    def slow_put():
        answer["reply"] = user.put("/api/v1/settings/user", {"display": {"theme": "dark"}})

    writer = threading.Thread(target=slow_put)
    writer.start()
    time.sleep(0.5)
    service.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", service.port), timeout=2)
    assert service.process.poll() is None  # still finishing the PUT
    holder.execute("ROLLBACK")
    holder.close()
    writer.join(10)
    assert answer["reply"].status == 200, answer
    assert service.process.wait(10) == 0
    assert "shutting down" in service.log()
