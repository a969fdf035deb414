"""Start-up, configuration, shutdown, restarts, expiry and storage faults."""

import signal
import sqlite3
import threading
import time

import pytest


def test_help_and_version_print_to_stdout(make_service):
    service = make_service(start=False, args=["--help"])
    assert service.run_to_exit() == 0
    text = service.log()
    for name in ["DATABASE_PATH", "--db", "PORT", "SESSION_EXPIRE_HOURS", "DEV_LOGIN",
                 "COOKIE_SECURE", "--no-cookie-secure", "GITHUB_API_URL",
                 "COPILOT_POLLING_INTERVAL"]:
        assert name in text
    version = make_service(start=False, args=["--version"])
    assert version.run_to_exit() == 0
    assert "settings-service" in version.log()


@pytest.mark.parametrize("env,args,name", [
    ({"PORT": "eighty"}, [], "PORT"),
    ({}, ["--port", "70000"], "PORT"),
    ({"LOG_LEVEL": "loud"}, [], "LOG_LEVEL"),
    ({"SESSION_EXPIRE_HOURS": "-1"}, [], "SESSION_EXPIRE_HOURS"),
    ({"DEV_LOGIN": "maybe"}, [], "DEV_LOGIN"),
    ({"AI_PROVIDER": "openai"}, [], "AI_PROVIDER"),
    ({"COPILOT_POLLING_INTERVAL": "86401"}, [], "COPILOT_POLLING_INTERVAL"),
    ({"DEFAULT_REPOSITORY": "not a repo"}, [], "DEFAULT_REPOSITORY"),
    ({"TOKEN_ENCRYPTION_KEY": "c2hvcnQ="}, [], "TOKEN_ENCRYPTION_KEY"),
    ({"GITHUB_OAUTH_URL": "http://github.example"}, [], "GITHUB_OAUTH_URL"),
    ({"FRONTEND_URL": "ftp://x"}, [], "FRONTEND_URL"),
    ({}, ["--bogus"], "--bogus"),
    ({}, ["--dev-login=yes"], "--dev-login"),
    # Secrets never on the command line (ps shows it to every local user).
    ({}, ["--github-client-secret", "s3cret"], "GITHUB_CLIENT_SECRET"),
    ({}, ["--github-client-secret=s3cret"], "GITHUB_CLIENT_SECRET"),
    ({}, ["--token-encryption-key", "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="],
     "TOKEN_ENCRYPTION_KEY"),
    ({"GITHUB_CLIENT_SECRET_FILE": "/nonexistent/secret"}, [], "GITHUB_CLIENT_SECRET_FILE"),
    ({"GITHUB_CLIENT_SECRET": "a", "GITHUB_CLIENT_SECRET_FILE": "/etc/hostname"}, [],
     "GITHUB_CLIENT_SECRET_FILE"),
    ({}, ["--token-encryption-key-file", "/nonexistent/key"], "TOKEN_ENCRYPTION_KEY_FILE"),
    ({"MAX_CONNECTIONS": "0"}, [], "MAX_CONNECTIONS"),
    ({"TRUST_X_FORWARDED_FOR": "perhaps"}, [], "TRUST_X_FORWARDED_FOR"),
])
def test_bad_configuration_is_exit_2_with_one_line(make_service, env, args, name):
    service = make_service(start=False, env=env, args=args)
    assert service.run_to_exit() == 2
    lines = [line for line in service.lines if line.strip()]
    assert len(lines) == 1, lines
    assert name in lines[0]
    assert not service.db.exists()


def test_seed_values_are_validated_even_when_the_row_exists(make_service):
    first = make_service()
    first.stop()
    again = make_service(start=False, env={"COPILOT_MODEL": ""})  # empty counts as unset
    again.start()
    again.stop()
    bad = make_service(start=False, env={"COPILOT_POLLING_INTERVAL": "-5"})
    assert bad.run_to_exit() == 2


