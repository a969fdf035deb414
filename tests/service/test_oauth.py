"""The GitHub login end to end against a fake GitHub on 127.0.0.1."""

import os
import socket
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import BINARY, ENGINE, FRONTEND, query_of


@pytest.fixture
def oauth_service(make_service, github):
    return make_service(env={"GITHUB_CLIENT_ID": "client-123", "GITHUB_CLIENT_SECRET": "secret",
                             "GITHUB_OAUTH_URL": github.url + "/",
                             "GITHUB_API_URL": github.url})


def start_login(client):
    reply = client.get("/api/v1/auth/github")
    assert reply.status == 302
    return reply.header("location")


def test_login_redirects_to_github_with_a_state(oauth_service, github):
    location = start_login(oauth_service.client())
    assert location.startswith(github.url + "/login/oauth/authorize?")
    query = query_of(location)
    assert query["client_id"] == "client-123"
    # read:project lets GET /github/projects list the user's boards.
    assert query["scope"] == "read:user read:project"
    assert len(query["state"]) >= 43


def test_callback_creates_a_session_and_redirects_to_the_frontend(oauth_service, github):
    client = oauth_service.client()
    state = query_of(start_login(client))["state"]
    reply = client.get(f"/api/v1/auth/github/callback?code=good-code&state={state}")
    assert reply.status == 302
    assert reply.header("location") == FRONTEND + "/"
    assert client.cookie
    me = client.get("/api/v1/auth/me")
    assert me.json == {"github_user_id": "583231", "github_username": "octocat",
                       "github_avatar_url": "https://avatars/u/1", "selected_project_id": None,
                       "is_admin": True}
    path, headers, body = github.token_requests[-1]
    assert body == {"client_id": "client-123", "client_secret": "secret", "code": "good-code"}
    assert headers["Accept"] == "application/json"


def test_a_state_works_once(oauth_service):
    client = oauth_service.client()
    state = query_of(start_login(client))["state"]
    assert client.get(f"/api/v1/auth/github/callback?code=good-code&state={state}").status == 302
    replay = oauth_service.client().get(f"/api/v1/auth/github/callback?code=good-code&state={state}")
    assert replay.status == 400
    assert replay.json["error"]


def test_unknown_or_missing_state_is_400(oauth_service):
    client = oauth_service.client()
    assert client.get("/api/v1/auth/github/callback?code=good-code&state=made-up").status == 400
    assert client.get("/api/v1/auth/github/callback?code=good-code").status == 400
    assert client.cookie is None


def test_a_code_github_rejects_is_401(oauth_service):
    client = oauth_service.client()
    state = query_of(start_login(client))["state"]
    reply = client.get(f"/api/v1/auth/github/callback?code=bad-code&state={state}")
    assert reply.status == 401
    assert client.cookie is None


def test_github_unreachable_is_502(make_service):
    service = make_service(env={"GITHUB_CLIENT_ID": "c", "GITHUB_CLIENT_SECRET": "s",
                                "GITHUB_OAUTH_URL": "http://127.0.0.1:9",
                                "GITHUB_API_URL": "http://127.0.0.1:9"})
    client = service.client()
    state = query_of(start_login(client))["state"]
    assert client.get(f"/api/v1/auth/github/callback?code=x&state={state}").status == 502


@pytest.mark.skipif(ENGINE == "postgresql",
                    reason="reads the SQLite file; libsession's suite checks the PostgreSQL rows")
def test_tokens_are_encrypted_when_a_key_is_set(make_service, github):
    service = make_service(env={"GITHUB_CLIENT_ID": "c", "GITHUB_CLIENT_SECRET": "s",
                                "GITHUB_OAUTH_URL": github.url, "GITHUB_API_URL": github.url,
                                "TOKEN_ENCRYPTION_KEY":
                                    "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="})
    client = service.client()
    state = query_of(start_login(client))["state"]
    assert client.get(f"/api/v1/auth/github/callback?code=good-code&state={state}").status == 302
    assert client.get("/api/v1/auth/me").status == 200
    service.stop()
    data = service.db.read_bytes()
    wal = service.db.with_name("settings.db-wal")
    if wal.exists():
        data += wal.read_bytes()
    assert b"gho_fake_token_1" not in data
    assert "TOKEN_ENCRYPTION_KEY is not set" not in service.log()


def project(node_id, title, owner, closed=False):
    return {"id": node_id, "title": title, "url": f"https://github.com/users/{owner}/projects/1",
            "closed": closed, "owner": {"login": owner}}


