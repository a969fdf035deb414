"""The GitHub login end to end against a fake GitHub on 127.0.0.1."""

import pytest

from conftest import ENGINE, FRONTEND, query_of


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
