"""operations.md, "Rolling restarts": two settings-service hosts on one
PostgreSQL database behind a local nginx (Debian's, started here with its own
configuration in a temporary folder), under steady load, restarted one after
the other: not one request may fail.

Open-source nginx has no active health checks, so the balancer is passive:
a refused or reset connection and a 503 send the request to the other host
(`proxy_next_upstream`), and a host that failed is left alone for a second.
Readiness is what the restart follows: the next host is restarted only once
the restarted one answers /api/v1/ready with 200 (and nginx's second is up)."""

import http.client
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

from conftest import Service, new_postgres_database

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FAIL_TIMEOUT = 1  # seconds nginx leaves a failed host alone

pytestmark = pytest.mark.skipif(not os.path.exists(NGINX),
                                reason="nginx is not installed (scripts/install-deps.sh test)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream settings {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout={fail_timeout}s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout={fail_timeout}s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://settings;
            proxy_set_header X-Request-Id $request_id;
            # A host that refuses (closed listener), resets (a connection it had
            # not read yet when it stopped) or answers 503 (draining, storage
            # down): the request goes to the other one. GET and PUT are
            # idempotent, so nginx may resend them.
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 2s;
            proxy_read_timeout 15s;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, folder, a, b):
        self.folder = folder
        self.port = free_port()
        os.makedirs(folder, exist_ok=True)
        conf = os.path.join(folder, "nginx.conf")
        with open(conf, "w") as out:
            out.write(NGINX_CONF.format(dir=folder, a=a, b=b, port=self.port,
                                        fail_timeout=FAIL_TIMEOUT))
        self.process = subprocess.Popen([NGINX, "-e", os.path.join(folder, "error.log"),
                                         "-p", folder, "-c", conf],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None, self.process.stderr.read().decode()
                time.sleep(0.05)
        raise AssertionError("nginx did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


class Load:
    """Clients that read and write through the proxy without pause, each on its
    own keep-alive connection, counting every answer that is not 200."""

    def __init__(self, port, cookie, clients=4):
        self.port = port
        self.cookie = cookie
        self.stop = threading.Event()
        self.ok = 0
        self.failures = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(clients)]
        for thread in self.threads:
            thread.start()

    def run(self, index):
        conn = None
        i = 0
        while not self.stop.is_set():
            i += 1
            put = i % 3 == 0
            body = f'{{"ai": {{"model": "m-{index}-{i}"}}}}' if put else None
            headers = {"Cookie": f"session_id={self.cookie}"}
            if put:
                headers["Content-Type"] = "application/json"
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
                conn.request("PUT" if put else "GET", "/api/v1/settings/user", body=body,
                             headers=headers)
                response = conn.getresponse()
                data = response.read()
                outcome = None if response.status == 200 else (response.status, data[:200])
            except (OSError, http.client.HTTPException) as e:
                # The proxy never closes on us; any of these is a lost request.
                outcome = ("exception", repr(e))
                conn = None
            with self.lock:
                if outcome is None:
                    self.ok += 1
                else:
                    self.failures.append(outcome)

    def count(self):
        with self.lock:
            return self.ok

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def wait_ready(service, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if service.client().get("/api/v1/ready").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError("the host did not become ready:\n" + service.log()[-3000:])


def test_two_hosts_restarted_one_after_the_other_lose_no_request(tmp_path):
    url = new_postgres_database()
    ports = [free_port(), free_port()]
    hosts = [Service(tmp_path / f"host{i}", env={"PORT": str(port), "THREADS": "2",
                                                 "LOG_LEVEL": "info"},
                     database_url=url) for i, port in enumerate(ports)]
    nginx = None
    load = None
    try:
        for host in hosts:
            host.start()
            wait_ready(host)
        nginx = Nginx(str(tmp_path / "nginx"), *ports)
        user = hosts[0].client()
        user.login("rolling")
        load = Load(nginx.port, user.cookie)
        time.sleep(1.5)
        assert load.count() > 20, load.failures[:5]
        for round_ in range(2):
            for host in hosts:
                before = load.count()
                assert host.stop() == 0, host.log()[-3000:]  # SIGTERM, then exit 0
                host.start()
                wait_ready(host)
                # nginx tries a failed host again only after fail_timeout (counted
                # in whole seconds) and trusts it again after one answer; until
                # then the other host must stay, or nginx has no live upstream.
                time.sleep(FAIL_TIMEOUT + 2)
                assert load.count() > before, f"no progress in round {round_}"
        time.sleep(1)
        load.finish()
        assert load.failures == [], load.failures[:10]
        assert load.count() > 200
        # Both hosts served traffic after their restart.
        for host in hosts:
            assert "listening on" in host.log()
    finally:
        if load is not None:
            load.finish()
        if nginx is not None:
            nginx.stop()
        for host in hosts:
            if host.process is not None and host.process.poll() is None:
                host.process.kill()
                host.process.wait()