# --------------------------------------------------------------------------
# The state is bound to the browser that started the login (login CSRF)


def callback(client, state, code="good-code"):
    return client.get(f"/api/v1/auth/github/callback?code={code}&state={state}")


def test_starting_a_login_sets_a_short_lived_cookie(oauth_service):
    reply = oauth_service.client().get("/api/v1/auth/github")
    assert reply.status == 302
    [cookie] = [c for c in reply.all("set-cookie") if c.startswith("oauth_login=")]
    value, *attributes = [part.strip() for part in cookie.split(";")]
    assert len(value.removeprefix("oauth_login=")) >= 43
    assert sorted(attributes) == sorted(["HttpOnly", "SameSite=Lax", "Path=/api/v1/auth",
                                         "Max-Age=600"])


def test_the_login_cookie_is_secure_with_cookie_secure(make_service, github):
    service = make_service(env={"GITHUB_CLIENT_ID": "c", "GITHUB_CLIENT_SECRET": "s",
                                "GITHUB_OAUTH_URL": github.url, "GITHUB_API_URL": github.url,
                                "COOKIE_SECURE": "1"})
    reply = service.client().get("/api/v1/auth/github")
    [cookie] = [c for c in reply.all("set-cookie") if c.startswith("oauth_login=")]
    assert "; Secure" in cookie


def test_a_state_from_another_browser_is_400_and_github_is_never_called(oauth_service, github):
    victim, attacker = oauth_service.client(), oauth_service.client()
    state = query_of(start_login(attacker))["state"]
    # The victim's browser is sent to the callback with the attacker's state:
    # without a login cookie, and with the cookie of a login of its own.
    assert callback(victim, state).status == 400
    start_login(victim)
    refused = callback(victim, state)
    assert refused.status == 400
    assert refused.json["error"]
    assert victim.cookie is None
    # A made-up cookie is no better.
    forged = oauth_service.client()
    forged.login_cookie = "A" * 43
    assert callback(forged, state).status == 400
    assert github.token_requests == []
    # The state still belongs to the browser that started it.
    assert callback(attacker, state).status == 302
    assert len(github.token_requests) == 1


def test_the_callback_clears_the_login_cookie(oauth_service):
    for code, status in [("good-code", 302), ("bad-code", 401)]:
        client = oauth_service.client()
        state = query_of(start_login(client))["state"]
        reply = callback(client, state, code)
        assert reply.status == status
        [cookie] = [c for c in reply.all("set-cookie") if c.startswith("oauth_login=")]
        assert cookie.startswith("oauth_login=;") and "Max-Age=0" in cookie
        assert "Path=/api/v1/auth" in cookie
        assert client.login_cookie is None
    refused = oauth_service.client().get("/api/v1/auth/github/callback?code=x&state=y")
    assert refused.status == 400
    assert any(c.startswith("oauth_login=;") for c in refused.all("set-cookie"))


# --------------------------------------------------------------------------
# Logins cannot crowd each other out, and GitHub is not flooded


@pytest.fixture
def proxied_service(make_service, github):
    """Behind a proxy: clients are told apart by X-Forwarded-For."""
    return make_service(env={"GITHUB_CLIENT_ID": "c", "GITHUB_CLIENT_SECRET": "s",
                             "GITHUB_OAUTH_URL": github.url, "GITHUB_API_URL": github.url,
                             "TRUST_X_FORWARDED_FOR": "1"})


def start_from(service, address):
    """A browser that started a login from `address`: (client, state)."""
    client = service.client()
    reply = client.get("/api/v1/auth/github", headers={"X-Forwarded-For": f"10.9.9.9, {address}"})
    assert reply.status == 302, reply
    return client, query_of(reply.header("location"))["state"]


def test_login_starts_are_limited_per_client_address(oauth_service):
    client = oauth_service.client()
    for _ in range(10):
        assert client.get("/api/v1/auth/github").status == 302
    refused = client.get("/api/v1/auth/github")
    assert refused.status == 429
    assert 1 <= int(refused.header("retry-after")) <= 60
    assert refused.json["error"]
    # Without a trusted proxy in front, X-Forwarded-For changes nothing.
    spoofed = client.get("/api/v1/auth/github", headers={"X-Forwarded-For": "10.1.2.3"})
    assert spoofed.status == 429
    # Dev login, a development aid, is not limited.
    for i in range(15):
        oauth_service.client().login(f"dev-{i}")


