"""Every endpoint of openapi.yaml against a running settings-service."""

import json

from conftest import ENGINE, FRONTEND

USER_PATHS = [
    "ai.provider", "ai.model", "ai.temperature", "display.theme", "display.default_view",
    "display.sidebar_collapsed", "workflow.default_repository", "workflow.default_assignee",
    "workflow.copilot_polling_interval", "notifications.task_status_change",
    "notifications.agent_completion", "notifications.new_recommendation",
    "notifications.chat_mention",
]


def error_fields(reply):
    return [d["field"] for d in reply.json["details"]]


def test_health_answers_without_a_session(client):
    reply = client.get("/api/v1/health")
    assert reply.status == 200
    engine = "postgresql" if ENGINE == "postgresql" else "sqlite"
    assert reply.json == {"status": "ok", "schema_version": 5, "storage": engine,
                          "dev_login": True}
    assert reply.header("content-type") == "application/json"
    assert reply.header("cache-control") == "no-store"
    assert reply.header("x-content-type-options") == "nosniff"


def test_every_settings_endpoint_needs_a_session(client):
    for method, path in [("GET", "/api/v1/auth/me"), ("PUT", "/api/v1/auth/session"),
                         ("GET", "/api/v1/settings/user"), ("PUT", "/api/v1/settings/user"),
                         ("GET", "/api/v1/settings/global"), ("PUT", "/api/v1/settings/global"),
                         ("GET", "/api/v1/settings/projects"),
                         ("GET", "/api/v1/settings/project/P1"),
                         ("PUT", "/api/v1/settings/project/P1")]:
        reply = client.request(method, path, body={} if method == "PUT" else None)
        assert reply.status == 401, (method, path, reply)
        assert reply.json["error"]
    client.cookie = "A" * 43
    assert client.get("/api/v1/settings/user").status == 401


def test_dev_login_sets_the_cookie_and_me_answers(client):
    user = client.login("octocat", avatar_url="https://example.com/a.png")
    assert user == {"github_user_id": user["github_user_id"], "github_username": "octocat",
                    "github_avatar_url": "https://example.com/a.png", "selected_project_id": None,
                    "is_admin": True}  # the first user to sign in
    assert client.cookie and len(client.cookie) == 43
    me = client.get("/api/v1/auth/me")
    assert me.status == 200
    assert me.json == user
    again = client.login("octocat")
    assert again["github_user_id"] == user["github_user_id"]  # stable id per username


def test_session_cookie_attributes(client):
    reply = client.post("/api/v1/auth/dev-login", {"username": "octocat"})
    cookie = reply.header("set-cookie")
    assert cookie.startswith("session_id=")
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"]:
        assert attribute in cookie
    assert "Secure" not in cookie


def test_dev_login_validates_its_body(client):
    reply = client.post("/api/v1/auth/dev-login", {"username": "", "extra": 1})
    assert reply.status == 422
    assert sorted(error_fields(reply)) == ["extra", "username"]
    assert client.post("/api/v1/auth/dev-login", {}).status == 422
    assert client.post("/api/v1/auth/dev-login", {"username": "x" * 40}).status == 422


def test_user_settings_defaults_with_sources(user):
    reply = user.get("/api/v1/settings/user")
    assert reply.status == 200
    body = reply.json
    assert body["ai"] == {"provider": "copilot", "model": "gpt-4o", "temperature": 0.7}
    assert body["display"] == {"theme": "light", "default_view": "chat",
                               "sidebar_collapsed": False}
    assert body["workflow"] == {"default_repository": None, "default_assignee": "",
                                "copilot_polling_interval": 60}
    assert all(body["notifications"].values()) and len(body["notifications"]) == 4
    assert sorted(body["sources"]) == sorted(USER_PATHS)
    assert set(body["sources"].values()) == {"global"}


def test_user_put_is_partial_and_null_resets(user):
    reply = user.put("/api/v1/settings/user", {"ai": {"temperature": 1.5},
                                               "display": {"theme": "dark"}})
    assert reply.status == 200
    assert reply.json["ai"]["temperature"] == 1.5
    assert reply.json["sources"]["display.theme"] == "user"
    reply = user.put("/api/v1/settings/user", {"workflow": {"default_assignee": "octocat"}})
    assert reply.json["display"]["theme"] == "dark"  # absent: unchanged
    reply = user.put("/api/v1/settings/user", {"display": {"theme": None}})
    assert reply.json["display"]["theme"] == "light"
    assert reply.json["sources"]["display.theme"] == "global"
    assert reply.json["ai"]["temperature"] == 1.5
    reply = user.put("/api/v1/settings/user", {"ai": None})
    assert reply.json["ai"]["temperature"] == 0.7
    assert user.get("/api/v1/settings/user").json == reply.json