def test_seed_applies_on_first_start_only(make_service):
    service = make_service(env={"COPILOT_MODEL": "gpt-seed", "DEFAULT_REPOSITORY": "octo/repo"})
    user = service.client()
    user.login()
    global_settings = user.get("/api/v1/settings/global").json
    assert global_settings["ai"]["model"] == "gpt-seed"
    assert global_settings["workflow"]["default_repository"] == "octo/repo"
    service.stop()
    service.env["COPILOT_MODEL"] = "gpt-other"
    service.start()
    user = service.client()
    user.login()
    assert user.get("/api/v1/settings/global").json["ai"]["model"] == "gpt-seed"
    assert "seeded" not in service.log()


def test_start_up_logs(service):
    log = service.log()
    assert "applied migration 001_initial_schema.sql" in log
    assert "schema version 5" in log
    assert "seeded the global settings" in log
    assert f"listening on http://127.0.0.1:{service.port}" in log
    assert "TOKEN_ENCRYPTION_KEY is not set" in log
    assert "dev login is enabled" in log


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_restart_keeps_sessions_and_settings(service, sig):
    user = service.client()
    user.login()
    assert user.put("/api/v1/settings/user", {"display": {"theme": "dark"}}).status == 200
    cookie = user.cookie
    code = service.stop(sig)
    assert code == (0 if sig != signal.SIGKILL else -signal.SIGKILL)
    service.start()
    user = service.client()
    user.cookie = cookie
    assert user.get("/api/v1/auth/me").status == 200
    assert user.get("/api/v1/settings/user").json["display"]["theme"] == "dark"


def test_sigterm_finishes_and_closes_the_database(service):
    code = service.stop(signal.SIGTERM)
    assert code == 0
    assert "stopped; database closed" in service.log()
    assert not service.db.with_name("settings.db-wal").exists()


def test_a_signal_right_after_start_up_always_stops_the_service(make_service):
    # The signal may come before the purge loop's first wait: it must not be missed.
    service = make_service(env={"THREADS": "4"}, start=False)
    for _ in range(40):
        service.start()
        assert service.stop(signal.SIGTERM, timeout=5) == 0


def test_sessions_expire_after_inactivity(make_service):
    service = make_service(args=["--session-expire-hours", "0.0005"])  # 1.8 s
    user = service.client()
    user.login()
    assert user.get("/api/v1/auth/me").status == 200
    reply = user.post("/api/v1/auth/dev-login", {"username": "octocat"})
    assert "Max-Age=2" in reply.header("set-cookie")
    time.sleep(2.2)
    assert user.get("/api/v1/auth/me").status == 401
    db = sqlite3.connect(service.db)
    assert db.execute("SELECT count(*) FROM user_sessions").fetchone()[0] == 1  # the other one
    db.close()


def test_activity_keeps_a_session_alive(make_service):
    service = make_service(args=["--session-expire-hours", "0.0005"])
    user = service.client()
    user.login()
    for _ in range(8):
        time.sleep(0.5)
        assert user.get("/api/v1/auth/me").status == 200


def test_periodic_purge_logs_its_count(make_service):
    service = make_service(env={"SESSION_EXPIRE_HOURS": "0.0002", "SESSION_CLEANUP_INTERVAL": "1"})
    for name in ["a", "b", "c"]:
        service.client().login(name)
    deadline = time.time() + 6
    while time.time() < deadline and "purged 3 expired sessions" not in service.log():
        time.sleep(0.2)
    assert "purged 3 expired sessions" in service.log()


def test_schema_newer_than_the_program_is_exit_4_and_untouched(make_service):
    first = make_service()
    first.stop()
    db = sqlite3.connect(first.db)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    before = first.db.read_bytes()
    service = make_service(start=False)
    assert service.run_to_exit() == 4
    assert "99" in service.log() and "2" in service.log()
    assert first.db.read_bytes() == before


def test_corrupt_database_is_exit_3(make_service, tmp_path):
    service = make_service(start=False)
    service.db.parent.mkdir(parents=True)
    service.db.write_bytes(b"this is not a database" * 500)
    assert service.run_to_exit() == 3
    assert "ERROR" in service.log()