def test_behind_a_proxy_each_client_has_its_own_limit(proxied_service):
    for _ in range(10):
        start_from(proxied_service, "203.0.113.7")
    crowd = proxied_service.client()
    assert crowd.get("/api/v1/auth/github",
                     headers={"X-Forwarded-For": "203.0.113.7"}).status == 429
    # One IPv6 subscriber (a /64) counts as one client.
    for i in range(10):
        start_from(proxied_service, f"2001:db8:0:1::{i + 1}")
    assert crowd.get("/api/v1/auth/github",
                     headers={"X-Forwarded-For": "2001:db8:0:1::ffff"}).status == 429
    start_from(proxied_service, "198.51.100.1")


def test_a_flood_of_login_starts_does_not_evict_another_clients_login(proxied_service, github):
    browser, state = start_from(proxied_service, "198.51.100.20")
    flooder = proxied_service.client()
    statuses = {}
    for _ in range(300):
        status = flooder.get("/api/v1/auth/github",
                             headers={"X-Forwarded-For": "203.0.113.66"}).status
        statuses[status] = statuses.get(status, 0) + 1
    assert statuses == {302: 10, 429: 290}
    assert callback(browser, state).status == 302


def test_at_most_16_calls_to_github_at_once(proxied_service, github):
    logins = [start_from(proxied_service, f"192.0.2.{i // 10 + 1}") for i in range(20)]
    github.gate = threading.Event()
    results = []

    def finish(client, state):
        results.append(callback(client, state).status)

    workers = [threading.Thread(target=finish, args=login) for login in logins]
    for w in workers:
        w.start()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and len(github.token_requests) < 16:
        time.sleep(0.02)
    time.sleep(0.5)  # time for any 17th call to arrive, if it were let through
    assert github.in_flight == 16
    assert len(github.token_requests) == 16
    github.gate.set()
    for w in workers:
        w.join(20)
    # The four that waited had their turn once calls ended.
    assert results == [302] * 20
    assert github.max_in_flight == 16


def test_a_github_that_never_answers_times_out_after_10_seconds(make_service):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts (in the kernel), never answers
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    try:
        service = make_service(env={"GITHUB_CLIENT_ID": "c", "GITHUB_CLIENT_SECRET": "s",
                                    "GITHUB_OAUTH_URL": url, "GITHUB_API_URL": url})
        client = service.client()
        state = query_of(start_login(client))["state"]
        started = time.monotonic()
        reply = callback(client, state)
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert reply.status == 502
    assert 9.5 <= elapsed <= 11.5, elapsed


# --------------------------------------------------------------------------
# Secrets from files, and tokens at rest

KEY_A = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
KEY_B = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
SETTINGSCTL = os.environ.get(
    "SETTINGSCTL_BINARY",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(BINARY))),
                 "tools", "settingsctl", "settingsctl"))


def github_env(github, **extra):
    return {"GITHUB_CLIENT_ID": "c", "GITHUB_CLIENT_SECRET": "s", "GITHUB_OAUTH_URL": github.url,
            "GITHUB_API_URL": github.url, **extra}


def github_login(service):
    client = service.client()
    state = query_of(start_login(client))["state"]
    assert callback(client, state).status == 302
    return client


def test_github_projects_lists_open_projects_of_the_user_and_their_organisations(
        oauth_service, github):
    github.viewer = {
        "projectsV2": {"nodes": [project("PVT_mine", "Roadmap", "octocat"),
                                 project("PVT_old", "Old board", "octocat", closed=True), None]},
        "organizations": {"nodes": [
            {"projectsV2": {"nodes": [project("PVT_org", "Team board", "octo-org"),
                                      project("PVT_mine", "Roadmap", "octocat")]}}]}}
    client = github_login(oauth_service)
    reply = client.get("/api/v1/github/projects")
    assert reply.status == 200
    assert reply.json == {"projects": [
        {"id": "PVT_mine", "title": "Roadmap", "owner": "octocat",
         "url": "https://github.com/users/octocat/projects/1"},
        {"id": "PVT_org", "title": "Team board", "owner": "octo-org",
         "url": "https://github.com/users/octo-org/projects/1"}]}
    token, body = github.graphql_requests[-1]
    assert token == "gho_fake_token_1" and "projectsV2" in body["query"]

    # Cached for a minute per user: a second look does not ask GitHub again.
    assert client.get("/api/v1/github/projects").json == reply.json
    assert len(github.graphql_requests) == 1