def test_user_put_reports_every_bad_field_and_writes_nothing(user):
    before = user.get("/api/v1/settings/user").json
    reply = user.put("/api/v1/settings/user", {
        "ai": {"temperature": 3, "model": "", "foo": 1},
        "display": {"sidebar_collapsed": "true"},
        "workflow": {"copilot_polling_interval": 30.0, "default_repository": "bad repo"},
        "notifications": {"chat_mention": 1},
        "theme": "dark",
    })
    assert reply.status == 422
    assert sorted(error_fields(reply)) == sorted([
        "ai.temperature", "ai.model", "ai.foo", "display.sidebar_collapsed",
        "workflow.copilot_polling_interval", "workflow.default_repository",
        "notifications.chat_mention", "theme"])
    assert all(d["message"] for d in reply.json["details"])
    assert user.get("/api/v1/settings/user").json == before


def test_every_422_detail_has_a_code_and_its_limits(user):
    reply = user.put("/api/v1/settings/user", {
        "ai": {"temperature": 3, "model": "", "provider": "openai", "foo": 1},
        "display": {"sidebar_collapsed": "true"},
        "workflow": {"default_repository": "bad repo"},
    })
    assert reply.status == 422
    details = {d["field"]: d for d in reply.json["details"]}
    assert {field: d["code"] for field, d in details.items()} == {
        "ai.temperature": "out_of_range", "ai.model": "required", "ai.provider": "not_allowed",
        "ai.foo": "unknown_field", "display.sidebar_collapsed": "wrong_type",
        "workflow.default_repository": "bad_format"}
    assert (details["ai.temperature"]["min"], details["ai.temperature"]["max"]) == (0, 2)
    assert details["ai.provider"]["allowed"] == ["copilot", "azure_openai"]
    assert "allowed" not in details["ai.temperature"] and "min" not in details["ai.foo"]

    reply = user.put("/api/v1/settings/project/" + "p" * 129, {})
    assert [(d["field"], d["code"], d.get("max")) for d in reply.json["details"]] == [
        ("project_id", "too_long", 128)]


def test_global_settings_read_and_partial_update(user):
    reply = user.get("/api/v1/settings/global")
    assert reply.status == 200
    assert reply.json["allowed_models"] == []
    assert "sources" not in reply.json
    reply = user.put("/api/v1/settings/global", {"ai": {"model": "o1"},
                                                 "allowed_models": ["o1", "gpt-4o"],
                                                 "workflow": {"default_repository": "octo/repo"}})
    assert reply.status == 200
    assert reply.json["ai"]["model"] == "o1"
    assert reply.json["workflow"]["default_repository"] == "octo/repo"
    # Another user sees the change on the next fetch (SET-6).
    other = type(user)(user.port)
    other.login("hubot")
    assert other.get("/api/v1/settings/user").json["ai"]["model"] == "o1"
    reply = user.put("/api/v1/settings/global", {"workflow": {"default_repository": None}})
    assert reply.json["workflow"]["default_repository"] is None


def test_global_put_refuses_nulls_and_models_outside_the_list(user):
    reply = user.put("/api/v1/settings/global", {"ai": {"model": None}, "display": None})
    assert reply.status == 422
    assert sorted(error_fields(reply)) == ["ai.model", "display"]
    assert user.put("/api/v1/settings/global", {"allowed_models": ["o1"]}).status == 422
    user.put("/api/v1/settings/global", {"allowed_models": ["gpt-4o", "o1"]})
    reply = user.put("/api/v1/settings/user", {"ai": {"model": "o3"}})
    assert reply.status == 422 and error_fields(reply) == ["ai.model"]
    assert user.put("/api/v1/settings/user", {"ai": {"model": "o1"}}).status == 200