def test_database_folder_that_cannot_be_created_is_exit_3(make_service, tmp_path):
    (tmp_path / "file").write_text("x")
    service = make_service(start=False, env={"DATABASE_PATH": str(tmp_path / "file/sub/s.db")})
    assert service.run_to_exit() == 3


def test_health_answers_at_once_while_another_process_holds_the_write_lock(make_service):
    service = make_service(env={"THREADS": "2"})
    user = service.client()
    user.login()
    holder = sqlite3.connect(service.db, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE global_settings SET ai_model = 'locked'")
    try:
        writers = [threading.Thread(target=lambda: user.put("/api/v1/settings/user",
                                                            {"ai": {"temperature": 1.0}}))
                   for _ in range(3)]
        for w in writers:
            w.start()
        time.sleep(0.2)  # the writes are now waiting for the lock
        started = time.monotonic()
        reply = service.client().get("/api/v1/health")
        elapsed = time.monotonic() - started
        assert reply.status == 200
        assert elapsed < 0.5, elapsed
        read = user.get("/api/v1/settings/user")  # reads are still served
        assert read.status == 200 and read.json["ai"]["model"] == "gpt-4o"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for w in writers:
        w.join()


def test_a_write_blocked_past_the_busy_timeout_is_503(make_service):
    service = make_service()
    user = service.client()
    user.login()
    holder = sqlite3.connect(service.db, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        reply = user.put("/api/v1/settings/user", {"ai": {"temperature": 1.0}})
        assert reply.status == 503
        assert reply.header("retry-after") == "1"
        assert reply.json["error"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert user.put("/api/v1/settings/user", {"ai": {"temperature": 1.0}}).status == 200


def test_eight_concurrent_writers_on_one_user(service):
    user = service.client()
    user.login()
    fields = [("ai", "temperature", lambda i: i / 100), ("ai", "model", lambda i: f"m{i}"),
              ("workflow", "copilot_polling_interval", lambda i: i),
              ("display", "sidebar_collapsed", lambda i: i % 2 == 0),
              ("notifications", "task_status_change", lambda i: i % 2 == 0),
              ("notifications", "agent_completion", lambda i: i % 2 == 1),
              ("notifications", "new_recommendation", lambda i: i % 2 == 0),
              ("notifications", "chat_mention", lambda i: i % 2 == 1)]
    failures = []

    def write(section, key, value_of):
        client = type(user)(user.port)
        client.cookie = user.cookie
        for i in range(1, 21):
            reply = client.put("/api/v1/settings/user", {section: {key: value_of(i)}})
            if reply.status != 200:
                failures.append(reply)

    threads = [threading.Thread(target=write, args=f) for f in fields]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    final = user.get("/api/v1/settings/user").json
    for section, key, value_of in fields:
        assert final[section][key] == value_of(20), (section, key)


def test_nothing_sensitive_reaches_the_log(make_service, github):
    service = make_service(env={"GITHUB_CLIENT_ID": "client-id", "GITHUB_CLIENT_SECRET":
                                "very-secret-value", "GITHUB_OAUTH_URL": github.url,
                                "GITHUB_API_URL": github.url})
    user = service.client()
    user.login()
    user.put("/api/v1/settings/user", {"ai": {"model": "body-marker-model"}})
    user.put("/api/v1/settings/user", {"ai": {"model": "x" * 300}})
    cookie = user.cookie
    user.post("/api/v1/auth/logout", {})
    from conftest import query_of
    browser = service.client()
    state = query_of(browser.get("/api/v1/auth/github").header("location"))["state"]
    callback = browser.get(f"/api/v1/auth/github/callback?code=good-code&state={state}")
    assert callback.status == 302
    service.stop()
    log = service.log()
    assert "DEBUG" in log
    for secret in [cookie, "body-marker-model", "very-secret-value", "gho_fake_token_1",
                   "good-code", state]:
        assert secret not in log, secret
