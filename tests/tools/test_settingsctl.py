"""settingsctl, the admin tool, against real database files."""

import json
import os
import sqlite3
import subprocess
import threading
import time

import pytest

SETTINGSCTL = os.environ.get("SETTINGSCTL_BINARY", "build/tools/settingsctl/settingsctl")
SERVICE = os.environ.get("SETTINGS_SERVICE_BINARY", "build/service/settings-service")
COMMANDS = ["status", "migrate", "check", "backup", "restore", "purge-sessions", "export",
            "import", "global", "user", "copy", "admins", "rotate-token-key", "history"]


def ctl(db, *args, stdin=None):
    result = subprocess.run([SETTINGSCTL, "--db", str(db), *args], input=stdin,
                            capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout, result.stderr


def snapshot(users=(), projects=(), **global_overrides):
    document = {
        "format": "settings-snapshot/1",
        "global": {"ai": {"provider": "copilot", "model": "gpt-4o", "temperature": 0.7},
                   "display": {"theme": "light", "default_view": "chat",
                               "sidebar_collapsed": False},
                   "workflow": {"default_repository": None, "default_assignee": "",
                                "copilot_polling_interval": 60},
                   "notifications": {"task_status_change": True, "agent_completion": True,
                                     "new_recommendation": True, "chat_mention": True},
                   "allowed_models": []},
        "users": list(users),
        "projects": list(projects),
    }
    for section, values in global_overrides.items():
        document["global"][section].update(values)
    return json.dumps(document)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "settings.db"
    assert ctl(path, "migrate")[0] == 0
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(tmp_path, command):
    code, out, _ = ctl(tmp_path / "x.db", command, "--help")
    assert code == 0
    assert out.startswith(f"usage: settingsctl [--db PATH] {command}")
    assert not (tmp_path / "x.db").exists()


def test_usage_errors_are_exit_2(tmp_path):
    assert ctl(tmp_path / "x.db")[0] == 2
    assert ctl(tmp_path / "x.db", "frobnicate")[0] == 2
    assert ctl(tmp_path / "x.db", "backup")[0] == 2


def test_status_reports_without_writing(tmp_path, db):
    assert ctl(tmp_path / "missing.db", "status")[0] == 3
    assert not (tmp_path / "missing.db").exists()
    code, out, _ = ctl(db, "status")
    assert code == 0
    assert "schema version: 5 (program: 5)" in out
    assert "pending migrations: none" in out
    assert "user_sessions=0" in out


def test_migrate_applies_what_is_pending(db):
    conn = sqlite3.connect(db)
    conn.executescript("DROP TABLE settings_history; DROP TABLE settings_history_counter;"
                       "ALTER TABLE global_settings DROP COLUMN revision;"
                       "ALTER TABLE user_preferences DROP COLUMN revision;"
                       "ALTER TABLE project_settings DROP COLUMN revision;"
                       "DELETE FROM schema_migrations WHERE version >= 4;"
                       "UPDATE schema_version SET version = 3;")
    conn.close()
    before = db.read_bytes()
    code, out, _ = ctl(db, "status")
    assert "pending migrations: 004_revisions_and_history.sql 005_history_cheaper_to_write.sql" in out
    assert db.read_bytes() == before
    code, out, _ = ctl(db, "migrate")
    assert code == 0 and "schema version 5 (applied 2 migrations)" in out
    assert "pending migrations: none" in ctl(db, "status")[1]


def test_migrate_refuses_a_newer_schema(db):
    conn = sqlite3.connect(db)
    conn.execute("UPDATE schema_version SET version = 7")
    conn.commit()
    conn.close()
    code, _, err = ctl(db, "migrate")
    assert code == 4 and "7" in err


def test_check_passes_a_sound_file_and_fails_a_damaged_one(tmp_path, db):
    assert ctl(db, "check") == (0, "integrity check: ok\n", "")
    users = [{"user_id": f"user-{i}", "ai": {"model": "m" * 150}} for i in range(400)]
    assert ctl(db, "import", "-", stdin=snapshot(users))[0] == 0
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 10 * page
    # Damage the middle of the file (index and table pages), keep the header.
    for offset in range(5 * page + 16, 8 * page, 97):
        data[offset] = 0xA5
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    code, out, _ = ctl(damaged, "check")
    assert code == 1
    assert out.startswith("integrity check: FAILED")


def test_export_and_import_round_trip(tmp_path, db):
    users = [{"user_id": "42", "display": {"theme": "dark"}, "ai": {"temperature": 1.25}},
             {"user_id": "7"}]
    projects = [{"user_id": "42", "project_id": "PVT_1",
                 "board_display_config": {"column_order": ["A", "B"], "show_estimates": True},
                 "agent_pipeline_mappings": {"Ready": [{"slug": "speckit.plan"}]}}]
    document = snapshot(users, projects, ai={"model": "o1"})
    code, out, err = ctl(db, "import", "-", stdin=document)
    assert code == 0, err
    assert "1 project rows" in out
    code, out, _ = ctl(db, "export")
    exported = json.loads(out)
    assert exported == json.loads(document)
    assert json.loads(ctl(db, "user", "42")[1])["display"]["theme"] == "dark"

    copy = tmp_path / "copy.db"
    export_file = tmp_path / "export.json"
    assert ctl(db, "export", str(export_file))[0] == 0
    assert ctl(copy, "import", str(export_file))[0] == 0
    assert json.loads(ctl(copy, "export")[1]) == exported


def test_an_invalid_import_changes_nothing(db):
    assert ctl(db, "import", "-", stdin=snapshot([{"user_id": "1", "ai": {"model": "keep"}}]))[0] == 0
    before = ctl(db, "export")[1]
    bad = snapshot([{"user_id": "1", "ai": {"model": "changed"}},
                    {"user_id": "2", "ai": {"temperature": 9}}],
                   [{"user_id": "2", "project_id": "bad id"}])
    code, _, err = ctl(db, "import", "-", stdin=bad)
    assert code == 2
    assert "users[1].ai.temperature" in err
    assert "projects[0].project_id" in err
    assert ctl(db, "export")[1] == before
    assert ctl(db, "import", "-", stdin='{"format": "settings-snapshot/1", "a": 1, "a": 2}')[0] == 2
    assert ctl(db, "export")[1] == before


def test_purge_sessions_counts_what_it_deletes(tmp_path, db):
    conn = sqlite3.connect(db)
    for i in range(5):
        conn.execute("INSERT INTO user_sessions (session_id, github_user_id, github_username, "
                     "access_token, created_at, updated_at) VALUES (?, 'u', 'n', '', ?, ?)",
                     (f"s{i}", "2020-01-01T00:00:00.000Z", "2020-01-01T00:00:00.000Z"))
    conn.commit()
    conn.close()
    code, out, _ = ctl(db, "purge-sessions")
    assert (code, out) == (0, "purged 5 expired sessions\n")
    assert ctl(db, "purge-sessions", "--session-expire-hours", "x")[0] == 2


def test_backup_while_the_service_writes(tmp_path):
    db = tmp_path / "live.db"
    service = subprocess.Popen([SERVICE], env={"DATABASE_PATH": str(db), "PORT": "0",
                                               "DEV_LOGIN": "1", "PATH": os.environ["PATH"]},
                               stderr=subprocess.PIPE, text=True)
    try:
        port = None
        for line in service.stderr:
            if "listening on" in line:
                port = int(line.rsplit(":", 1)[1])
                break
        assert port
        threading.Thread(target=lambda: [None for _ in service.stderr], daemon=True).start()
        import http.client
        stop = threading.Event()

        def write():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/api/v1/auth/dev-login", body='{"username": "writer"}',
                         headers={"Content-Type": "application/json"})
            reply = conn.getresponse()
            cookie = reply.getheader("Set-Cookie").split(";")[0]
            reply.read()
            i = 0
            while not stop.is_set():
                i += 1
                conn.request("PUT", f"/api/v1/settings/project/P{i % 50}",
                             body=json.dumps({"board_display_config": {"column_order": [str(i)]}}),
                             headers={"Content-Type": "application/json", "Cookie": cookie})
                conn.getresponse().read()

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.5)
        backups = [tmp_path / f"backup{i}.db" for i in range(3)]
        for target in backups:
            code, out, err = ctl(db, "backup", str(target))
            assert code == 0, err
        stop.set()
        writer.join()
        for target in backups:
            assert ctl(target, "check")[0] == 0
            assert "project_settings=" in ctl(target, "status")[1]
        assert ctl(db, "backup", str(backups[0]))[0] == 3  # never overwrites
    finally:
        service.terminate()
        service.wait(10)


