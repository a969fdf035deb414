"""Who may change the global settings (security.md): admins, ADMIN_USERS, the
first user to sign in, and the order of checks around the admin 403."""

import os
import subprocess

import pytest

from conftest import FRONTEND

GLOBAL = "/api/v1/settings/global"
ME = "/api/v1/auth/me"
SETTINGSCTL = os.environ.get("SETTINGSCTL_BINARY", "build/tools/settingsctl/settingsctl")


def ctl(service, *args):
    database = ["--database-url", service.env["DATABASE_URL"]] if "DATABASE_URL" in service.env \
        else ["--db", str(service.db)]
    result = subprocess.run([SETTINGSCTL, *database, *args], capture_output=True, text=True,
                            timeout=60)
    return result.returncode, result.stdout, result.stderr


def signed_in(service, username, **extra):
    client = service.client()
    client.login(username, **extra)
    return client


def test_the_first_user_to_sign_in_becomes_the_admin(service):
    first = signed_in(service, "first-user")
    second = signed_in(service, "second-user")

    assert first.get(ME).json["is_admin"] is True
    assert second.get(ME).json["is_admin"] is False
    assert "first-user, the first user to sign in, is now the admin" in service.log()
    assert "second-user" not in service.log()
    assert [line for line in service.lines if "WARN" in line and "admin" in line
            and "first-user" in line]


def test_a_non_admin_reads_but_cannot_change_global_settings(service):
    admin = signed_in(service, "boss")
    user = signed_in(service, "guest")
    before = user.get(GLOBAL)
    assert before.status == 200

    reply = user.put(GLOBAL, {"ai": {"temperature": 1.5}})

    assert reply.status == 403
    assert reply.json == {"error": "only admins may change the global settings", "details": []}
    assert user.get(GLOBAL).json == before.json  # nothing written, updated_at included
    assert admin.put(GLOBAL, {"ai": {"temperature": 1.5}}).status == 200
    assert user.get(GLOBAL).json["ai"]["temperature"] == 1.5
    # Their own settings stay theirs to change.
    assert user.put("/api/v1/settings/user", {"ai": {"temperature": 0.2}}).status == 200


def test_admin_403_comes_after_401_and_the_origin_403_and_before_415(service):
    signed_in(service, "boss")
    user = signed_in(service, "guest")
    anonymous = service.client()
    evil = {"Origin": "http://evil.example"}

    assert anonymous.put(GLOBAL, raw=b"x", headers=evil).status == 401
    foreign = user.put(GLOBAL, raw=b"x", headers=evil)
    assert foreign.status == 403 and "cross-origin" in foreign.json["error"]
    for reply in [user.put(GLOBAL, raw=b"x", headers={"Content-Type": "text/plain"}),
                  user.put(GLOBAL, raw=b"{bad", headers={"Content-Type": "application/json"}),
                  user.put(GLOBAL, {"ai": {"temperature": 9}}),
                  user.put(GLOBAL, {}, headers={"Origin": FRONTEND})]:
        assert reply.status == 403 and "admins" in reply.json["error"], reply


def test_admin_users_names_admins_by_login_or_id_and_nobody_claims(make_service):
    service = make_service(env={"ADMIN_USERS": " Boss ,dev-fixed-id"})
    first = signed_in(service, "first-user")
    boss = signed_in(service, "boss")  # logins match in any case
    by_id = signed_in(service, "someone", user_id="dev-fixed-id")

    assert first.get(ME).json["is_admin"] is False
    assert boss.get(ME).json["is_admin"] is True
    assert by_id.get(ME).json["is_admin"] is True
    assert first.put(GLOBAL, {"ai": {"temperature": 1.0}}).status == 403
    assert boss.put(GLOBAL, {"ai": {"temperature": 1.0}}).status == 200
    assert "is now the admin" not in service.log()
    assert ctl(service, "admins", "list")[1].startswith("no admins stored")


def test_roles_survive_a_restart_and_nobody_else_claims_afterwards(service):
    first = signed_in(service, "first-user")
    cookie = first.cookie
    service.restart()
    first = service.client()
    first.cookie = cookie
    assert first.get(ME).json["is_admin"] is True
    later = signed_in(service, "later-user")
    assert later.get(ME).json["is_admin"] is False
    assert later.put(GLOBAL, {"ai": {"temperature": 1.0}}).status == 403


def test_settingsctl_changes_roles_of_a_running_service(service):
    first = signed_in(service, "first-user")
    other = signed_in(service, "other-user")
    other_id = other.get(ME).json["github_user_id"]
    first_id = first.get(ME).json["github_user_id"]

    assert ctl(service, "admins", "add", other_id)[0] == 0
    assert other.get(ME).json["is_admin"] is True
    assert other.put(GLOBAL, {"ai": {"temperature": 1.0}}).status == 200

    assert ctl(service, "admins", "remove", first_id)[0] == 0
    assert first.put(GLOBAL, {"ai": {"temperature": 0.5}}).status == 403
    code, _, err = ctl(service, "admins", "remove", other_id)
    assert code == 1 and "last admin" in err
    assert other.get(ME).json["is_admin"] is True
    # The login an admin signs in with is what the list shows.
    assert f"{other_id}\t-\t" in ctl(service, "admins", "list")[1]
    signed_in(service, "other-user")
    assert f"{other_id}\tother-user\t" in ctl(service, "admins", "list")[1]


@pytest.mark.parametrize("value", [",", " , "])
def test_admin_users_that_names_nobody_is_exit_2(make_service, value):
    service = make_service(start=False, env={"ADMIN_USERS": value})
    assert service.run_to_exit() == 2
    assert "ADMIN_USERS" in service.log()
