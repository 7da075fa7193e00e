"""The expert draw against the bare query of its pool, in the same run.

    .venv/bin/python bench/expert_draw_bench.py [--experts 100000] [--repeat 7]

Builds a GPS SQLite database in a temp directory (migrations, roles, demo),
loads `--experts` experts over a 评审专业 tree and the demo regions (2 % with a
declared 回避单位, some employed by the purchaser or a bidder), then times:

- bare: for each of the 3 need rows, a plain indexed SELECT of the ids of
  experts 正常, of the row's speciality subtree and the expert region's
  subtree, sorted by id (no recusal, nothing written);
- draw: app.expert_draw.draw() of an application with those 3 rows (5 正选 +
  2 备选 each) and 3 回避单位: every recusal rule, the seeded pick, the
  recorded pools (JSON), the DrawnExpert rows, the audit row, the commit.

Medians of `--repeat` runs each; the aim is draw ≤ 3 × bare. Prints a
Markdown table for docs/benchmarks.md. Nothing outside the temp directory is
touched; Redis is not needed (a hand-typed application schedules no release).
"""
import argparse
import datetime as dt
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RATIO_AIM = 3.0
LEAVES = {"A01": ["A0101", "A0102", "A0103"], "A02": ["A0201", "A0202", "A0203", "A0204"],
          "C01": ["C0101", "C0102"], "C02": ["C0201", "C0202", "C0203"]}
NEEDS = (("A02", 5, 2), ("A0201", 5, 2), ("C01", 5, 2))
BIDDER_CODE, BIDDER = "91410400MA00BID01X", "平顶山市投标设备有限公司"


def build(workdir: Path, experts: int):
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from app import create_app, demo
    from app.extensions import db
    from app.models import (Expert, ExpertRecusal, ExpertSpeciality, Region,
                            expert_speciality_link)
    from app.security import sync_roles

    app = create_app("gps", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'gps.db'}",
                             "REDIS_URL": "redis://127.0.0.1:1/0"})
    logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
        sync_roles(app.appbuilder, app.config["SITE"])
        demo.load(app)
        for top, name in (("A", "货物"), ("C", "服务")):
            db.session.add(ExpertSpeciality(code=top, name=name, path=f"{top}/"))
        for middle, leaves in LEAVES.items():
            top = middle[0]
            db.session.add(ExpertSpeciality(code=middle, name=middle, parent_code=top,
                                            path=f"{top}/{middle}/"))
            for leaf in leaves:
                db.session.add(ExpertSpeciality(code=leaf, name=leaf, parent_code=middle,
                                                path=f"{top}/{middle}/{leaf}/"))
        db.session.flush()
        admin = app.appbuilder.sm.find_user(username="admin").id
        regions = [code for (code,) in db.session.query(Region.code)]
        leaves = [leaf for group in LEAVES.values() for leaf in group]
        purchaser = demo_purchaser()
        rng = random.Random(20261130)
        now = dt.datetime.now()
        rows, links, recusals = [], [], []
        for i in range(1, experts + 1):
            unit, code = f"单位{i % 5000}", None
            if i % 97 == 0:
                unit, code = purchaser.name, purchaser.credit_code
            elif i % 89 == 0:
                unit, code = BIDDER, BIDDER_CODE
            rows.append({"id": i, "name": f"专家{i}", "id_number": f"41{i:016d}",
                         "mobile": f"13{i:09d}", "work_unit": unit,
                         "work_unit_credit_code": code, "region_code": rng.choice(regions),
                         "state": "正常" if i % 23 else "暂停", "is_regulator": i % 211 == 0,
                         "created_on": now, "changed_on": now, "created_by_fk": admin,
                         "changed_by_fk": admin})
            for leaf in rng.sample(leaves, rng.choice((1, 1, 2))):
                links.append({"expert_id": i, "speciality_code": leaf})
            if i % 50 == 0:
                recusals.append({"expert_id": i, "unit_name": BIDDER, "credit_code": None,
                                 "reason": "近三年任职"})
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Expert), rows[start:start + 5000])
        for start in range(0, len(links), 10000):
            db.session.execute(insert(expert_speciality_link), links[start:start + 10000])
        db.session.execute(insert(ExpertRecusal), recusals)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return app


def demo_purchaser():
    from app.extensions import db
    from app.models import Organisation

    return db.session.query(Organisation).filter_by(name="平顶山市教育局").one()


