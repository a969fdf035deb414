"""GET /api/v1/settings/events (revisions.md, "Live changes"): server-sent
events for every change a user may see, from any session, host or settingsctl,
with Last-Event-ID resume, the per-user limit and session-ended."""

import http.client
import json
import socket
import time

from conftest import signed_in_pair

EVENTS = "/api/v1/settings/events"
USER = "/api/v1/settings/user"
GLOBAL = "/api/v1/settings/global"


class Stream:
    """An open event stream, read event by event."""

    def __init__(self, service, cookie, last_event_id=None, path=EVENTS):
        self.conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=20)
        headers = {"Cookie": f"session_id={cookie}"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", path, headers=headers)
        # Kept: http.client lets go of the socket of a response that ends with the
        # connection.
        self.sock = self.conn.sock
        self.response = self.conn.getresponse()
        self.status = self.response.status

    def next(self, timeout=5):
        """The next event as (name, id, data), or a ("ping", None, None) comment."""
        self.sock.settimeout(timeout)
        fields = {}
        while True:
            line = self.response.fp.readline().decode()
            if line == "":
                return ("closed", None, None)
            line = line.rstrip("\n")
            if line == "":
                if fields:
                    data = fields.get("data")
                    return (fields.get("event", "message"), fields.get("id"),
                            json.loads(data) if data else None)
                continue
            if line.startswith(":"):
                return ("ping", None, None)
            name, _, value = line.partition(": ")
            fields[name] = value

    def next_settings(self, timeout=5):
        while True:
            event = self.next(timeout)
            if event[0] != "ping":
                return event

    def close(self):
        self.response.close()
        self.sock.close()


def signed_in(service, username):
    client = service.client()
    client.login(username)
    return client


def test_a_stream_is_text_event_stream_and_needs_a_session(service):
    user = signed_in(service, "octocat")
    stream = Stream(service, user.cookie)
    assert stream.status == 200
    assert stream.response.getheader("content-type") == "text/event-stream"
    assert stream.response.getheader("cache-control") == "no-store"
    stream.close()
    assert Stream(service, "A" * 43).status == 401


def test_changes_from_other_sessions_and_globals_arrive_others_do_not(service):
    admin = signed_in(service, "admin")  # the first to sign in: the admin
    user = signed_in(service, "octocat")
    other_tab = service.client()
    other_tab.cookie = user.cookie
    stranger = signed_in(service, "stranger")
    stream = Stream(service, user.cookie)

    assert stranger.put(USER, {"ai": {"temperature": 0.1}}).status == 200
    assert other_tab.put(USER, {"ai": {"temperature": 1.1},
                                "display": {"theme": "dark"}}).status == 200
    name, first_id, data = stream.next_settings()
    assert name == "settings"
    assert data == {"scope": "user", "revisions": {"user": 1},
                    "fields": ["ai.temperature", "display.theme"]}
    assert admin.put(GLOBAL, {"display": {"theme": "dark"}}).status == 200
    name, second_id, data = stream.next_settings()
    assert data == {"scope": "global", "revisions": {"global": 2}, "fields": ["display.theme"]}
    assert int(second_id) > int(first_id)
    assert user.put("/api/v1/settings/project/P1",
                    {"board_display_config": {"show_estimates": True}}).status == 200
    _, _, data = stream.next_settings()
    assert data == {"scope": "project", "project_id": "P1", "revisions": {"project": 1},
                    "fields": ["board_display_config"]}
    stream.close()


def test_last_event_id_resumes_and_nonsense_is_ignored(service):
    user = signed_in(service, "octocat")
    first = Stream(service, user.cookie)
    for value in (0.1, 0.2, 0.3):
        assert user.put(USER, {"ai": {"temperature": value}}).status == 200
    ids = [first.next_settings()[1] for _ in range(3)]
    first.close()
    resumed = Stream(service, user.cookie, last_event_id=ids[0])
    assert [resumed.next_settings()[1] for _ in range(2)] == ids[1:]
    resumed.close()
    by_query = Stream(service, user.cookie, path=f"{EVENTS}?last_event_id={ids[1]}")
    assert by_query.next_settings()[1] == ids[2]
    by_query.close()
    fresh = Stream(service, user.cookie, last_event_id="not-a-number")
    assert user.put(USER, {"ai": {"temperature": 0.4}}).status == 200
    _, event_id, data = fresh.next_settings()
    assert int(event_id) > int(ids[2]) and data["revisions"] == {"user": 4}
    fresh.close()


def test_at_most_16_streams_per_user(service):
    user = signed_in(service, "octocat")
    streams = [Stream(service, user.cookie) for _ in range(16)]
    assert all(s.status == 200 for s in streams)
    refused = Stream(service, user.cookie)
    assert refused.status == 429
    other = Stream(service, signed_in(service, "someone").cookie)
    assert other.status == 200
    # A stream its client closes frees its place at once, not at its next ping.
    streams[0].close()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        again = Stream(service, user.cookie)
        if again.status == 200:
            break
        again.close()
        time.sleep(0.05)
    assert again.status == 200
    for s in streams[1:] + [again, other]:
        s.close()


def test_a_logout_ends_the_stream_with_session_ended(service):
    user = signed_in(service, "octocat")
    stream = Stream(service, user.cookie)
    assert user.post("/api/v1/auth/logout", {}).status in (200, 204)
    # Checked at the next ping, at most 15 s later.
    assert stream.next_settings(timeout=20)[0] == "session-ended"
    assert stream.next(timeout=5)[0] == "closed"


def test_sigterm_tells_streams_to_retry(service):
    user = signed_in(service, "octocat")
    stream = Stream(service, user.cookie)
    service.process.send_signal(15)
    event = []
    while True:
        line = stream.response.fp.readline().decode()
        if line == "":
            break
        event.append(line.strip())
    assert "retry: 1000" in event
    assert service.process.wait(timeout=15) == 0


def test_a_change_on_another_host_reaches_the_stream(hosts):
    host_a, host_b = hosts(2)
    on_a, on_b = signed_in_pair(host_a, host_b, "octocat")
    stream = Stream(host_a, on_a.cookie)
    started = time.monotonic()
    assert on_b.put(USER, {"display": {"theme": "dark"}}).status == 200
    _, _, data = stream.next_settings()
    assert data["fields"] == ["display.theme"]
    assert time.monotonic() - started < 2
    stream.close()
