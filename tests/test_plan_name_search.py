"""采购计划's 项目名称 包含 search through plan_name_gram (every two- and
three-character piece of each plan's name, lower-cased, kept by triggers):
the gram only narrows what the LIKE checks, so a list finds exactly what
the plain search found; a text whose grams are all common is scanned as
before."""
import pytest
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import delete, event, select, text, update

from app.extensions import db
from app.models import Plan, PlanNameGram
from app.views.common import typed_filters
from app.views.common.typed_filters import TextContains

from .helpers import logged_in, migration

NAMES = ["平顶山市教育局多媒体教室设备采购", "叶县CT机维修服务（第1标段）", "100%_达标 Ab\\项目"]


def fold(text: str) -> str:
    """ASCII letters lower-cased, as SQLite's lower() does."""
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                        "abcdefghijklmnopqrstuvwxyz"))


def grams_in(name: str) -> set[str]:
    lowered = fold(name)
    return {lowered[i:i + n] for n in (2, 3) for i in range(len(lowered) - n + 1)}


def grams_of(plan_id: int) -> set[str]:
    return set(db.session.execute(select(PlanNameGram.gram)
                                  .where(PlanNameGram.plan_id == plan_id)).scalars())


def new_plan(name: str, like: Plan, number: int) -> Plan:
    """A copy of `like` under another 备案编号 and name."""
    values = {c.key: getattr(like, c.key) for c in Plan.__table__.columns if c.key != "id"}
    plan = Plan(**{**values, "plan_no": f"GRAM-{number:04d}", "project_name": name})
    db.session.add(plan)
    db.session.flush()
    return plan


def contains(name: str) -> list[int]:
    flt = TextContains("project_name", SQLAInterface(Plan))
    return sorted(id_ for (id_,) in flt.apply(db.session.query(Plan), name).with_entities(Plan.id))


@pytest.fixture
def named(gps):
    with gps.app_context():
        like = db.session.execute(select(Plan).limit(1)).scalar_one()
        ids = [new_plan(name, like, i).id for i, name in enumerate(NAMES)]
        db.session.commit()
    return gps, ids


def test_grams_follow_every_change_of_a_plan(named):
    app, ids = named
    with app.app_context():
        for plan_id, name in zip(ids, NAMES):
            assert grams_of(plan_id) == grams_in(name)
        db.session.execute(update(Plan).where(Plan.id == ids[0]).values(
            project_name="新名称ABC", changed_by_fk=Plan.changed_by_fk))
        db.session.commit()
        assert grams_of(ids[0]) == grams_in("新名称ABC")
        # Its 项目监督 row first (written by plan's own triggers).
        db.session.execute(text("DELETE FROM supervision_project WHERE plan_id = :id"),
                           {"id": ids[0]})
        db.session.execute(delete(Plan).where(Plan.id == ids[0]))
        db.session.commit()
        assert grams_of(ids[0]) == set()


def test_every_piece_of_a_name_finds_what_the_plain_search_finds(named, monkeypatch):
    app, ids = named
    with app.app_context():
        for name in NAMES:
            for start in range(len(name)):
                for end in [*range(start + 1, min(start + 6, len(name)) + 1), len(name)]:
                    for asked in {name[start:end], name[start:end].upper()}:
                        narrowed = contains(asked)
                        monkeypatch.setattr(typed_filters, "GRAM_ROWS", -1)  # never narrow
                        assert narrowed == contains(asked), asked
                        monkeypatch.undo()
        assert ids[0] in contains("教育局多媒体") and contains("没有这个名称") == []


def test_a_rare_text_reads_the_plans_under_its_gram(named):
    app, ids = named
    client = logged_in(app, "jianguan")
    seen = []

    def record(conn, cursor, statement, *rest):
        seen.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            page = client.get("/plans/list/", query_string={"_flt_2_project_name": "CT机维修"})
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert page.status_code == 200 and "GRAM-0001" in page.get_data(as_text=True)
    lists = [sql for sql in seen if "project_name" in sql and "LIKE" in sql.upper()]
    assert lists and all("plan_name_gram" in sql for sql in lists), seen
    # Counted once for the COUNT and the page.
    assert sum(1 for sql in seen if sql.lstrip().startswith("SELECT (SELECT count(*)")) == 1


def test_the_two_rarest_grams_are_intersected(named, monkeypatch):
    """Only grams in at most GRAM_ROWS plans narrow, the two rarest of them
    intersected; what they leave, the LIKE checks."""
    app, ids = named
    # “甲乙丙丁戊”'s trigrams: 丙丁戊 in 2 plans, 乙丙丁 in 3, 甲乙丙 in 4
    # (past GRAM_ROWS). The last name holds all three, not the text.
    names = ["甲乙丙丁戊", "甲乙丙丁", "甲乙丙己", "丙丁戊庚甲乙丙丁"]
    monkeypatch.setattr(typed_filters, "GRAM_ROWS", 3)
    with app.app_context():
        like = db.session.get(Plan, ids[0])
        extra = [new_plan(name, like, 10 + i).id for i, name in enumerate(names)]
        db.session.commit()
        statements = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
        assert contains("甲乙丙丁戊") == [extra[0]]
        listing = [sql for sql in statements if "project_name" in sql and "LIKE" in sql.upper()]
        assert len(listing) == 1 and listing[0].count("plan_name_gram.gram = lower(") == 2
        assert "INTERSECT" in listing[0]
        if db.engine.dialect.name == "postgresql":
            # An array, so that a prepared statement's generic plan reads
            # the plans by id (docs/benchmarks.md, “a generic plan”); under
            # that plan (psycopg prepares a statement on its sixth run) the
            # same plans are found.
            assert "= ANY (CAST((SELECT array_agg(" in listing[0]
            db.session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
            for _ in range(8):
                assert contains("甲乙丙丁戊") == [extra[0]]
        assert contains("乙丙丁") == sorted([extra[0], extra[1], extra[3]])
        monkeypatch.setattr(typed_filters, "GRAM_ROWS", 2)  # 丙丁戊 alone narrows
        assert contains("甲乙丙丁戊") == [extra[0]]
        assert statements[-1].count("plan_name_gram.gram = lower(") == 1


def test_a_common_text_is_scanned(named, monkeypatch):
    app, ids = named
    monkeypatch.setattr(typed_filters, "GRAM_ROWS", 0)
    with app.app_context():
        statements = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
        found = contains("教育局")
        assert ids[0] in found
        listing = [sql for sql in statements if "project_name" in sql and "LIKE" in sql.upper()]
        assert listing and not any("plan_name_gram" in sql for sql in listing), statements


def test_the_migration_fills_the_grams_of_plans_already_stored(named):
    app, ids = named
    migrated = migration("b5d7f9a1c3e6")
    with app.app_context():
        before = {plan_id: grams_of(plan_id) for plan_id in ids}
        everyone = db.session.execute(select(PlanNameGram.gram, PlanNameGram.plan_id)).all()
        db.session.execute(delete(PlanNameGram))
        db.session.execute(text(migrated.PG_BACKFILL if db.engine.dialect.name == "postgresql"
                                else migrated.SQLITE_BACKFILL))
        db.session.commit()
        assert {plan_id: grams_of(plan_id) for plan_id in ids} == before
        assert sorted(db.session.execute(select(PlanNameGram.gram, PlanNameGram.plan_id))
                      .all()) == sorted(everyone)
        assert before[ids[2]] == grams_in(NAMES[2])
