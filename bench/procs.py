"""Child processes of a benchmark run: Redis, the trading site, RQ workers.

Each child runs in a session of its own, logs to a file in the run's temp
directory and is stopped (its whole process group) when the run ends, however
it ends. The approach is that of tests/e2e/stack.py.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
# Ports other people's stacks use on this machine.
AVOID_PORTS = {5000, 5001, 5002, 6390, 16390, 16399, *range(15000, 15103)}
TRADING_ENV = {"SITE": "trading", "PLATFORM_CODE": "410400"}
GPS_ENV = {"SITE": "gps"}


def free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in AVOID_PORTS:
            return port


def wait_for(check, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)
    return result


class Processes:
    """Named child processes; `stop_all()` ends every one still running."""

    def __init__(self, logdir: Path, env: dict):
        self.logdir, self.env = logdir, env
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.running[name] = proc
        return proc

    def wait(self, name: str, timeout: float) -> int:
        code = self.running[name].wait(timeout)
        del self.running[name]
        if code != 0:
            raise RuntimeError(f"{name} exited with {code}:\n{self.log_tail(name)}")
        return code

    def stop(self, name: str) -> None:
        proc = self.running.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(5)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logdir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


# --- Redis -----------------------------------------------------------------

def start_redis(procs: Processes, workdir: Path) -> str:
    exe = shutil.which("redis-server")
    if exe is None:
        raise SystemExit("redis-server is not on PATH (apt-get install redis-server)")
    port = free_port()
    procs.start("redis", [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--dir", str(workdir)])
    url = f"redis://127.0.0.1:{port}/0"
    wait_for(lambda: _pings(url), 10, "redis-server")
    return url


def _pings(url: str) -> bool:
    try:
        return redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        return False


# --- the trading site's web server ----------------------------------------

def server_argv(kind: str, port: int) -> list[str]:
    """`flask` (the threaded development server) or `gunicorn-N` (N sync workers)."""
    if kind == "flask":
        return [PYTHON, "-m", "flask", "--app", "run", "run", "--host", "127.0.0.1",
                "--port", str(port), "--no-reload"]
    if kind.startswith("gunicorn-"):
        workers = kind.removeprefix("gunicorn-")
        return [PYTHON, "-m", "gunicorn", "-w", workers, "-b", f"127.0.0.1:{port}",
                "--log-level", "warning", "run:app"]
    raise ValueError(f"unknown server kind {kind!r}")


def start_trading_site(procs: Processes, kind: str, port: int, db_url: str) -> None:
    procs.start("trading-web", server_argv(kind, port),
                {**TRADING_ENV, "DATABASE_URL_TRADING_410400": db_url})
    wait_for(lambda: _healthy(port), 60, "trading site /health", interval=0.2)


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except requests.RequestException:
        return False


# --- workers ------------------------------------------------------------------

def sync_worker_argv(burst: bool) -> list[str]:
    # --peer: one RQ worker on the measured queue per process. Without it,
    # `flask sync worker` is a supervisor of one worker per peer and one for
    # the sweep queue, and `count` would not be the number of workers.
    return [PYTHON, "-m", "flask", "--app", "run", "sync", "worker", "--peer", "410400",
            *(["--burst"] * burst)]


def start_sync_workers(procs: Processes, count: int, gps_db_url: str, burst: bool) -> list[str]:
    names = [f"sync-worker-{i}" for i in range(count)]
    for name in names:
        procs.start(name, sync_worker_argv(burst), {**GPS_ENV, "DATABASE_URL_GPS": gps_db_url})
    return names


def start_noop_workers(procs: Processes, count: int, redis_url: str, queue: str) -> list[str]:
    names = [f"rq-worker-{i}" for i in range(count)]
    for name in names:
        procs.start(name, [PYTHON, "-m", "rq.cli", "worker", "--burst", "-w",
                           "rq.worker.SimpleWorker", "--url", redis_url, queue])
    return names