def new_request(n: int):
    from app.extensions import db
    from app.models import ExpertNeed, ExpertRequest, RequestRecusal

    unit = demo_purchaser()
    admin = db.session.query(db.text("id FROM ab_user WHERE username='admin'")).scalar()
    item = ExpertRequest(
        request_no=f"BENCH-{n:04d}", unit_id=unit.id, region_code="410400",
        project_name="基准测试项目", project_no=f"BENCH-{n}", lot_code=f"BENCH-LOT-{n}",
        procurement_method="公开招标", purchaser_name=unit.name,
        purchaser_credit_code=unit.credit_code,
        review_at=dt.datetime.now() + dt.timedelta(days=1), review_place="评标室",
        expert_region_code="410400", state="已通过", created_by_fk=admin, changed_by_fk=admin)
    for seq, (code, count, reserves) in enumerate(NEEDS, 1):
        item.needs.append(ExpertNeed(seq=seq, speciality_code=code, count=count,
                                     reserve_count=reserves))
    item.recusal_units += [RequestRecusal(kind="采购人", unit_name=unit.name,
                                          credit_code=unit.credit_code),
                           RequestRecusal(kind="投标人", unit_name=BIDDER,
                                          credit_code=BIDDER_CODE),
                           RequestRecusal(kind="其他", unit_name="单位17")]
    db.session.add(item)
    db.session.commit()
    return item


BARE = """SELECT e.id FROM expert e
 WHERE e.state = '正常'
   AND e.id IN (SELECT l.expert_id FROM expert_speciality_link l
                JOIN expert_speciality s ON s.code = l.speciality_code
                WHERE s.path LIKE :spec)
   AND e.region_code IN (SELECT code FROM region WHERE path LIKE :region)
 ORDER BY e.id"""


def bare_once(region_path: str) -> tuple[float, list[int]]:
    from app.extensions import db
    from app.models import ExpertSpeciality

    sizes, started = [], time.perf_counter()
    for code, _count, _reserves in NEEDS:
        path = db.session.get(ExpertSpeciality, code).path
        ids = db.session.execute(db.text(BARE), {"spec": path + "%",
                                                 "region": region_path + "%"}).scalars().all()
        sizes.append(len(ids))
    elapsed = time.perf_counter() - started
    db.session.rollback()
    return elapsed, sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from app import expert_draw
    from app.extensions import db
    from app.models import Region

    with tempfile.TemporaryDirectory(prefix="expert-draw-bench-") as tmp:
        os.environ.setdefault("INSTANCE_ROOT", tmp)
        started = time.perf_counter()
        app = build(Path(tmp), args.experts)
        built = time.perf_counter() - started
        bare, draws, sizes, pools = [], [], [], []
        with app.app_context():
            region_path = db.session.get(Region, "410400").path
            regulator = app.appbuilder.sm.find_user(username="chushen")
            bare_once(region_path)  # warm the page cache for both
            for n in range(args.repeat):
                # Interleaved, so both see the same cache and machine load.
                elapsed, sizes = bare_once(region_path)
                bare.append(elapsed)
                item = new_request(n)
                t0 = time.perf_counter()
                made = expert_draw.draw(item, regulator)
                draws.append(time.perf_counter() - t0)
                pools.append([row["pool_size"] for row in made.filters["rows"]])
        b, d = statistics.median(bare), statistics.median(draws)
        print("| experts | rows (正选+备选) | bare pool sizes | draw pool sizes "
              "| bare SELECT (median) | draw (median) | ratio | aim |")
        print("|---|---|---|---|---|---|---|---|")
        print(f"| {args.experts:,} | 3 × (5+2) | {' / '.join(map(str, sizes))} "
              f"| {' / '.join(map(str, pools[0]))} | {b * 1000:.1f} ms | {d * 1000:.1f} ms "
              f"| {d / b:.2f}× | ≤ {RATIO_AIM:.0f}× {'✓' if d / b <= RATIO_AIM else '✗'} |")
        print(f"\n(build {built:.0f} s; {args.repeat} runs each; "
              f"bare {', '.join(f'{x * 1000:.0f}' for x in bare)} ms; "
              f"draw {', '.join(f'{x * 1000:.0f}' for x in draws)} ms)")


if __name__ == "__main__":
    main()
