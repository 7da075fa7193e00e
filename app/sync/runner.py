"""The long-running sync processes, made to ride out a Redis outage.

RQ's worker and CronScheduler give up when Redis goes away for a few seconds
(a heartbeat or a registry write raises, and they exit). Messages are safe
in the outbox, but nothing delivers them until someone restarts the
processes. So each process here:

- runs RQ inside a loop: when RQ's own loop ends without a stop request, the
  process logs it, waits for Redis with exponential backoff (1 s … 30 s,
  jittered) and starts a fresh RQ worker or scheduler; the sweeper then finds
  whatever was filed meanwhile (it reads the database);
- keeps a small status file (one per process, rewritten every 2 s by a
  thread that pings Redis) which GET /health lists under `sync_processes`:
  whether it currently reaches Redis, its last Redis error and when.

`flask sync worker` without options is a supervisor: it forks one worker
process per active peer's queue and one for the sweep queue, so a slow or
hung peer only ever holds up its own queue, and restarts a child that dies.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import os
import random
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import redis
from flask import current_app
from rq import SimpleWorker
from rq.cron import CronScheduler

log = logging.getLogger("sync.process")

BACKOFF_FIRST = 1.0  # seconds
BACKOFF_MAX = 30.0
WATCH_EVERY = 2.0  # seconds between the status thread's pings
STATUS_MAX_AGE = 30  # seconds: an older status file belongs to a process that is gone
# RQ restarts its scheduler (delayed retries) in its maintenance pass; the
# default 600 s would leave retries waiting that long after a blip.
MAINTENANCE_INTERVAL = 30


def backoff(first: float = BACKOFF_FIRST, cap: float = BACKOFF_MAX, rng=random.random):
    """1, 2, 4 … cap seconds, each ±20 % so that many processes do not
    reconnect in lockstep."""
    delay = first
    while True:
        yield delay * (0.8 + 0.4 * rng())
        delay = min(delay * 2, cap)


def status_dir(app=None) -> Path:
    app = app or current_app
    return Path(app.config.get("SYNC_STATUS_DIR") or Path(app.instance_path) / "sync-status")


class ProcessStatus:
    """This process's view of Redis, as a JSON file that /health reads."""

    def __init__(self, role: str, directory: Path, site_id: str):
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{role}-{os.getpid()}.json"
        self._lock = threading.Lock()
        self.data = {"role": role, "pid": os.getpid(), "site": site_id,
                     "started_at": _now(), "redis": "ok", "last_redis_error": None,
                     "last_redis_error_at": None, "reconnects": 0, "updated_at": _now()}

    @property
    def reconnecting(self) -> bool:
        return self.data["redis"] != "ok"

    def redis_down(self, exc: BaseException) -> None:
        with self._lock:
            if not self.reconnecting:
                log.warning("%s: Redis 不可用（%s），将自动重连", self.data["role"], exc)
            self.data.update(redis="reconnecting", last_redis_error=f"{type(exc).__name__}: {exc}"[:300],
                             last_redis_error_at=_now())
        self.write()

    def redis_up(self) -> None:
        with self._lock:
            if self.reconnecting:
                log.warning("%s: Redis 已恢复，继续处理", self.data["role"])
                self.data["reconnects"] += 1
            self.data["redis"] = "ok"
        self.write()

    def write(self) -> None:
        with self._lock:
            self.data["updated_at"] = _now()
            text = json.dumps(self.data, ensure_ascii=False)
        # Write then rename: /health never reads half a file.
        tmp = self.path.with_suffix(".tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # a full disk must not stop deliveries
            log.warning("could not write %s: %s", self.path, exc)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


class RedisWatch(threading.Thread):
    """Pings Redis every WATCH_EVERY seconds on a client of its own and keeps
    the status file current, whatever RQ is doing (blocked in BLPOP, running
    a job, or waiting out an outage)."""

    def __init__(self, url: str, status: ProcessStatus):
        super().__init__(name="redis-watch", daemon=True)
        self.client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        self.status = status

    def run(self) -> None:
        while True:
            if ping(self.client, self.status):
                self.status.write()  # the heartbeat /health uses to tell live from gone
            time.sleep(WATCH_EVERY)


def ping(client: redis.Redis, status: ProcessStatus) -> bool:
    try:
        client.ping()
    except redis.RedisError as exc:
        status.redis_down(exc)
        return False
    status.redis_up()
    return True


def wait_for_redis(client: redis.Redis, status: ProcessStatus, what: str) -> None:
    """Block until Redis answers, backing off. SIGTERM/SIGINT end the process
    here: RQ's own handlers, left behind by the loop that just ended, would
    try to talk to Redis."""
    signal.signal(signal.SIGTERM, _exit_now)
    signal.signal(signal.SIGINT, _exit_now)
    for delay in backoff():
        if ping(client, status):
            log.warning("%s: 重新连接 Redis 成功，重新启动", what)
            return
        log.warning("%s: Redis 仍不可用（%s），%.1f 秒后重试", what,
                    status.data["last_redis_error"], delay)
        time.sleep(delay)


def _exit_now(signum, frame):
    raise SystemExit(0)


class SyncWorker(SimpleWorker):
    """RQ's SimpleWorker that remembers being asked to stop, so that the loop
    below can tell "stop" from "RQ gave up on Redis"."""

    stop_asked = False

    def request_stop(self, signum, frame):
        self.stop_asked = True  # first: RQ's handler itself may fail without Redis
        super().request_stop(signum, frame)

    def request_force_stop(self, signum, frame):
        # The supervisor passes SIGTERM on, and a process-group or systemd stop
        # also reaches this process directly: a second SIGTERM is that same
        # stop, not a request to abandon the delivery in flight. A second
        # Ctrl-C still forces it.
        if signum == signal.SIGTERM:
            self.log.info("已在停止中：完成当前投递后退出")
            return
        super().request_force_stop(signum, frame)


class SyncCronScheduler(CronScheduler):
    """RQ's CronScheduler that remembers being asked to stop (see SyncWorker)."""

    stop_asked = False

    def _request_stop(self, signum, frame):
        if self.stop_asked:
            return  # the same stop, delivered twice (see SyncWorker)
        self.stop_asked = True
        super()._request_stop(signum, frame)


@contextmanager
def _watched(role: str):
    """A sync process's status file and Redis watch, for the worker and the
    cron alike; the status file goes when the process does."""
    from . import queues

    _log_to_stderr()
    status = ProcessStatus(role, status_dir(), queues.site_id())
    RedisWatch(current_app.config["REDIS_URL"], status).start()
    try:
        yield status, queues.connection()
    finally:
        status.remove()


def run_worker(queue_names: list[str], role: str, *, burst: bool = False) -> None:
    """An RQ worker on these queues that outlives Redis outages."""
    with _watched(role) as (status, client):
        while True:
            worker = None
            try:
                worker = SyncWorker(queue_names, connection=client,
                                    maintenance_interval=MAINTENANCE_INTERVAL)
                worker.work(with_scheduler=True, burst=burst, logging_level="INFO")
            except redis.RedisError as exc:  # at start-up, or from RQ's teardown
                status.redis_down(exc)
            if (worker is not None and worker.stop_asked) or (burst and not status.reconnecting):
                return
            log.warning("%s: RQ worker loop ended without a stop request; waiting for Redis", role)
            wait_for_redis(client, status, role)


def run_cron(role: str, name: str, register) -> None:
    """RQ's CronScheduler, started again after each Redis outage.
    `register(scheduler)` adds the jobs to a new scheduler."""
    with _watched(role) as (status, client):
        while True:
            scheduler = None
            try:
                scheduler = SyncCronScheduler(connection=client, name=name,
                                              logging_level="WARNING")
                register(scheduler)
                scheduler.start()
            except redis.RedisError as exc:
                status.redis_down(exc)
            if scheduler is not None and scheduler.stop_asked:
                return
            log.warning("%s: cron scheduler ended without a stop request; waiting for Redis", role)
            wait_for_redis(client, status, role)


def read_statuses(directory: Path, max_age: float = STATUS_MAX_AGE) -> list[dict]:
    """The live processes' status files (those rewritten lately)."""
    found = []
    cutoff = time.time() - max_age
    try:
        paths = sorted(directory.glob("*.json"))
    except OSError:
        return found
    for path in paths:
        try:
            if path.stat().st_mtime < cutoff:
                continue
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # gone or being replaced this very moment
    return found


# The children are forks of the supervisor, which has built the app already:
# each of them exec'ing `flask sync worker --peer …` built it again, about
# 3 s of CPU per worker (a site with two peers started four apps to run three
# workers; an end-to-end test stack, 16 app starts, spent 47 s coming up).
_FORK = multiprocessing.get_context("fork")


def _child(run: Callable[[], None]) -> None:
    # The supervisor's stop handler only sets its own flag: a child must stop
    # on SIGTERM (RQ installs its own handlers once its loop runs).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    run()


def _fork(name: str, run: Callable[[], None]):
    proc = _FORK.Process(target=_child, args=(run,), name=name)
    proc.start()
    return proc


def supervise(children: dict[str, Callable[[], None]]) -> int:
    """Run each function in a forked child process, restart any that dies
    (with backoff), and pass SIGTERM/SIGINT on. Returns when all have stopped."""
    _log_to_stderr()
    procs: dict = {}
    delays = {name: backoff() for name in children}
    restart_at: dict[str, float] = {}
    stopping = threading.Event()

    def stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for name, run in children.items():
        procs[name] = _fork(name, run)
        log.info("started %s (pid %s)", name, procs[name].pid)
    while not stopping.is_set():
        for name, proc in procs.items():
            if proc.is_alive():
                continue
            if name not in restart_at:
                wait = next(delays[name])
                log.error("%s (pid %s) exited with status %s; restarting in %.1f s",
                          name, proc.pid, proc.exitcode, wait)
                restart_at[name] = time.monotonic() + wait
            elif time.monotonic() >= restart_at[name]:
                del restart_at[name]
                proc.close()
                procs[name] = _fork(name, children[name])
                log.warning("restarted %s (pid %s)", name, procs[name].pid)
        stopping.wait(0.5)
    for proc in procs.values():
        if proc.is_alive():
            proc.terminate()  # SIGTERM
    deadline = time.monotonic() + 60  # a delivery in flight may take its read timeout
    for proc in procs.values():
        proc.join(max(deadline - time.monotonic(), 0.1))
        if proc.is_alive():
            proc.kill()
            proc.join()
    return 0


def _log_to_stderr() -> None:
    """These processes log their reconnects to stderr (the journal, or the
    devstack terminal); the app configures no logging handler of its own."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")
