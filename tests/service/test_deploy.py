"""deploy/systemd/settings-service.service: the hardened unit of operations.md,
read statically, checked by `systemd-analyze verify` (and its offline security
score) where systemd-analyze exists, and its environment honoured by the
service."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "settings-service.service"
SERVICE = os.environ.get("SETTINGS_SERVICE_BINARY", str(ROOT / "build/service/settings-service"))
ANALYZE = shutil.which("systemd-analyze")


def directives():
    """[(section, key, value)] in file order."""
    out = []
    section = None
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, value = line.split("=", 1)
        out.append((section, key, value))
    return out


def values(key):
    return [value for section, k, value in directives() if k == key and section == "Service"]


def environment():
    env = {}
    for value in values("Environment"):
        for assignment in value.split():
            name, text = assignment.split("=", 1)
            env[name] = text
    return env


def test_the_unit_runs_as_its_own_user_on_a_read_only_system():
    assert values("DynamicUser") == ["yes"] and values("User") == ["settings-service"]
    assert values("ProtectSystem") == ["strict"]
    assert values("NoNewPrivileges") == ["yes"]
    assert values("StateDirectory") == ["settings-service"]
    assert values("CapabilityBoundingSet") == [""]
    # The database lives in the one writable place.
    assert environment()["DATABASE_PATH"] == "%S/settings-service/settings.db"


def test_secrets_come_through_credentials_into_the_file_variables():
    credentials = dict(value.split(":", 1) for value in values("LoadCredential"))
    assert set(credentials) == {"github-client-secret", "token-encryption-key"}
    env = environment()
    assert env["GITHUB_CLIENT_SECRET_FILE"] == "%d/github-client-secret"
    assert env["TOKEN_ENCRYPTION_KEY_FILE"] == "%d/token-encryption-key"
    assert "GITHUB_CLIENT_SECRET" not in env and "TOKEN_ENCRYPTION_KEY" not in env


def test_a_stop_waits_longer_than_the_drain():
    assert values("KillSignal") == ["SIGTERM"]
    assert int(values("TimeoutStopSec")[0]) > 10  # requests in flight get 10 s
    assert set(values("RestartPreventExitStatus")[0].split()) == {"2", "4", "5"}


def unit_for_this_machine(tmp_path):
    """The unit with ExecStart pointing at the binary under test (verify checks
    that the program exists)."""
    text = UNIT.read_text().replace("ExecStart=/usr/local/bin/settings-service",
                                    f"ExecStart={pathlib.Path(SERVICE).resolve()}")
    path = tmp_path / "settings-service.service"
    path.write_text(text)
    return path


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_finds_nothing(tmp_path):
    path = unit_for_this_machine(tmp_path)
    result = subprocess.run([ANALYZE, "verify", str(path)], capture_output=True, text=True)
    # verify only warns about unknown keys and bad values: any line about the
    # file is a finding.
    assert result.returncode == 0, result.stderr
    assert str(path) not in result.stderr + result.stdout, result.stderr


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
def test_the_offline_security_score_is_ok(tmp_path):
    path = unit_for_this_machine(tmp_path)
    result = subprocess.run([ANALYZE, "security", "--offline=yes", str(path)],
                            capture_output=True, text=True)
    if "--offline" in result.stderr:
        pytest.skip("this systemd-analyze has no offline security check")
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 2.0, result.stdout


def test_the_service_honours_the_units_environment(tmp_path):
    env = {name: value.replace("%S/settings-service", str(tmp_path))
           for name, value in environment().items() if not name.endswith("_FILE")}
    env.update({"PORT": "0", "METRICS_ADDR": "127.0.0.1:0", "PATH": "/usr/bin:/bin"})
    process = subprocess.Popen([SERVICE], env=env, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "listening on" in line:
                break
        assert any('"msg":"metrics on http://127.0.0.1:' in line for line in lines), lines
    finally:
        process.terminate()
        assert process.wait(10) == 0
    assert (tmp_path / "settings.db").exists()
