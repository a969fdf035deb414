"""Fixtures for the HTTP tests: a real settings-service on a free loopback port
with a temporary database, a small HTTP client, and a fake GitHub."""

import http.client
import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

import pytest

BINARY = os.environ.get("SETTINGS_SERVICE_BINARY", "build/service/settings-service")
FRONTEND = "http://localhost:5173"
# SETTINGS_TEST_ENGINE=postgresql runs a suite against PostgreSQL: every Service
# gets a fresh database on the test cluster of SETTINGS_TEST_POSTGRES_URL.
ENGINE = os.environ.get("SETTINGS_TEST_ENGINE", "sqlite")


def new_postgres_database():
    """A fresh, empty database on the test cluster; its connection URL."""
    admin = os.environ.get("SETTINGS_TEST_POSTGRES_URL")
    assert admin, "SETTINGS_TEST_POSTGRES_URL is not set (scripts/test.sh starts a cluster)"
    name = "svc_" + secrets.token_hex(8)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", admin, "-c",
                    f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return admin.rsplit("/", 1)[0] + "/" + name


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (lower-case name, value)
        self.body = body

    def header(self, name):
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def all(self, name):
        return [value for key, value in self.headers if key == name]

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Reply {self.status} {self.body[:300]!r}>"


class Client:
    """HTTP/1.1 client with a cookie jar slot for session_id and one for
    oauth_login (a GitHub login in progress)."""

    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.login_cookie = None

    def request(self, method, path, body=None, headers=None, raw=None, cookie=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        sent = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        jar = []
        if cookie and self.cookie is not None:
            jar.append(f"session_id={self.cookie}")
        if cookie and self.login_cookie is not None:
            jar.append(f"oauth_login={self.login_cookie}")
        if jar:
            sent["Cookie"] = "; ".join(jar)
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        reply = Reply(response.status, [(k.lower(), v) for k, v in response.getheaders()],
                      response.read())
        conn.close()
        for value in reply.all("set-cookie"):
            match = re.match(r"session_id=([^;]*)", value)
            if match:
                self.cookie = match.group(1) or None
            match = re.match(r"oauth_login=([^;]*)", value)
            if match:
                self.login_cookie = match.group(1) or None
        return reply

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def login(self, username="octocat", **extra):
        reply = self.post("/api/v1/auth/dev-login", {"username": username, **extra})
        assert reply.status == 200, reply
        return reply.json


class Service:
    """One settings-service process; restartable on the same database."""

    def __init__(self, tmp_path, env=None, args=None, database_url=None):
        self.db = tmp_path / "data" / "settings.db"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PORT": "0",
            "DEV_LOGIN": "1",
            "LOG_LEVEL": "debug",
            "SESSION_CLEANUP_INTERVAL": "3600",
            # The suites write far faster than a person; test_quotas.py sets
            # its own limits.
            "WRITE_RATE_LIMIT": "0",
        }
        if database_url is None and ENGINE == "postgresql":
            database_url = new_postgres_database()
        if database_url is None:
            self.env["DATABASE_PATH"] = str(self.db)
        else:
            self.env["DATABASE_URL"] = database_url
        self.env.update(env or {})
        self.args = list(args or [])
        self.process = None
        self.lines = []
        self.port = None

    def start(self, expect_listening=True):
        self.lines = []
        # A log line that is not UTF-8 must not stop the reader (the service would
        # then block on a full pipe).
        self.process = subprocess.Popen([BINARY, *self.args], env=self.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, errors="backslashreplace")
        ready = threading.Event()

        def pump(stream):
            for line in stream:
                self.lines.append(line)
                match = re.search(r"listening on http://[^ ]+:(\d+)", line)
                if match:
                    self.port = int(match.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=pump, args=(self.process.stderr,), daemon=True).start()
        threading.Thread(target=pump, args=(self.process.stdout,), daemon=True).start()
        if expect_listening:
            assert ready.wait(15), "the service did not start:\n" + self.log()
            assert self.port, "the service exited:\n" + self.log()
        return self

    def client(self):
        return Client(self.port)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout)
        time.sleep(0.05)  # let the pump threads read the last lines
        self.process = None
        return code

    def restart(self, sig=signal.SIGTERM):
        self.stop(sig)
        return self.start()

    def run_to_exit(self, timeout=15):
        self.start(expect_listening=False)
        code = self.process.wait(timeout)
        time.sleep(0.05)
        self.process = None
        return code

    def log(self):
        return "".join(self.lines)

    def sql(self, statement):
        """Runs one statement on this service's database from another process (as
        an operator or a second host would); the first column of each row."""
        url = self.env.get("DATABASE_URL")
        if url:
            out = subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", url, "-c", statement],
                                 check=True, capture_output=True, text=True).stdout
            return out.splitlines()
        db = sqlite3.connect(self.db)
        with db:
            rows = [str(row[0]) for row in db.execute(statement)]
        db.close()
        return rows


