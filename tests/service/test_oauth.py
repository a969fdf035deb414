"""The GitHub login end to end against a fake GitHub on 127.0.0.1."""

import time

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


def github_login(service):
    client = service.client()
    state = query_of(start_login(client))["state"]
    assert client.get(f"/api/v1/auth/github/callback?code=good-code&state={state}").status == 302
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
