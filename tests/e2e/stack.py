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
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
CLOCK = Path(__file__).resolve().with_name("clock")  # its sitecustomize travels


def flask_argv(*args) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "run", *args]

SITE_ENV = {"gps": {"SITE": "gps"},
            "pds": {"SITE": "trading", "PLATFORM_CODE": "410400"},
            "fc": {"SITE": "trading", "PLATFORM_CODE": "411322"}}
DB_ENV = {"gps": "DATABASE_URL_GPS", "pds": "DATABASE_URL_TRADING_410400",
          "fc": "DATABASE_URL_TRADING_411322"}
HEALTH_TOKEN = "test-health-token"
PEER_CODE = {"gps": "gps", "pds": "410400", "fc": "411322"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout=30.0, interval=0.2, what="condition"):
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

    def site_env(self, key) -> dict:
        # Each stack's processes report to /health through a folder of their
        # own, so stacks running side by side never see each other.
        return {**self.env, **SITE_ENV[key],
                "SYNC_STATUS_DIR": str(self.logdir / f"sync-status-{key}")}

    def url(self, key) -> str:
        return f"http://127.0.0.1:{self.ports[key]}"

    def point_peers_at_ports(self):
        """The template's peers point at the demo ports; aim them at ours."""
        for key in self.db_urls:
            for other in self.db_urls:
                if other != key:
                    self.python(key, "from app.models import Peer\n"
                                f"p = db.session.get(Peer, {PEER_CODE[other]!r})\n"
                                f"if p: p.base_url = {self.url(other)!r}\n"
                                "db.session.commit()")

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
        env = self.site_env(key)
        log = open(self.logdir / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(flask_argv(*args), cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def start_site(self, key):
        self.start(f"web-{key}", key, "run", "--host", "127.0.0.1",
                   "--port", str(self.ports[key]), "--no-reload")
        wait_for(lambda: self._healthy(key), 30, what=f"{key} /health")

    def start_worker(self, key):
        self.start(f"worker-{key}", key, "sync", "worker")

    def start_cron(self, key):
        self.start(f"cron-{key}", key, "sync", "cron", "--every", str(self.sweep_every))

    def start_all(self):
        self.point_peers_at_ports()
        for key in self.db_urls:
            self.start_site(key)
            self.start_worker(key)
            self.start_cron(key)

    def stop(self, name, sig=signal.SIGTERM):
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def stop_all(self):
        for name in list(self.procs):
            self.stop(name)

    def _healthy(self, key):
        try:
            return requests.get(self.url(key) + "/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

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
        """Read the site's database through its own app (works for SQLite and PostgreSQL)."""
        out = self.python(key, "import json\nfrom sqlalchemy import text\n"
                          f"print(json.dumps([list(r) for r in db.session.execute(text({sql!r}))],"
                          " default=str))")
        return json.loads(out.strip().splitlines()[-1])


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