def test_github_projects_need_a_session_and_are_empty_for_dev_login(oauth_service, github):
    assert oauth_service.client().get("/api/v1/github/projects").status == 401
    client = oauth_service.client()
    client.login()
    reply = client.get("/api/v1/github/projects")
    assert (reply.status, reply.json) == (200, {"projects": []})
    assert github.graphql_requests == []


def test_a_token_github_refuses_without_refresh_token_is_github_token_invalid(
        oauth_service, github):
    client = github_login(oauth_service)
    github.revoked.add("gho_fake_token_1")
    reply = client.get("/api/v1/github/projects")
    assert reply.status == 401
    assert reply.json["error"] == "github_token_invalid"
    # The session itself stays: only GitHub's token is bad.
    assert client.get("/api/v1/auth/me").status == 200


def test_a_refused_token_is_refreshed_once_and_the_session_keeps_the_new_one(
        make_service, github, tmp_path):
    env = {"GITHUB_CLIENT_ID": "client-123", "GITHUB_CLIENT_SECRET": "secret",
           "GITHUB_OAUTH_URL": github.url, "GITHUB_API_URL": github.url}
    github.refresh_token = "ghr_refresh_1"
    github.refresh_tokens["ghr_refresh_1"] = "gho_fresh_token"
    github.viewer["projectsV2"]["nodes"] = [project("PVT_mine", "Roadmap", "octocat")]
    service = make_service(env=env)
    client = github_login(service)
    github.revoked.add("gho_fake_token_1")
    reply = client.get("/api/v1/github/projects")
    assert reply.status == 200 and [p["id"] for p in reply.json["projects"]] == ["PVT_mine"]
    assert [t for t, _ in github.graphql_requests] == ["gho_fake_token_1", "gho_fresh_token"]
    path, _, body = github.token_requests[-1]
    assert body == {"client_id": "client-123", "client_secret": "secret",
                    "grant_type": "refresh_token", "refresh_token": "ghr_refresh_1"}

    # After a restart (no cache), the stored session already has the new token.
    service.restart()
    cookie, client = client.cookie, service.client()
    client.cookie = cookie
    refreshes = len(github.token_requests)
    assert client.get("/api/v1/github/projects").status == 200
    assert github.graphql_requests[-1][0] == "gho_fresh_token"
    assert len(github.token_requests) == refreshes


def test_an_expired_token_is_refreshed_before_it_is_used(oauth_service, github):
    github.refresh_token = "ghr_refresh_2"
    github.refresh_tokens["ghr_refresh_2"] = "gho_renewed"
    github.expires_in = 1
    client = github_login(oauth_service)
    time.sleep(1.2)
    assert client.get("/api/v1/github/projects").status == 200
    assert [t for t, _ in github.graphql_requests] == ["gho_renewed"]


def test_a_refresh_github_refuses_is_github_token_invalid(oauth_service, github):
    github.refresh_token = "ghr_unknown"
    client = github_login(oauth_service)
    github.revoked.add("gho_fake_token_1")
    reply = client.get("/api/v1/github/projects")
    assert (reply.status, reply.json["error"]) == (401, "github_token_invalid")


def test_github_projects_when_github_is_down_is_502(oauth_service, github):
    client = github_login(oauth_service)
    github.close()
    reply = client.get("/api/v1/github/projects")
    assert reply.status == 502 and reply.json["error"]


def stored_tokens(service):
    if ENGINE == "postgresql":
        out = subprocess.run(["psql", "-At", "-F", "|", service.env["DATABASE_URL"], "-c",
                              "SELECT access_token FROM user_sessions"],
                             check=True, capture_output=True, text=True).stdout
        return out.split()
    db = sqlite3.connect(service.db)
    try:
        return [row[0] for row in db.execute("SELECT access_token FROM user_sessions")]
    finally:
        db.close()


def wait_for_token_pass(service):
    """The pass over the stored tokens runs in the background after start-up."""
    deadline = time.monotonic() + 10
    while "checked the stored OAuth tokens" not in service.log():
        assert time.monotonic() < deadline, "the token pass did not finish"
        time.sleep(0.05)


