"""A real gunicorn on a bench county and a light keep-alive HTTP client that logs in through the login form.

Used by bench_memory.py (one worker, its peak RSS) and bench_load.py (four workers, many clients). The server is
always stopped on leaving the `with` block, also when the bench fails.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from pipeline.demo import DEMO_USERS

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORDS = {username: password for username, _role, password, _name, _firm in DEMO_USERS}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GunicornServer:
    """`gunicorn -w <workers> wsgi:app` on 127.0.0.1 against database_url, for the length of a `with` block."""

    def __init__(self, database_url: str, *, workers: int = 1, threads: int = 1, timeout: int = 900):
        self.port = free_port()
        self.database_url, self.workers, self.threads, self.timeout = database_url, workers, threads, timeout
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> GunicornServer:
        env = {**os.environ, "DATABASE_URL": self.database_url, "PIPELINE_ENV": "development",
               "PYTHONPATH": str(ROOT), "MAIL_SERVER": "", "PIPELINE_LEADER_EMAILS": ""}
        command = [str(GUNICORN), "-w", str(self.workers), "--threads", str(self.threads), "-b",
                   f"127.0.0.1:{self.port}", "--timeout", str(self.timeout), "--log-level", "warning", "wsgi:app"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (our own venv's gunicorn)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_until_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            if len(self.worker_pids()) == self.workers:
                try:
                    status, _body = Client(self.port).get("/login")
                    if status == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within a minute")

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def memory_mb(pid: int) -> dict[str, float]:
    """The process's current (VmRSS) and peak (VmHWM) resident memory in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # ended meanwhile
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / os.sysconf("SC_CLK_TCK")


class Client:
    """One keep-alive HTTP/1.1 connection with the session cookie; light enough for 16 of them on 2 cores."""

    def __init__(self, port: int, *, source: str | None = None, timeout: float = 900):
        # source: a loopback address of the client's own (127.0.0.N), for limits counted per client address
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                                     source_address=(source, 0) if source else None)
        self.cookies: dict[str, str] = {}
        self.location = ""  # the Location header of the last response (where a POST redirected)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.connection.close()  # the server closed an idle keep-alive connection: one retry on a new one
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        self.location = response.headers.get("Location", "")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        status, body = self.get(path)
        match = _CSRF.search(body.decode("utf-8", "replace"))
        if status != 200 or match is None:
            raise RuntimeError(f"no CSRF token on {path} (HTTP {status})")
        return match.group(1)

    def post(self, path: str, form: dict, *, token_from: str) -> tuple[int, bytes]:
        """POST a form with the CSRF token of the page it is on, as a browser does."""
        return self.request("POST", path, {**form, "csrf_token": self.csrf_token(token_from)})

    def log_in(self, username: str) -> Client:
        status, _body = self.post("/login", {"username": username, "password": PASSWORDS[username], "next": ""},
                                  token_from="/login")
        if status != 302:
            raise RuntimeError(f"login of {username} failed: HTTP {status}")
        return self

    def close(self) -> None:
        self.connection.close()