@pytest.fixture
def make_service(tmp_path):
    services = []

    def make(env=None, args=None, start=True):
        service = Service(tmp_path, env, args)
        services.append(service)
        return service.start() if start else service

    yield make
    for service in services:
        if service.process is not None and service.process.poll() is None:
            service.process.kill()
            service.process.wait()


class Hosts:
    """Services on one database of `engine`: processes on one SQLite file, or on
    one PostgreSQL database of the test cluster. Killed at the end."""

    def __init__(self, tmp_path, engine):
        self.tmp_path = tmp_path
        self.url = new_postgres_database() if engine == "postgresql" else None
        self.started = []

    def start(self, count=2, env=None):
        for _ in range(count):
            self.started.append(Service(self.tmp_path, env=env, database_url=self.url).start())
        return self.started[-count:]

    def kill(self):
        for service in self.started:
            if service.process is not None and service.process.poll() is None:
                service.process.kill()
                service.process.wait()


@pytest.fixture
def hosts(tmp_path):
    """start(count, env) -> that many services on one database of the suite's engine."""
    on_one_database = Hosts(tmp_path, ENGINE)
    yield on_one_database.start
    on_one_database.kill()


def signed_in_pair(a, b, username):
    """A client signed in on host a, and one on host b with the same cookie."""
    on_a = a.client()
    on_a.login(username)
    on_b = b.client()
    on_b.cookie = on_a.cookie
    return on_a, on_b


@pytest.fixture
def service(make_service):
    return make_service()


@pytest.fixture
def client(service):
    return service.client()


@pytest.fixture
def user(client):
    client.login()
    return client


class FakeGitHub:
    """GitHub's OAuth, user and GraphQL endpoints on 127.0.0.1, answering from tables.

    `codes` maps authorization codes to (access token, user); `refresh_tokens` maps
    refresh tokens to the access token a refresh issues; `expires_in` and
    `refresh_token` are added to code exchanges when set; `revoked` access tokens
    are refused; `projects` maps access tokens' users to their GraphQL `viewer`."""

    def __init__(self):
        self.codes = {"good-code": ("gho_fake_token_1", {"id": 583231, "login": "octocat",
                                                         "avatar_url": "https://avatars/u/1"})}
        self.token_requests = []
        self.graphql_requests = []
        self.refresh_tokens = {}
        self.refresh_token = None
        self.expires_in = None
        self.revoked = set()
        self.viewer = {"projectsV2": {"nodes": []}, "organizations": {"nodes": []}}
        # While `gate` is set to an unset threading.Event, token requests wait for
        # it; in_flight / max_in_flight count them meanwhile.
        self.gate = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def token(self):
                return self.headers.get("Authorization", "").removeprefix("Bearer ")

            def known_token(self):
                token = self.token()
                known = {access for access, _ in fake.codes.values()}
                known |= set(fake.refresh_tokens.values())
                return token in known and token not in fake.revoked

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if urlparse(self.path).path == "/graphql":
                    fake.graphql_requests.append((self.token(), body))
                    if not self.known_token():
                        return self.reply(401, {"message": "Bad credentials"})
                    return self.reply(200, {"data": {"viewer": fake.viewer}})
                fake.token_requests.append((self.path, dict(self.headers), body))
                if fake.gate is not None:
                    with fake.lock:
                        fake.in_flight += 1
                        fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                    fake.gate.wait(30)
                    with fake.lock:
                        fake.in_flight -= 1
                if urlparse(self.path).path != "/login/oauth/access_token":
                    return self.reply(404, {"message": "Not Found"})
                if body.get("grant_type") == "refresh_token":
                    access = fake.refresh_tokens.get(body.get("refresh_token"))
                    if access is None:
                        return self.reply(200, {"error": "bad_refresh_token"})
                    return self.reply(200, {"access_token": access, "token_type": "bearer",
                                            "refresh_token": body["refresh_token"],
                                            "expires_in": 28800})
                entry = fake.codes.get(body.get("code"))
                if entry is None:
                    return self.reply(200, {"error": "bad_verification_code"})
                answer = {"access_token": entry[0], "token_type": "bearer", "scope": "read:user"}
                if fake.refresh_token:
                    answer["refresh_token"] = fake.refresh_token
                if fake.expires_in:
                    answer["expires_in"] = fake.expires_in
                self.reply(200, answer)

            def do_GET(self):
                if urlparse(self.path).path != "/user":
                    return self.reply(404, {"message": "Not Found"})
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                for access, user in fake.codes.values():
                    if access == token:
                        return self.reply(200, user)
                self.reply(401, {"message": "Bad credentials"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def github():
    fake = FakeGitHub()
    yield fake
    fake.close()


def query_of(location):
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
