"""Quotas (security.md): project rows per user, and writes per user per second."""

import time

import pytest

PROJECT = "/api/v1/settings/project/"
USER = "/api/v1/settings/user"
BOARD = {"board_display_config": {"show_estimates": True}}


def signed_in(service, username):
    client = service.client()
    client.login(username)
    return client


def test_a_put_that_would_create_one_project_too_many_is_422(make_service):
    service = make_service(env={"MAX_PROJECTS_PER_USER": "2"})
    user = signed_in(service, "collector")
    assert user.put(PROJECT + "P1", BOARD).status == 200
    assert user.put(PROJECT + "P2", BOARD).status == 200

    reply = user.put(PROJECT + "P3", BOARD)

    assert reply.status == 422
    assert [d["field"] for d in reply.json["details"]] == ["project_id"]
    assert "at most 2 projects" in reply.json["details"][0]["message"]
    assert (reply.json["details"][0]["code"], reply.json["details"][0]["max"]) == ("quota", 2)
    assert user.get(PROJECT + "P3").json["project"]["board_display_config"] is None
    assert [p["project_id"] for p in user.get("/api/v1/settings/projects").json["projects"]] \
        == ["P2", "P1"]
    # Rows that exist still change, and the quota is per user.
    assert user.put(PROJECT + "P1", {"board_display_config": None}).status == 200
    assert signed_in(service, "other").put(PROJECT + "P3", BOARD).status == 200


def test_writes_past_the_burst_are_429_with_retry_after_and_write_nothing(make_service):
    service = make_service(env={"WRITE_RATE_LIMIT": "0.5", "WRITE_BURST": "3"})
    user = signed_in(service, "busy")
    for temperature in [0.1, 0.2, 0.3]:
        assert user.put(USER, {"ai": {"temperature": temperature}}).status == 200

    reply = user.put(USER, {"ai": {"temperature": 0.4}})

    assert reply.status == 429
    assert reply.json["error"] and reply.json.get("details", []) == []
    assert reply.header("retry-after") == "2"  # one write per 2 s
    assert user.get(USER).json["ai"]["temperature"] == 0.3
    # Every authenticated write counts, on every endpoint; reads do not.
    assert user.put(PROJECT + "P1", BOARD).status == 429
    assert user.put("/api/v1/auth/session", {"selected_project_id": "P1"}).status == 429
    assert user.get(USER).status == 200
    # Other users have their own budget.
    assert signed_in(service, "calm").put(USER, {"ai": {"temperature": 1.0}}).status == 200

    time.sleep(int(reply.header("retry-after")))
    assert user.put(USER, {"ai": {"temperature": 0.5}}).status == 200


def test_the_default_limit_is_on(make_service):
    service = make_service(env={"WRITE_RATE_LIMIT": ""})  # unset: the defaults, 20/s, 100
    user = signed_in(service, "hammer")
    # Empty PUTs write nothing but count: fast enough to outrun 20/s on any machine.
    replies = []
    while len(replies) < 2000 and (not replies or replies[-1].status != 429):
        replies.append(user.put(USER, {}))
    assert [r.status for r in replies[:100]] == [200] * 100  # the burst
    assert replies[-1].status == 429
    assert replies[-1].header("retry-after") == "1"


@pytest.mark.parametrize("env", [{"WRITE_RATE_LIMIT": "0", "WRITE_BURST": "1"},
                                 {"WRITE_RATE_LIMIT": "1", "WRITE_BURST": "0"}])
def test_zero_turns_the_write_limit_off(make_service, env):
    service = make_service(env=env)
    user = signed_in(service, "free")
    assert all(user.put(USER, {"ai": {"temperature": i / 10}}).status == 200 for i in range(10))


@pytest.mark.parametrize("env,args,name", [
    ({"WRITE_RATE_LIMIT": "-1"}, [], "WRITE_RATE_LIMIT"),
    ({}, ["--write-rate-limit", "fast"], "WRITE_RATE_LIMIT"),
    ({"WRITE_BURST": "1.5"}, [], "WRITE_BURST"),
    ({}, ["--max-projects-per-user", "-3"], "MAX_PROJECTS_PER_USER"),
])
def test_bad_quota_settings_are_exit_2(make_service, env, args, name):
    service = make_service(start=False, env=env, args=args)
    assert service.run_to_exit() == 2
    assert name in service.log()


def test_help_lists_the_quota_and_admin_settings(make_service):
    service = make_service(start=False, args=["--help"])
    assert service.run_to_exit() == 0
    for name in ["--admin-users", "ADMIN_USERS", "--max-projects-per-user",
                 "MAX_PROJECTS_PER_USER", "--write-rate-limit", "WRITE_RATE_LIMIT",
                 "--write-burst", "WRITE_BURST"]:
        assert name in service.log()