def test_project_settings_round_trip_and_isolation(user):
    board = {"column_order": ["Backlog", "Ready", "Done"], "collapsed_columns": ["Done"],
             "show_estimates": True}
    mappings = {"Backlog": [{"slug": "speckit.specify", "display_name": "Spec Kit - Specify"}],
                "Ready": [{"slug": "speckit.plan"}]}
    reply = user.put("/api/v1/settings/project/PVT_kwDOABCD1234",
                     {"board_display_config": board, "agent_pipeline_mappings": mappings})
    assert reply.status == 200
    project = reply.json["project"]
    assert project == {"project_id": "PVT_kwDOABCD1234", "board_display_config": board,
                       "agent_pipeline_mappings": mappings}
    assert reply.json["sources"]["project.board_display_config"] == "project"
    assert reply.json["ai"]["model"] == "gpt-4o"

    other_project = user.get("/api/v1/settings/project/PVT_other")
    assert other_project.status == 200
    assert other_project.json["project"]["board_display_config"] is None
    assert other_project.json["sources"]["project.board_display_config"] == "global"

    reply = user.put("/api/v1/settings/project/PVT_kwDOABCD1234", {"board_display_config": None})
    assert reply.json["project"]["board_display_config"] is None
    assert reply.json["project"]["agent_pipeline_mappings"] == mappings

    projects = user.get("/api/v1/settings/projects")
    assert projects.status == 200
    assert [p["project_id"] for p in projects.json["projects"]] == ["PVT_kwDOABCD1234"]
    assert projects.json["projects"][0]["updated_at"].endswith("Z")

    stranger = type(user)(user.port)
    stranger.login("hubot")
    assert stranger.get("/api/v1/settings/projects").json == {"projects": []}
    assert stranger.get("/api/v1/settings/project/PVT_kwDOABCD1234").json["project"][
        "agent_pipeline_mappings"] is None


def test_project_errors_name_their_paths(user):
    reply = user.put("/api/v1/settings/project/PVT_1", {
        "board_display_config": {"column_order": ["ok", ""], "colour": 1},
        "agent_pipeline_mappings": {"Backlog": [{"display_name": "x"}]}})
    assert reply.status == 422
    assert sorted(error_fields(reply)) == sorted([
        "board_display_config.column_order[1]", "board_display_config.colour",
        "agent_pipeline_mappings.Backlog[0].slug"])
    reply = user.get("/api/v1/settings/project/" + "a" * 129)
    assert reply.status == 422 and error_fields(reply) == ["project_id"]
    reply = user.put("/api/v1/settings/project/bad.id", {"board_display_config": {}})
    assert reply.status == 422 and error_fields(reply) == ["project_id"]


def test_session_project_selection(user):
    reply = user.put("/api/v1/auth/session", {"selected_project_id": "PVT_1"})
    assert reply.status == 200
    assert reply.json["selected_project_id"] == "PVT_1"
    assert user.get("/api/v1/auth/me").json["selected_project_id"] == "PVT_1"
    assert user.put("/api/v1/auth/session", {"selected_project_id": None}).json[
        "selected_project_id"] is None
    bad = user.put("/api/v1/auth/session", {"selected_project_id": "no spaces", "x": 1})
    assert bad.status == 422
    assert sorted(error_fields(bad)) == ["selected_project_id", "x"]
    assert user.put("/api/v1/auth/session", {}).status == 422


def test_logout_kills_the_cookie_for_good(user):
    cookie = user.cookie
    reply = user.post("/api/v1/auth/logout", {})
    assert reply.status == 200
    assert "Max-Age=0" in reply.header("set-cookie")
    user.cookie = cookie
    assert user.get("/api/v1/auth/me").status == 401
    assert user.post("/api/v1/auth/logout", {}).status == 200  # still 200 without a session


def test_unknown_paths_and_methods(user):
    reply = user.get("/api/v1/nope")
    assert reply.status == 404 and reply.json["error"]
    assert user.get("/api/v1/settings/project/a/b").status == 404
    reply = user.request("DELETE", "/api/v1/settings/user")
    assert reply.status == 405
    assert reply.header("allow") == "GET, PUT"
    assert reply.json["error"]
    assert user.request("BLAH", "/api/v1/health").status in (400, 405)
    assert user.get("/api/v1/health").status == 200


