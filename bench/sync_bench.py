"""Plan sync GPS → trading site 410400: throughput and commit→applied latency,
beside the raw rate of RQ no-op jobs measured in the same run.

    .venv/bin/python bench/sync_bench.py [--messages 2000] [--rate 50]

Everything runs on this machine in a temp directory: its own redis-server,
SQLite copies of both sites (migrations + roles + demo), the trading site's
web server and the workers. Nothing outside the temp directory is touched
except docs/benchmarks.md (the results section), unless --no-docs.
See docs/benchmarks.md for what is measured and how to read it.
"""
import argparse
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis  # noqa: E402
import rq  # noqa: E402
from rq import Queue, Worker  # noqa: E402
from rq.job import Job  # noqa: E402
from rq.registry import FinishedJobRegistry  # noqa: E402

from bench import procs as p  # noqa: E402
from bench import cpu, report, sites  # noqa: E402
from bench.noop import noop  # noqa: E402

NOOP_QUEUE = "bench-noop"
SYNC_QUEUE = f"sync-gps-to-{sites.TARGET}"
SERVER_KINDS = ("flask", "gunicorn-2", "gunicorn-4")
DEFAULT_SERVER = "gunicorn-4"  # as deployed: WEB_WORKERS=4 (docs/deployment.md)


@dataclass
class Run:
    """What every scenario of one run shares."""
    args: argparse.Namespace
    workdir: Path
    procs: p.Processes
    redis_url: str = ""
    trading_port: int = 0
    templates: dict = field(default_factory=dict)
    server: str = ""

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)


@dataclass
class Drain:
    """How fast workers emptied a queue of `items` (no-op jobs, or messages:
    a sync job may deliver a batch of them, and the jobs of the messages it
    took are dropped from the queue)."""
    jobs: int              # RQ jobs that ran
    wall_s: float          # first worker started → last worker exited
    steady_per_s: float    # items / (first job started → last job done)
    mean_job_ms: float     # a job's own run time, as RQ recorded it
    others_cpu: float = 0.0  # share of all CPUs other processes took meanwhile
    cpu_ms_per_job: float = 0.0  # CPU of all our processes (workers, site, Redis) per item


# --- measuring a drained queue ------------------------------------------------

def finished_jobs(run: Run, queue: str) -> list[Job]:
    conn = run.redis()
    ids = FinishedJobRegistry(queue, connection=conn).get_job_ids()
    return [job for job in Job.fetch_many(ids, connection=conn) if job is not None]


def drain_of(jobs: list[Job], wall_s: float, watch: cpu.Watch, items: int | None = None) -> Drain:
    """Steady rate: from the first job's start (the workers are up) to the
    last job's end, so worker start-up is out and a first batch is in."""
    items = items or len(jobs)
    span = (max(j.ended_at for j in jobs) - min(j.started_at for j in jobs)).total_seconds()
    runtime = sum((job.ended_at - job.started_at).total_seconds() for job in jobs)
    return Drain(len(jobs), wall_s, items / span, 1000 * runtime / len(jobs),
                 watch.others, 1000 * watch.ours_s / items)


def run_burst_workers(run: Run, start_workers) -> tuple[float, cpu.Watch]:
    """Start burst workers, wait until the last exits: (seconds, CPU use meanwhile)."""
    with cpu.Watch() as watch:
        started = time.perf_counter()
        for name in start_workers():
            run.procs.wait(name, 900)
        wall = time.perf_counter() - started
    return wall, watch


# --- scenario 1: raw RQ ------------------------------------------------------------

def raw_rq(run: Run, workers: int) -> Drain:
    run.redis().flushall()
    queue = Queue(NOOP_QUEUE, connection=run.redis())
    queue.enqueue_many([Queue.prepare_data(noop, result_ttl=3600)
                        for _ in range(run.args.messages)])
    wall, watch = run_burst_workers(run, lambda: p.start_noop_workers(
        run.procs, workers, run.redis_url, NOOP_QUEUE))
    jobs = finished_jobs(run, NOOP_QUEUE)
    _expect(len(jobs) == run.args.messages, f"{len(jobs)} of {run.args.messages} no-op jobs ran")
    return drain_of(jobs, wall, watch)


# --- scenario 2: sync throughput (a backlog, drained by burst workers) -----------

@dataclass
class SyncRun:
    drain: Drain
    produce_s: float
    latencies: list
    retried: int


def sync_backlog(run: Run, workers: int, messages: int, server: str, tag: str) -> SyncRun:
    """Commit `messages` first (jobs wait in Redis), then time burst workers."""
    urls, prefix = fresh_scenario(run, server, tag), f"B{tag}"
    try:
        with sites.gps_app(urls["gps"]):
            produce_s = sites.produce_backlog(prefix, messages)
        wall, watch = run_burst_workers(run, lambda: p.start_sync_workers(
            run.procs, workers, urls["gps"], burst=True))
    finally:
        run.procs.stop("trading-web")
    states = sites.outbox_states(urls["gps"], prefix)
    _expect(states == {"已推送": messages}, f"outbox after the drain: {states}")
    return SyncRun(drain_of(finished_jobs(run, SYNC_QUEUE), wall, watch, messages), produce_s,
                   sites.latencies(urls, prefix), sites.retried(urls["gps"], prefix))


def fresh_scenario(run: Run, server: str, tag: str) -> dict[str, str]:
    """Empty Redis, fresh copies of both databases, the trading site serving."""
    run.redis().flushall()
    urls = sites.copy_templates(run.templates, run.workdir, tag, wal=run.args.sqlite_wal)
    p.start_trading_site(run.procs, server, run.trading_port, urls["trading"])
    return urls


# --- scenario 3: latency at a fixed offered load (workers already running) -------