def test_secrets_can_come_from_files(make_service, github, tmp_path):
    (tmp_path / "secret").write_text("secret-from-a-file\n")
    (tmp_path / "key").write_text(KEY_A + "\n")
    env = github_env(github, GITHUB_CLIENT_SECRET_FILE=str(tmp_path / "secret"))
    del env["GITHUB_CLIENT_SECRET"]
    service = make_service(env=env, args=["--token-encryption-key-file", str(tmp_path / "key")])
    github_login(service)
    assert github.token_requests[-1][2]["client_secret"] == "secret-from-a-file"
    assert all(token.startswith("enc:v1:") for token in stored_tokens(service))
    assert "TOKEN_ENCRYPTION_KEY is not set" not in service.log()


def test_plain_tokens_are_encrypted_at_start_once_a_key_is_set(make_service, github):
    service = make_service(env=github_env(github))
    browsers = [github_login(service) for _ in range(3)]
    assert stored_tokens(service) == ["gho_fake_token_1"] * 3
    service.stop()
    service.env["TOKEN_ENCRYPTION_KEY"] = KEY_A
    service.start()
    wait_for_token_pass(service)
    assert "encrypted the OAuth tokens of 3 sessions" in service.log()
    tokens = stored_tokens(service)
    assert len(tokens) == 3 and all(t.startswith("enc:v1:") for t in tokens), tokens
    for browser in browsers:
        browser.port = service.port
        assert browser.get("/api/v1/auth/me").status == 200
    service.restart()
    wait_for_token_pass(service)
    assert "encrypted the OAuth tokens" not in service.log()  # nothing left to do


def test_tokens_no_key_opens_are_one_warning_per_start(make_service, github):
    service = make_service(env=github_env(github, TOKEN_ENCRYPTION_KEY=KEY_A))
    browsers = [github_login(service) for _ in range(2)]
    service.stop()
    service.env["TOKEN_ENCRYPTION_KEY"] = KEY_B
    service.start()
    wait_for_token_pass(service)
    for browser in browsers:
        browser.port = service.port
        assert browser.get("/api/v1/auth/me").status == 401
    warnings = [line for line in service.lines if "WARN" in line and "OAuth tokens" in line]
    assert len(warnings) == 1, warnings
    assert "2 sessions" in warnings[0]


def test_rotating_the_key_while_the_service_runs(make_service, github, tmp_path):
    (tmp_path / "a").write_text(KEY_A)
    (tmp_path / "b").write_text(KEY_B + "\n")
    service = make_service(env=github_env(github, TOKEN_ENCRYPTION_KEY_FILE=str(tmp_path / "a")))
    browsers = [github_login(service) for _ in range(3)]
    before = stored_tokens(service)
    result = subprocess.run([SETTINGSCTL, "rotate-token-key", "--old-key-file",
                             str(tmp_path / "a"), "--new-key-file", str(tmp_path / "b")],
                            env=service.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result
    assert "re-encrypted the tokens of 3 sessions" in result.stdout
    after = stored_tokens(service)
    assert len(after) == 3 and set(after).isdisjoint(before)
    assert service.client().get("/api/v1/health").status == 200  # it ran alongside
    service.stop()
    service.env["TOKEN_ENCRYPTION_KEY_FILE"] = str(tmp_path / "b")
    service.start()
    for browser in browsers:
        browser.port = service.port
        assert browser.get("/api/v1/auth/me").json["github_username"] == "octocat"
    assert "OAuth tokens that" not in service.log()
    # Keys that open nothing are reported: exit 1.
    again = subprocess.run([SETTINGSCTL, "rotate-token-key", "--old-key-file",
                            str(tmp_path / "a"), "--new-key-file", str(tmp_path / "a")],
                           env=service.env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "3 sessions" in again.stdout, again


def test_a_login_that_waits_too_long_for_github_is_503(proxied_service, github):
    logins = [start_from(proxied_service, f"192.0.2.{i // 10 + 1}") for i in range(17)]
    github.gate = threading.Event()
    results = {}

    def finish(i, client, state):
        started = time.monotonic()
        reply = callback(client, state)
        results[i] = (reply.status, reply.header("retry-after"), time.monotonic() - started)

    workers = [threading.Thread(target=finish, args=(i, *login)) for i, login in enumerate(logins)]
    for w in workers:
        w.start()
    try:
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and len(results) < 1:
            time.sleep(0.05)
        # The 17th waited its 5 s for a slot, in vain.
        assert len(results) == 1, results
        [(status, retry_after, seconds)] = results.values()
        assert (status, retry_after) == (503, "1")
        assert 4.5 <= seconds <= 7, seconds
    finally:
        github.gate.set()
        for w in workers:
            w.join(20)
    assert sorted(status for status, _, _ in results.values()) == [302] * 16 + [503]