def test_order_of_checks(service):
    anonymous = service.client()
    user = service.client()
    user.login()
    # 404 before 405, 405 before 401
    assert anonymous.request("DELETE", "/api/v1/nope").status == 404
    assert anonymous.request("DELETE", "/api/v1/settings/user").status == 405
    # 401 before 403 and 415
    assert anonymous.put("/api/v1/settings/user", raw=b"x",
                         headers={"Origin": "http://evil.example"}).status == 401
    # 403 before 415
    assert user.put("/api/v1/settings/user", raw=b"x",
                    headers={"Origin": "http://evil.example"}).status == 403
    # 415 before 400
    assert user.put("/api/v1/settings/user", raw=b"not json",
                    headers={"Content-Type": "text/plain"}).status == 415
    assert user.put("/api/v1/settings/user", raw=b"").status == 415
    # 400 before 422
    assert user.put("/api/v1/settings/user", raw=b"{bad",
                    headers={"Content-Type": "application/json"}).status == 400
    assert user.put("/api/v1/settings/user", raw=b"[]",
                    headers={"Content-Type": "application/json"}).status == 400
    assert user.put("/api/v1/settings/user", raw=b'{"ai": {}, "ai": {}}',
                    headers={"Content-Type": "application/json"}).status == 400
    deep = b"[" * 65 + b"]" * 65
    assert user.put("/api/v1/settings/user", raw=b'{"ai": ' + deep + b"}",
                    headers={"Content-Type": "application/json"}).status == 400
    assert user.put("/api/v1/settings/user", {"ai": {"temperature": 9}}).status == 422
    assert user.put("/api/v1/settings/user", raw=b'{"ai": {}}',
                    headers={"Content-Type": "Application/JSON; charset=utf-8"}).status == 200


def test_foreign_origin_is_refused_on_every_write(service):
    user = service.client()
    user.login()
    evil = {"Origin": "http://evil.example"}
    assert user.put("/api/v1/settings/user", {}, headers=evil).status == 403
    assert user.post("/api/v1/auth/logout", {}, headers=evil).status == 403
    assert user.post("/api/v1/auth/dev-login", {"username": "x"}, headers=evil).status == 403
    assert user.get("/api/v1/auth/me").status == 200  # the logout above did nothing
    ok = user.put("/api/v1/settings/user", {}, headers={"Origin": FRONTEND})
    assert ok.status == 200
    assert ok.header("access-control-allow-origin") == FRONTEND
    assert ok.header("access-control-allow-credentials") == "true"


def test_cors_preflight(client):
    reply = client.request("OPTIONS", "/api/v1/settings/user",
                           headers={"Origin": FRONTEND, "Access-Control-Request-Method": "PUT"})
    assert reply.status == 204
    assert reply.header("access-control-allow-origin") == FRONTEND
    assert "PUT" in reply.header("access-control-allow-methods")
    assert "Content-Type" in reply.header("access-control-allow-headers")
    foreign = client.request("OPTIONS", "/api/v1/settings/user",
                             headers={"Origin": "http://evil.example"})
    assert foreign.status == 403
    assert foreign.header("access-control-allow-origin") is None


def test_body_limit(user):
    padding = "x" * (65536 - len('{"ai": {"model": ""}}'))
    exact = json.dumps({"ai": {"model": padding}}, separators=(",", ":")).encode()
    exact += b" " * (65536 - len(exact))
    assert len(exact) == 65536
    assert user.put("/api/v1/settings/user", raw=exact,
                    headers={"Content-Type": "application/json"}).status == 422
    reply = user.put("/api/v1/settings/user", raw=exact + b" ",
                     headers={"Content-Type": "application/json"})
    assert reply.status == 413
    assert reply.json["error"]


def test_empty_put_creates_nothing(user):
    assert user.put("/api/v1/settings/user", {}).status == 200
    assert user.put("/api/v1/settings/project/P1", {}).json["project"][
        "board_display_config"] is None
    assert user.get("/api/v1/settings/projects").json == {"projects": []}


def test_github_login_without_an_app_is_503(client):
    reply = client.get("/api/v1/auth/github")
    assert reply.status == 503
    assert "GITHUB_CLIENT_ID" in reply.json["error"]


def test_dev_login_is_absent_unless_enabled(make_service):
    service = make_service(env={"DEV_LOGIN": "0"})
    reply = service.client().post("/api/v1/auth/dev-login", {"username": "octocat"})
    assert reply.status == 404
    assert service.client().get("/api/v1/health").json["dev_login"] is False


def test_every_body_endpoint_answers_400_for_malformed_json(user):
    for method, path in [("PUT", "/api/v1/settings/user"), ("PUT", "/api/v1/settings/global"),
                         ("PUT", "/api/v1/settings/project/P1"), ("PUT", "/api/v1/auth/session"),
                         ("POST", "/api/v1/auth/dev-login")]:
        reply = user.request(method, path, raw=b'{"a": tru',
                             headers={"Content-Type": "application/json"})
        assert reply.status == 400, (path, reply)
        assert reply.json["error"] and reply.json["details"] == []