@dataclass
class LoadRun:
    offered: float
    achieved: float
    latencies: list
    retried: int
    others_cpu: float


def sync_at_load(run: Run, workers: int, tag: str) -> LoadRun:
    count, rate = run.args.rate * run.args.duration, run.args.rate
    urls, prefix = fresh_scenario(run, run.server, tag), f"L{tag}"
    names = p.start_sync_workers(run.procs, workers, urls["gps"], burst=False)
    try:
        with sites.gps_app(urls["gps"]):
            warm_up(run, urls["gps"], workers, tag)
            with cpu.Watch() as watch:
                achieved = sites.produce_paced(prefix, count, rate)
                p.wait_for(lambda: sites.delivered(urls["gps"], prefix) >= count, 120,
                           "the paced messages to be delivered", interval=0.25)
    finally:
        for name in names + ["trading-web"]:
            run.procs.stop(name)
    return LoadRun(rate, achieved, sites.latencies(urls, prefix),
                   sites.retried(urls["gps"], prefix), watch.others)


def warm_up(run: Run, gps_url: str, workers: int, tag: str) -> None:
    """Steady state: every worker has delivered a message (a worker's first
    job builds the site app again and opens its connections)."""
    conn = run.redis()
    p.wait_for(lambda: Worker.count(connection=conn) == workers, 60, "workers to register",
               interval=0.2)
    for attempt in range(10):
        prefix, batch = f"W{tag}{attempt}", 4 * workers
        sites.produce_backlog(prefix, batch)
        p.wait_for(lambda: sites.delivered(gps_url, prefix) == batch, 60, "warm-up messages",
                   interval=0.1)
        if all(w.successful_job_count > 0 for w in Worker.all(connection=conn)):
            return
    raise RuntimeError("a worker took no warm-up message in 10 rounds")


# --- the whole run ----------------------------------------------------------------

def compare_servers(run: Run) -> dict[str, SyncRun]:
    """For the record: a smaller backlog drained by 2 workers against each server."""
    tried = {}
    for kind in SERVER_KINDS if run.args.compare_servers else ():
        say(f"server comparison: {kind}, {run.args.compare_messages} messages, 2 workers")
        tried[kind] = sync_backlog(run, 2, run.args.compare_messages, kind, f"cmp-{kind}")
        say(f"  {tried[kind].drain.steady_per_s:.1f} messages/s")
    return tried


def measure(run: Run) -> dict:
    results = {"servers": compare_servers(run), "raw": {}, "sync": {}, "load": {}}
    for workers in (1, 2):
        say(f"raw RQ: {run.args.messages} no-op jobs, {workers} worker(s)")
        results["raw"][workers] = raw_rq(run, workers)
        say(f"sync backlog: {run.args.messages} messages, {workers} worker(s), {run.server}")
        results["sync"][workers] = sync_backlog(run, workers, run.args.messages, run.server,
                                                f"sync{workers}")
        say(f"sync at {run.args.rate} msg/s for {run.args.duration} s, {workers} worker(s)")
        results["load"][workers] = sync_at_load(run, workers, f"load{workers}")
    return results


def prepare(run: Run) -> None:
    os.environ.update({"INSTANCE_ROOT": str(run.workdir / "instance"),
                       "AUTH_RATE_LIMIT": "100000 per second", "PYTHONUNBUFFERED": "1"})
    os.environ.pop("DATABASE_URL", None)
    run.redis_url = p.start_redis(run.procs, run.workdir)
    os.environ["REDIS_URL"] = run.redis_url
    run.procs.env = dict(os.environ)
    run.trading_port = p.free_port()
    say("building the site databases (migrations, roles, demo)")
    run.templates = sites.build_templates(run.workdir,
                                          f"http://127.0.0.1:{run.trading_port}")


def machine() -> dict:
    redis_version = subprocess.run(["redis-server", "--version"], capture_output=True,
                                   text=True).stdout.split()[2].removeprefix("v=")
    return {"nproc": os.cpu_count(), "cpu": cpu.model(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "redis": redis_version, "rq": rq.__version__,
            "os": f"{platform.system()} {platform.release()}"}


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--messages", type=int, default=2000,
                    help="messages (and no-op jobs) per drain")
    ap.add_argument("--rate", type=int, default=50, help="offered load, messages/s")
    ap.add_argument("--duration", type=int, default=20, help="seconds of offered load")
    ap.add_argument("--server", default=DEFAULT_SERVER, choices=SERVER_KINDS,
                    help="the trading site's web server for the main measurements")
    ap.add_argument("--no-compare", dest="compare_servers", action="store_false",
                    help="skip the comparison of the trading site's web servers")
    ap.add_argument("--compare-messages", type=int, default=500,
                    help="backlog size for the server comparison")
    ap.add_argument("--sqlite-wal", action="store_true",
                    help="what-if: run both site databases in WAL mode (app unchanged)")
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory (logs, DBs)")
    return ap.parse_args(argv)


def say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise RuntimeError(f"unexpected: {what}")


def main(argv=None) -> int:
    args = parse_args(argv)
    # So `finally` cleans up, also when started in the background (SIGINT ignored).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    workdir = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    run = Run(args, workdir, p.Processes(workdir, dict(os.environ)), server=args.server)
    started = time.perf_counter()
    try:
        prepare(run)
        results = measure(run)
    finally:
        run.procs.stop_all()
        _remove(workdir, args.keep)
    text = report.render(results, machine(), run.server, args,
                         time.perf_counter() - started)
    print(text)
    if not args.no_docs:
        report.update_docs(text)
        say(f"results written to {report.DOCS}")
    return 0


def _remove(workdir: Path, keep: bool) -> None:
    if keep:
        say(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
