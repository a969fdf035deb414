"""Revisions over HTTP (revisions.md): ETags, If-None-Match 304, If-Match 412
with the current view, in the order 415 -> 400 -> 412 -> 422."""

from conftest import signed_in_pair

USER = "/api/v1/settings/user"
GLOBAL = "/api/v1/settings/global"
PROJECT = "/api/v1/settings/project/P1"


def temperature(value):
    return {"ai": {"temperature": value}}


def test_views_carry_revisions_and_a_strong_etag(user):
    reply = user.get(USER)
    assert reply.status == 200
    assert reply.json["revisions"] == {"global": 1, "user": 0}
    assert reply.header("etag") == '"g1-u0"'
    changed = user.put(USER, temperature(1.1))
    assert changed.status == 200
    assert changed.json["revisions"] == {"global": 1, "user": 1}
    assert changed.header("etag") == '"g1-u1"'
    # A PUT that changes nothing changes no revision.
    assert user.put(USER, temperature(1.1)).header("etag") == '"g1-u1"'
    assert user.get(USER).header("etag") == '"g1-u1"'

    assert user.get(GLOBAL).header("etag") == '"g1"'
    assert user.get(GLOBAL).json["revisions"] == {"global": 1}
    project = user.get(PROJECT)
    assert project.header("etag") == '"g1-u1-p0"'
    assert project.json["revisions"] == {"global": 1, "user": 1, "project": 0}
    put = user.put(PROJECT, {"board_display_config": {"show_estimates": True}})
    assert put.status == 200 and put.header("etag") == '"g1-u1-p1"'


def test_if_none_match_with_the_current_etag_is_304_without_a_body(user):
    tag = user.get(USER).header("etag")
    for _ in range(2):  # the second is answered from the read cache on SQLite
        reply = user.get(USER, headers={"If-None-Match": tag})
        assert reply.status == 304
        assert reply.body == b""
        assert reply.header("etag") == tag
    assert user.get(USER, headers={"If-None-Match": '"g9-u9"'}).status == 200
    assert user.get(USER, headers={"If-None-Match": f'"x", W/{tag}'}).status == 304
    assert user.get(GLOBAL, headers={"If-None-Match": '"g1"'}).status == 304
    assert user.get(PROJECT, headers={"If-None-Match": '"g1-u0-p0"'}).status == 304


def test_if_match_lets_only_a_write_of_the_current_view_through(user):
    seen = user.get(USER).header("etag")
    assert user.put(USER, temperature(1.1), headers={"If-Match": seen}).status == 200
    stale = user.put(USER, temperature(0.2), headers={"If-Match": seen})
    assert stale.status == 412
    assert stale.json["details"] == [] and stale.json["error"]
    assert stale.json["current"]["ai"]["temperature"] == 1.1
    assert stale.json["current"]["revisions"] == {"global": 1, "user": 1}
    assert stale.header("etag") == '"g1-u1"'
    assert user.get(USER).json["ai"]["temperature"] == 1.1

    for value, header in [(0.5, lambda tag: "*"), (0.6, lambda tag: tag),
                          (0.7, lambda tag: f'"g7", {tag}')]:
        sent = header(user.get(USER).header("etag"))
        assert user.put(USER, temperature(value), headers={"If-Match": sent}).status == 200, sent
    current = user.get(USER).header("etag")
    # Nothing that is not a quoted, strong, current ETag can match: 412, never 400.
    for header in ["g1-u4", f"W/{current}", '"unterminated', "", '"a"b"']:
        reply = user.put(USER, temperature(0.1), headers={"If-Match": header})
        assert reply.status == 412, header
    assert user.get(USER).json["ai"]["temperature"] == 0.7


def test_412_comes_after_400_and_before_422(user):
    stale = '"g1-u9"'
    bad_json = user.request("PUT", USER, raw=b"{", headers={"If-Match": stale,
                                                           "Content-Type": "application/json"})
    assert bad_json.status == 400
    assert user.put(USER, temperature(99), headers={"If-Match": stale}).status == 412
    current = user.get(USER).header("etag")
    assert user.put(USER, temperature(99), headers={"If-Match": current}).status == 422


def test_if_match_on_global_and_project_writes(user):
    # The first user to sign in is the admin.
    seen = user.get(GLOBAL).header("etag")
    dark = {"display": {"theme": "dark"}}
    assert user.put(GLOBAL, dark, headers={"If-Match": seen}).header("etag") == '"g2"'
    stale = user.put(GLOBAL, {"display": {"theme": "light"}}, headers={"If-Match": seen})
    assert stale.status == 412 and stale.json["current"]["display"]["theme"] == "dark"
    # A global change makes every user and project view's ETag stale too.
    body = {"board_display_config": {"show_estimates": True}}
    assert user.put(PROJECT, body, headers={"If-Match": '"g1-u0-p0"'}).status == 412
    ok = user.put(PROJECT, body, headers={"If-Match": '"g2-u0-p0"'})
    assert ok.status == 200 and ok.header("etag") == '"g2-u0-p1"'


def test_a_write_by_another_session_is_a_conflict(service):
    tab_a, tab_b = service.client(), service.client()
    tab_a.login("octocat")
    tab_b.login("octocat")
    seen = tab_b.get(USER).header("etag")
    assert tab_a.put(USER, temperature(1.5)).status == 200
    conflict = tab_b.put(USER, temperature(0.1), headers={"If-Match": seen})
    assert conflict.status == 412
    assert conflict.json["current"]["ai"]["temperature"] == 1.5