def new_postgres_database():
    admin = os.environ.get("SETTINGS_TEST_POSTGRES_URL")
    assert admin, "SETTINGS_TEST_POSTGRES_URL is not set (scripts/test.sh starts a cluster)"
    name = "ctl_" + os.urandom(8).hex()
    subprocess.run(["psql", "-q", admin, "-c", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True)
    return admin.rsplit("/", 1)[0] + "/" + name


def url_ctl(url, *args, stdin=None):
    result = subprocess.run([SETTINGSCTL, "--database-url", url, *args], input=stdin,
                            capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout, result.stderr


def test_copy_between_engines_keeps_every_row_and_token(db, tmp_path):
    users = [{"user_id": "42", "display": {"theme": "dark"}, "ai": {"temperature": 1.25}},
             {"user_id": "7"}]
    projects = [{"user_id": "42", "project_id": "PVT_1",
                 "agent_pipeline_mappings": {"Z": [{"slug": "z"}], "A": [{"slug": "a"}]},
                 "board_display_config": None}]
    assert ctl(db, "import", "-", stdin=snapshot(users, projects))[0] == 0
    raw = sqlite3.connect(db)
    raw.execute("INSERT INTO user_sessions (session_id, github_user_id, github_username, "
                "access_token, refresh_token, token_expires_at, created_at, updated_at) VALUES "
                "('abc', '42', 'octo', 'enc:v1:sealed', NULL, '2026-11-26T18:00:00.000Z', "
                "'2026-11-26T10:00:00.123Z', '2026-11-26T10:05:00.456Z')")
    raw.commit()
    raw.close()

    postgres = new_postgres_database()
    code, out, err = ctl(db, "copy", "--from", f"sqlite:{db}", "--to", postgres)
    assert code == 0, err
    assert "user_preferences=2" in out and "project_settings=1" in out
    assert "user_sessions=1" in out and "verified" in out
    assert "postgres@" not in out  # the description names host, port and database only
    assert url_ctl(postgres, "export")[1] == ctl(db, "export")[1]

    # A target that holds rows is refused and left alone.
    code, _, err = ctl(db, "copy", "--from", postgres, "--to", f"sqlite:{db}")
    assert code == 2 and "--replace" in err

    back = tmp_path / "back.db"
    code, out, err = ctl(db, "copy", "--from", postgres, "--to", f"sqlite:{back}")
    assert code == 0, err
    assert ctl(back, "export")[1] == ctl(db, "export")[1]
    row = sqlite3.connect(back).execute(
        "SELECT session_id, access_token, token_expires_at, created_at, updated_at "
        "FROM user_sessions").fetchone()
    assert row == ("abc", "enc:v1:sealed", "2026-11-26T18:00:00.000Z",
                   "2026-11-26T10:00:00.123Z", "2026-11-26T10:05:00.456Z")

    # --replace makes the target an exact copy.
    assert ctl(back, "import", "-", stdin=snapshot([{"user_id": "99"}]))[0] == 0
    code, out, err = ctl(db, "copy", "--from", f"sqlite:{db}", "--to", f"sqlite:{back}",
                         "--replace")
    assert code == 0, err
    assert ctl(back, "export")[1] == ctl(db, "export")[1]


def test_copy_usage_and_postgresql_only_commands(tmp_path):
    assert ctl(tmp_path / "x.db", "copy", "--from", "sqlite:/nowhere.db")[0] == 2
    postgres = new_postgres_database()
    code, _, err = url_ctl(postgres, "backup", str(tmp_path / "b.db"))
    assert code == 2 and "pg_dump" in err
    assert url_ctl(postgres, "migrate")[0] == 0
    code, out, _ = url_ctl(postgres, "status")
    assert code == 0 and "schema version: 5" in out
    code, _, err = url_ctl("mysql://x/y", "status")
    assert code == 2 and "DATABASE_URL" in err


def test_admins_are_listed_added_and_removed_but_never_the_last(db):
    code, out, _ = ctl(db, "admins", "list")
    assert code == 0 and "no admins stored" in out
    assert ctl(db, "admins", "add", "42") == (0, "42 is now an admin\n", "")
    assert ctl(db, "admins", "add", "42")[1] == "42 is an admin already\n"
    assert ctl(db, "admins", "add", "7")[0] == 0
    code, out, _ = ctl(db, "admins", "list")
    assert code == 0
    assert [line.split("\t")[:2] for line in out.splitlines()] == [["42", "-"], ["7", "-"]]

    assert ctl(db, "admins", "remove", "42")[0] == 0
    code, out, err = ctl(db, "admins", "remove", "7")
    assert code == 1 and "last admin" in err and out == ""
    code, _, err = ctl(db, "admins", "remove", "99")
    assert code == 1 and "not a stored admin" in err
    rows = sqlite3.connect(db).execute("SELECT github_user_id FROM admin_users").fetchall()
    assert rows == [("7",)]
    assert ctl(db, "admins", "frobnicate", "7")[0] == 2
    assert ctl(db, "admins", "add", "")[0] == 2


def test_admins_on_postgresql_and_through_a_copy(db, tmp_path):
    postgres = new_postgres_database()
    assert url_ctl(postgres, "global")[0] == 0  # a service's first start
    assert url_ctl(postgres, "admins", "add", "1")[0] == 0
    assert url_ctl(postgres, "admins", "add", "2")[0] == 0
    assert url_ctl(postgres, "admins", "remove", "1")[0] == 0
    code, _, err = url_ctl(postgres, "admins", "remove", "2")
    assert code == 1 and "last admin" in err
    assert url_ctl(postgres, "admins", "list")[1].startswith("2\t-\tsince ")

    # A copy carries the admins: the target does not fall back to "first sign-in".
    copy = tmp_path / "copy.db"
    code, out, err = ctl(db, "copy", "--from", postgres, "--to", f"sqlite:{copy}")
    assert code == 0, err
    assert "admin_users=1" in out
    assert ctl(copy, "admins", "list")[1] == url_ctl(postgres, "admins", "list")[1]


def test_rotate_token_key_usage_and_bad_keys_are_exit_2(tmp_path, db):
    good = tmp_path / "good"
    good.write_text("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")
    bad = tmp_path / "bad"
    bad.write_text("c2hvcnQ=")
    for args in [[], ["--old-key-file", str(good)], ["--new-key-file", str(good)],
                 ["--old-key-file", str(good), "--new-key-file", str(bad)],
                 ["--old-key-file", str(tmp_path / "missing"), "--new-key-file", str(good)]]:
        code, _, err = ctl(db, "rotate-token-key", *args)
        assert code == 2, (args, err)
        assert err.strip()


def test_rotate_token_key_encrypts_plain_tokens(tmp_path, db):
    with sqlite3.connect(db) as conn:
        for i in range(3):
            conn.execute(
                "INSERT INTO user_sessions (session_id, github_user_id, github_username, "
                "access_token, refresh_token, created_at, updated_at) VALUES "
                "(?, '1', 'octocat', 'gho_plain', ?, '2026-11-26T10:00:00.000Z', "
                "'2026-11-26T10:00:00.000Z')", (f"{i:064x}", None if i else "ghr_plain"))
    conn.close()
    old, new = tmp_path / "old", tmp_path / "new"
    old.write_text("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")
    new.write_text("QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=")
    code, out, err = ctl(db, "rotate-token-key", "--old-key-file", str(old),
                         "--new-key-file", str(new))
    assert code == 0, err
    assert "re-encrypted the tokens of 3 sessions" in out
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT access_token, refresh_token FROM user_sessions").fetchall()
    conn.close()
    assert all(a.startswith("enc:v1:") and (r is None or r.startswith("enc:v1:"))
               for a, r in rows), rows


def test_history_lists_what_import_changed_as_settingsctl(db):
    users = [{"user_id": "42", "display": {"theme": "dark"}, "ai": {"temperature": 1.25}}]
    projects = [{"user_id": "42", "project_id": "PVT_1",
                 "board_display_config": {"show_estimates": True}}]
    assert ctl(db, "import", "-",
               stdin=snapshot(users, projects, display={"theme": "dark"}))[0] == 0
    code, out, err = ctl(db, "history")
    assert code == 0, err
    lines = [line.split("\t") for line in out.splitlines()]
    assert [(line[2], line[3], line[4]) for line in lines] == [
        ("settingsctl", "project 42/PVT_1", "board_display_config"),
        ("settingsctl", "user 42", "display.theme"),
        ("settingsctl", "user 42", "ai.temperature"),
        ("settingsctl", "global", "display.theme")]
    assert lines[3][5] == '"light" -> "dark"' and lines[3][6] == "revision 2"
    assert lines[2][5] == "(not set) -> 1.25"

    code, out, _ = ctl(db, "history", "--user", "42", "--json", "--limit", "1")
    document = json.loads(out)
    assert code == 0 and len(document["entries"]) == 1
    assert document["entries"][0]["field"] == "display.theme"
    assert document["entries"][0]["actor"] == {"tool": "settingsctl"}
    assert document["next_before"] == document["entries"][0]["id"]
    code, out, _ = ctl(db, "history", "--user", "42", "--project", "PVT_1")
    assert code == 0 and len(out.splitlines()) == 1
    code, out, _ = ctl(db, "history", "--global")
    assert code == 0 and len(out.splitlines()) == 1
    assert ctl(db, "history", "--user", "7")[1] == "no history entries\n"
    for args in [["--limit", "0"], ["--limit", "x"], ["--project", "P"], ["--global", "--user", "1"],
                 ["--frobnicate"]]:
        assert ctl(db, "history", *args)[0] == 2, args
