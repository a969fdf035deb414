"""Raw-socket HTTP helpers for the hostile, fault and crash tests: send exactly
the bytes we mean (http.client refuses most malformed input), read what comes
back, and look at the service process from outside (/proc)."""

import json
import os
import re
import socket
import sqlite3
import time

STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3}) [^\r\n]*")


class RawReply:
    """What one connection received: the first response, parsed, and how the
    connection ended (closed by the server, reset, or still open at the timeout)."""

    def __init__(self, data, ending, elapsed):
        self.data = data
        self.ending = ending  # "eof", "reset" or "timeout"
        self.elapsed = elapsed
        self.status = None
        self.headers = []  # (lower-case name, value) as bytes -> str
        self.header_lines = []
        self.body = b""
        self.complete = False
        self._parse()

    def _parse(self):
        head, sep, rest = self.data.partition(b"\r\n\r\n")
        if not sep:
            return
        lines = head.split(b"\r\n")
        match = STATUS_LINE.fullmatch(lines[0])
        if not match:
            return
        self.status = int(match.group(1))
        self.header_lines = lines[1:]
        for line in self.header_lines:
            name, _, value = line.partition(b":")
            self.headers.append((name.strip().lower().decode("latin-1"),
                                 value.strip().decode("latin-1")))
        length = self.header("content-length")
        if length is not None and length.isdigit():
            self.body = rest[:int(length)]
            self.complete = len(rest) >= int(length)
        else:
            self.body = rest

    def header(self, name):
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def closed(self):
        return self.ending in ("eof", "reset")

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return (f"<RawReply status={self.status} ending={self.ending} "
                f"{self.elapsed * 1000:.1f} ms {self.data[:300]!r}>")


def connect(port, timeout=5.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_all(sock, timeout=5.0, stop_after_response=False):
    """Reads until the server closes the connection (or resets it), or until
    `timeout` seconds pass. With stop_after_response, returns as soon as one
    complete response is in (for keep-alive connections)."""
    data = b""
    ending = "timeout"
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            ending = "reset"
            break
        if not chunk:
            ending = "eof"
            break
        data += chunk
        if stop_after_response and RawReply(data, "timeout", 0).complete:
            break
    return data, ending


def exchange(port, data, timeout=5.0, half_close=False, stop_after_response=False):
    """One request (or any bytes) on a fresh connection; returns a RawReply.
    half_close shuts our sending side after `data`, so a server waiting for
    more sees end-of-stream at once."""
    started = time.monotonic()
    sock = connect(port, timeout)
    try:
        try:
            if data:
                sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may refuse (and close) before it has read everything
        received, ending = read_all(sock, timeout, stop_after_response)
    finally:
        sock.close()
    return RawReply(received, ending, time.monotonic() - started)


def request_bytes(method, target, headers=(), body=b"", version=b"HTTP/1.1"):
    """A request head from parts, every piece already bytes or str (latin-1)."""

    def b(x):
        return x if isinstance(x, bytes) else x.encode("latin-1")

    lines = [b(method) + b" " + b(target) + b" " + b(version)]
    for name, value in headers:
        lines.append(b(name) + b": " + b(value))
    return b"\r\n".join(lines) + b"\r\n\r\n" + b(body)


def timed_health(port, timeout=5.0):
    """GET /api/v1/health on a fresh connection; returns (seconds, RawReply)."""
    started = time.perf_counter()
    reply = exchange(port, b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                     timeout=timeout)
    return time.perf_counter() - started, reply


def proc_status(pid, key):
    """A numeric field of /proc/PID/status in kB (VmRSS, VmHWM, Threads...)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def integrity(db_path):
    """PRAGMA integrity_check of a database file, as its single result string
    (or every line joined when SQLite found problems)."""
    db = sqlite3.connect(db_path, timeout=10)
    try:
        rows = db.execute("PRAGMA integrity_check").fetchall()
    finally:
        db.close()
    return "\n".join(row[0] for row in rows)