def test_a_write_on_another_host_is_a_conflict_and_ends_a_304(hosts):
    # Host A's read cache must not answer 304 or let an If-Match through for a
    # view that host B has changed.
    host_a, host_b = hosts(2)
    on_a, on_b = signed_in_pair(host_a, host_b, "octocat")
    for _ in range(20):
        seen = on_a.get(USER)
        assert on_a.get(USER, headers={"If-None-Match": seen.header("etag")}).status == 304
        changed = on_b.put(USER, temperature(round(seen.json["ai"]["temperature"] + 0.05, 2)))
        assert changed.status == 200
        fresh = on_a.get(USER, headers={"If-None-Match": seen.header("etag")})
        assert fresh.status == 200
        assert fresh.header("etag") == changed.header("etag")
        stale = on_a.put(USER, temperature(0.1), headers={"If-Match": seen.header("etag")})
        assert stale.status == 412
        assert stale.json["current"]["ai"]["temperature"] == changed.json["ai"]["temperature"]
    history = on_a.get(f"{HISTORY}?scope=user&limit=200").json["entries"]
    assert len(history) == 20


HISTORY = "/api/v1/settings/history"


def test_history_lists_changes_newest_first_with_actor_and_paging(service):
    admin = service.client()
    admin.login("admin")  # the first user to sign in
    assert admin.put(GLOBAL, {"display": {"theme": "dark"}}).status == 200
    user = service.client()
    me = user.login("octocat")
    assert user.put(USER, {"ai": {"temperature": 1.1}, "display": {"theme": "light"}}).status == 200
    assert user.put(USER, {"display": {"theme": None}}).status == 200
    assert user.put(PROJECT, {"board_display_config": {"show_estimates": True}}).status == 200
    other = service.client()
    other.login("someone-else")
    assert other.put(USER, {"ai": {"temperature": 0.1}}).status == 200

    reply = user.get(HISTORY)
    assert reply.status == 200
    entries = reply.json["entries"]
    assert reply.json["next_before"] is None
    assert [(e["scope"], e["field"]) for e in entries] == [
        ("project", "board_display_config"), ("user", "display.theme"),
        ("user", "display.theme"), ("user", "ai.temperature"), ("global", "display.theme")]
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    reset = entries[1]
    assert (reset["old"], reset["new"], reset["revision"]) == ("light", None, 2)
    assert reset["actor"] == {"github_user_id": me["github_user_id"], "github_username": "octocat"}
    assert entries[0]["project_id"] == "P1" and "project_id" not in reset
    assert entries[0]["old"] is None
    assert entries[0]["new"]["show_estimates"] is True
    assert entries[3]["new"] == 1.1 and entries[3]["old"] is None
    assert entries[4]["old"] == "light" and entries[4]["new"] == "dark"
    assert entries[4]["actor"]["github_username"] == "admin"
    assert reset["at"].endswith("Z")

    assert [e["field"] for e in user.get(f"{HISTORY}?scope=global").json["entries"]] == \
        ["display.theme"]
    assert len(user.get(f"{HISTORY}?scope=user").json["entries"]) == 3
    assert len(user.get(f"{HISTORY}?scope=project&project_id=P1").json["entries"]) == 1
    assert user.get(f"{HISTORY}?scope=project&project_id=P2").json["entries"] == []

    first = user.get(f"{HISTORY}?limit=2").json
    assert [e["id"] for e in first["entries"]] == [e["id"] for e in entries[:2]]
    assert first["next_before"] == entries[1]["id"]
    rest = user.get(f"{HISTORY}?limit=200&before={first['next_before']}").json
    assert [e["id"] for e in rest["entries"]] == [e["id"] for e in entries[2:]]


def test_the_first_start_seed_is_in_the_global_history_as_the_seed(make_service):
    service = make_service(env={"COPILOT_MODEL": "o1", "DEFAULT_REPOSITORY": "octo/repo"})
    user = service.client()
    user.login()
    entries = user.get(f"{HISTORY}?scope=global").json["entries"]
    seeded = {e["field"]: e for e in entries}
    assert seeded["ai.model"]["new"] == "o1"
    assert seeded["workflow.default_repository"]["new"] == "octo/repo"
    for entry in entries:
        assert entry["actor"] == {"tool": "seed"}
        assert entry["old"] is None and entry["revision"] == 1
    # A restart with another seed changes nothing and records nothing.
    service.stop()
    service.env["COPILOT_MODEL"] = "gpt-4o-mini"
    service.start()
    user = service.client()
    user.login()
    assert user.get(f"{HISTORY}?scope=global").json["entries"] == entries
    assert user.get(GLOBAL).json["ai"]["model"] == "o1"


def test_history_parameters_out_of_range_are_422_naming_them(user):
    for query, field in [("limit=0", "limit"), ("limit=201", "limit"), ("limit=abc", "limit"),
                         ("before=0", "before"), ("before=x", "before"),
                         ("scope=everyone", "scope"), ("project_id=P1", "project_id"),
                         ("scope=project&project_id=bad%20id", "project_id")]:
        reply = user.get(f"{HISTORY}?{query}")
        assert reply.status == 422, query
        assert [d["field"] for d in reply.json["details"]] == [field], query
    assert user.get(HISTORY, cookie=False).status == 401
