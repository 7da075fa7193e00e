"""The two site databases, and the GPS side of the run, in this process.

Databases are built once like tests/conftest.py builds its templates
(migrations, roles, demo data) and copied for every scenario, so each
scenario starts from the same empty inbox and outbox.
"""
import contextlib
import datetime as dt
import logging
import shutil
import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine, text

SITES = {"gps": ("gps", None), "trading": ("trading", "410400")}
TARGET = "410400"
PLAN_TYPE = "plan.filed"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def build_templates(workdir: Path, trading_url: str) -> dict[str, Path]:
    """Migrated, role-synced, demo-loaded SQLite files; GPS's peer 410400 aimed at
    `trading_url`. Needs INSTANCE_ROOT and REDIS_URL in the environment."""
    files = {}
    for key, (site, platform) in SITES.items():
        files[key] = workdir / f"template-{key}.db"
        _build_one(site, platform, sqlite_url(files[key]), trading_url)
    return files


def _build_one(site: str, platform: str | None, url: str, trading_url: str) -> None:
    from flask_migrate import upgrade

    from app import create_app, demo
    from app.extensions import db
    from app.models import Peer
    from app.security import sync_roles

    app = create_app(site, {"SQLALCHEMY_DATABASE_URI": url}, platform=platform)
    with app.app_context():
        upgrade()
        logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)  # roles sync chatter
        sync_roles(app.appbuilder, app.config["SITE"])
        demo.load(app)
        if site == "gps":
            db.session.get(Peer, TARGET).base_url = trading_url
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def copy_templates(templates: dict[str, Path], workdir: Path, tag: str,
                   wal: bool = False) -> dict[str, str]:
    """Fresh copies for one scenario; `wal` switches them to WAL journalling
    (a property of the file, so the unchanged app then runs on WAL)."""
    urls = {}
    for key, template in templates.items():
        target = workdir / f"{tag}-{key}.db"
        shutil.copyfile(template, target)
        if wal:
            _set_wal(target)
        urls[key] = sqlite_url(target)
    return urls


def _set_wal(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


@contextlib.contextmanager
def gps_app(db_url: str):
    """The GPS site in this process, to commit outbox messages as the web app does."""
    from app import create_app
    from app.extensions import db

    app = create_app("gps", {"SQLALCHEMY_DATABASE_URI": db_url})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


# --- producing messages (inside gps_app) ------------------------------------

def _unit() -> dict:
    from app.demo import ORGS
    from app.rules.credit_code import complete

    _key, name, _type, region, prefix = ORGS[0][:5]
    return {"name": name, "credit_code": complete(prefix), "region_code": region}


def plan_payload(plan_no: str, unit: dict) -> dict:
    """A valid PlanPayload (app/sync/messages/plan.py) of a typical size."""
    return {"plan_no": plan_no, "project_name": f"基准测试采购项目 {plan_no}", "unit": unit,
            "agency": None, "procurement_method": "公开招标", "category": "货物",
            "item_name": "台式计算机", "budget": "1500000.00", "fund_source": "财政性资金",
            "expected_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            "contact": "张经办", "phone": "0375-0000000",
            "filed_at": dt.datetime.now().isoformat(timespec="seconds")}


def _send(prefix: str, i: int, unit: dict) -> None:
    from app.sync import outbox

    plan_no = f"{prefix}-{i:05d}"
    outbox.send(PLAN_TYPE, TARGET, f"plan:{plan_no}", 1, plan_payload(plan_no, unit))


def produce_backlog(prefix: str, count: int, batch: int = 200) -> float:
    """Commit `count` messages in batches (each commit enqueues its jobs);
    returns the seconds it took."""
    from app.extensions import db

    unit, started = _unit(), time.perf_counter()
    for i in range(count):
        _send(prefix, i, unit)
        if (i + 1) % batch == 0 or i + 1 == count:
            db.session.commit()
    return time.perf_counter() - started


def produce_paced(prefix: str, count: int, rate: float) -> float:
    """One message per transaction, committed on a fixed schedule of `rate`
    per second (catching up if a commit runs late); returns the rate achieved."""
    from app.extensions import db

    unit, started = _unit(), time.perf_counter()
    for i in range(count):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        _send(prefix, i, unit)
        db.session.commit()
    return count / (time.perf_counter() - started)


# --- reading the outcome (any process; plain SQL on both files) -------------

def _rows(db_url: str, sql: str, **params) -> list:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def outbox_states(gps_url: str, prefix: str) -> dict[str, int]:
    rows = _rows(gps_url, "SELECT state, count(*) FROM outbox_message "
                          "WHERE entity_key LIKE :key GROUP BY state", key=f"plan:{prefix}-%")
    return dict(rows)


def retried(gps_url: str, prefix: str) -> int:
    """Messages that needed more than one delivery attempt."""
    return _rows(gps_url, "SELECT count(*) FROM outbox_message WHERE entity_key LIKE :key "
                          "AND attempts > 1", key=f"plan:{prefix}-%")[0][0]


def delivered(gps_url: str, prefix: str) -> int:
    return outbox_states(gps_url, prefix).get("已推送", 0)


def latencies(urls: dict[str, str], prefix: str) -> list[float]:
    """Seconds from the GPS commit (outbox created_at) to the trading site's
    apply (inbox received_at), per message; both are naive local times of
    the same machine clock."""
    key = f"plan:{prefix}-%"
    sent = dict(_rows(urls["gps"], "SELECT message_id, created_at FROM outbox_message "
                                   "WHERE entity_key LIKE :key", key=key))
    got = _rows(urls["trading"], "SELECT message_id, received_at FROM inbox_message "
                                 "WHERE entity_key LIKE :key", key=key)
    return [(_when(received) - _when(sent[mid])).total_seconds()
            for mid, received in got if mid in sent]


def _when(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
