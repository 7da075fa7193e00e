"""项目监督's derived rows (app/supervision.py): a project taken along in
this process, its stage and amounts rebuilt on every commit, 预警 raised and
cleared with the record that raised them, the daily refresh on the clock,
`flask supervision refresh --all` rebuilding the same rows, and a refresh of
1,000 plans in a bounded number of queries."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, text

from tests.contract_helpers import filed_contract
from tests.expert_draw_helpers import clock
from tests.notice_helpers import WINNERS, plan_of, publish_result, push_lots


def _row(app, plan_id):
    from app.extensions import db
    from app.models import SupervisionProject

    with app.app_context():
        row = db.session.get(SupervisionProject, plan_id)
        return None if row is None else {
            c.name: getattr(row, c.name) for c in SupervisionProject.__table__.columns}


def _flags(app, plan_id) -> dict:
    """(flag, record type, record id) → (label, detail, raised on)."""
    from app.extensions import db
    from app.models import ProjectFlag

    with app.app_context():
        return {(f.flag_id, f.record_type, f.record_id): (f.record_label, f.detail, f.raised_on)
                for f in db.session.query(ProjectFlag).filter_by(plan_id=plan_id)}


def _ids(app, plan_id) -> set:
    return {key[0] for key in _flags(app, plan_id)}


def _snapshot(app) -> tuple:
    from app.extensions import db
    from app.models import ProjectFlag, SupervisionProject

    with app.app_context():
        rows = sorted(tuple(getattr(r, c.name) for c in SupervisionProject.__table__.columns
                            if c.name != "refreshed_at")
                      for r in db.session.query(SupervisionProject))
        flags = sorted((f.plan_id, f.flag_id, f.record_type, f.record_id, f.record_label,
                        f.detail, f.raised_on) for f in db.session.query(ProjectFlag))
        return rows, flags


def _as_admin(app):
    """A request context whose g.user is the admin (the audit columns want one)."""
    from flask import g

    from app.extensions import db
    from app.models import OrgUser

    context = app.test_request_context()
    context.push()
    g.user = db.session.query(OrgUser).filter_by(username="admin").one()
    return context


def _add(app, *rows):
    from app.extensions import db

    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def test_only_filed_plans_have_a_row(gps):
    from app.extensions import db
    from app.models import Plan

    with gps.app_context():
        plans = db.session.query(Plan.id, Plan.filed_at).all()
    assert any(filed for _, filed in plans) and any(not filed for _, filed in plans)
    for plan_id, filed_at in plans:
        row = _row(gps, plan_id)
        assert (row is not None) == (filed_at is not None)
        if row:
            assert (row["stage"], row["stage_at"], row["flag_count"]) == ("计划备案", filed_at, 0)


def test_a_project_taken_along_is_followed_on_every_commit(gps):
    from app.models import CommitteeReplica, LotStatusReplica

    plan_id = plan_of(gps)  # 公开招标, 1,500,000 元, filed by the demo
    assert _row(gps, plan_id)["stage"] == "计划备案"
    code = push_lots(gps, plan_id)
    row = _row(gps, plan_id)
    assert (row["stage"], row["project_code"], row["award_amount"]) == ("进场受理", code, None)

    # The trading side's 开标: two bids opened in a 公开招标 lot (YJ11).
    opened = dt.datetime.now() - dt.timedelta(days=1)
    lot1 = f"{code}001"
    _add(gps, LotStatusReplica(lot_code=lot1, project_code=code, opened_at=opened,
                               bids=[{"bidder": "甲", "price": "1"}, {"bidder": "乙", "price": "2"}],
                               version=1, received_at=opened))
    assert (_row(gps, plan_id)["stage"], _row(gps, plan_id)["stage_at"]) == ("开标", opened)
    label, detail, raised_on = _flags(gps, plan_id)[("YJ11", "LotStatus", lot1)]
    assert label == lot1 and "2 家" in detail and "87号令第四十三条" in detail
    assert raised_on == opened.date()

    # 组建评委会 with the 采购人代表 as 评审组长 (YJ12).
    members = [{"name": "王代表", "source": "采购人代表", "work_unit": "平顶山市教育局",
                "is_chair": True}] + [{"name": f"专家{i}", "source": "抽取专家", "work_unit": "某单位",
                                       "is_chair": False} for i in range(4)]
    _add(gps, CommitteeReplica(lot_code=lot1, project_code=code, members=members, version=1,
                               received_at=dt.datetime.now()))
    assert _row(gps, plan_id)["stage"] == "评标"
    assert "王代表" in _flags(gps, plan_id)[("YJ12", "CommitteeReplica", lot1)][1]

    publish_result(gps, plan_id)
    row = _row(gps, plan_id)
    total = sum(Decimal(amount) for _, amount in WINNERS.values())
    assert (row["stage"], row["award_amount"], row["contract_amount"]) == ("结果公告", total, None)

    filed_contract(gps)  # lot 1, at its award
    row = _row(gps, plan_id)
    assert (row["stage"], row["contract_amount"]) == ("合同备案", Decimal(WINNERS[1][1]))
    assert _ids(gps, plan_id) == {"YJ11", "YJ12"}
    assert row["flag_count"] == 2


def test_a_late_result_notice_is_flagged_and_cleared_with_its_notice(gps):
    from app.extensions import db
    from app.models import Notice
    from tests.workcal import add_workdays, is_workday

    plan_id = plan_of(gps)
    publish_result(gps, plan_id)
    with gps.app_context():
        context = _as_admin(gps)
        try:
            result = db.session.query(Notice).filter_by(plan_id=plan_id,
                                                        notice_type="结果公告").one()
            # publish_result publishes 13 days before today, whatever day that
            # is. On a day off the rule counts calendar days (第N日), so the
            # notice is moved back to a working day, as it is every other day.
            published = result.published_at.date()
            while not is_workday(published):
                published -= dt.timedelta(days=1)
            result.published_at = dt.datetime.combine(published, result.published_at.time())
            key, pk = result.notice_key, result.id
            # Confirmed so that publication was the 3rd working day: flagged.
            result.confirmed_on = add_workdays(published, -3)
            db.session.commit()
            label, detail, raised_on = _flags(gps, plan_id)[("YJ03", "Notice", str(pk))]
            assert label == key and raised_on == published
            assert "第3个工作日" in detail and "第四十三条" in detail and "2个工作日" in detail
            assert _row(gps, plan_id)["flag_count"] == 1
            # The 2nd working day: within the period, the flag goes.
            result = db.session.get(Notice, pk)
            result.confirmed_on = add_workdays(published, -2)
            db.session.commit()
        finally:
            context.pop()
    assert "YJ03" not in _ids(gps, plan_id) and _row(gps, plan_id)["flag_count"] == 0


def test_an_unsigned_award_is_flagged_by_the_daily_refresh(gps):
    from app import supervision
    from app.extensions import db
    from app.models import Notice

    plan_id = plan_of(gps)
    code = publish_result(gps, plan_id)
    with gps.app_context():
        awarded = db.session.query(Notice.published_at).filter_by(
            plan_id=plan_id, notice_type="结果公告").scalar().date()
    # Still within the 30 days (moved on past a rest day or holiday): nothing;
    # the day after: both lots.
    from app import holidays
    from app.rules.contracts import signing_deadline

    with gps.app_context():
        due = signing_deadline(awarded, holidays.current())
    assert due >= awarded + dt.timedelta(days=30)
    with clock(dt.datetime.combine(due, dt.time(3))):
        with gps.app_context():
            supervision.refresh_due()
    assert "YJ04" not in _ids(gps, plan_id)
    with clock(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(3))):
        with gps.app_context():
            assert supervision.refresh_due() >= 1
            assert supervision.refresh_due() == 0  # once a day
    found = _flags(gps, plan_id)
    for lot in (f"{code}001", f"{code}002"):
        label, detail, raised_on = found[("YJ04", "LotReplica", lot)]
        assert label == lot and "尚无已备案的合同" in detail and "第四十六条" in detail
        assert raised_on == due + dt.timedelta(days=1)


def test_the_daily_round_goes_in_batches_and_ends(gps, caplog):
    """A few plans per sweeper pass, every filed plan once, then nothing
    until the next day; a row whose plan is no longer filed goes."""
    from app import supervision
    from app.extensions import db
    from app.models import Plan, SupervisionProject

    with gps.app_context():
        filed = db.session.query(Plan).filter(Plan.filed_at.isnot(None)).count()
        gone = db.session.query(Plan).filter(Plan.filed_at.isnot(None)).first()
        db.session.execute(text("UPDATE plan SET filed_at = NULL WHERE id = :id"), {"id": gone.id})
        db.session.commit()
        assert db.session.get(SupervisionProject, gone.id) is not None
    assert filed >= 3
    day = dt.datetime(2026, 12, 2, 3)
    passes = []
    with clock(day), gps.app_context():
        while written := supervision.refresh_due(batch=1):
            passes.append(written)
            assert len(passes) < filed  # it ends
        assert supervision.refresh_due(batch=1) == 0
        assert db.session.get(SupervisionProject, gone.id) is None
        refreshed = {r.plan_id for r in db.session.query(SupervisionProject)
                     .filter(SupervisionProject.refreshed_at >= day)}
    assert sum(passes) == filed - 1 == len(refreshed) and max(passes) == 1
    with clock(day + dt.timedelta(days=1)), gps.app_context():
        assert supervision.refresh_due(batch=filed) == filed - 1  # a new day, a new round


def test_winner_change_and_supplements_raise_on_their_records(gps):
    from app.extensions import db
    from app.models import Contract, WinnerChange

    plan_id, _, pk = filed_contract(gps)
    with gps.app_context():
        context = _as_admin(gps)
        try:
            original = db.session.get(Contract, pk)
            change = WinnerChange(
                filing_no="BG-TEST-0001", unit_id=original.unit_id,
                region_code=original.region_code, plan_id=plan_id, lots=None,
                original_supplier="河南甲科技有限公司", original_amount=Decimal("880000.00"),
                new_supplier="河南乙科技有限公司", new_amount=Decimal("870000.00"),
                reason="其他", explanation="测试", state="草稿")
            db.session.add(change)
            db.session.commit()
            assert "YJ14" not in _ids(gps, plan_id)  # a draft is the unit's own
            change.state, change.submitted_at = "待单位审核", dt.datetime.now()
            db.session.commit()
            label, detail, _ = _flags(gps, plan_id)[("YJ14", "WinnerChange", str(change.id))]
            assert label == "BG-TEST-0001" and "河南乙科技有限公司" in detail
        finally:
            context.pop()


def test_flags_of_joins_the_names_and_bases(gps):
    from app import supervision
    from app.extensions import db
    from app.models import LotStatusReplica

    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    _add(gps, LotStatusReplica(lot_code=f"{code}001", project_code=code,
                               opened_at=dt.datetime.now(), bids=[], version=1,
                               received_at=dt.datetime.now()))
    with gps.app_context():
        (found,) = supervision.flags_of(db.session, plan_id)
    assert (found.flag_id, found.name, found.basis) == ("YJ11", "开标不足三家", "87号令第四十三条")
    assert found.record_type == "LotStatus" and found.record_label == f"{code}001"


def test_refresh_all_from_the_command_line_rebuilds_the_same_rows(gps):
    plan_id = plan_of(gps)
    filed_contract(gps)
    code = push_lots(gps, plan_id)
    from app.models import LotStatusReplica

    _add(gps, LotStatusReplica(lot_code=f"{code}002", project_code=code,
                               opened_at=dt.datetime.now() - dt.timedelta(days=20),
                               bids=[{"bidder": "甲"}], version=1, received_at=dt.datetime.now()))
    before = _snapshot(gps)
    assert before[0] and before[1]
    from app.extensions import db

    with gps.app_context():
        db.session.execute(text("DELETE FROM project_flag"))
        db.session.execute(text("DELETE FROM supervision_project"))
        db.session.commit()
    assert _snapshot(gps) == ([], [])
    result = gps.test_cli_runner().invoke(args=["supervision", "refresh", "--all"])
    assert result.exit_code == 0, result.output
    assert "supervision refreshed: 3 project(s)" in result.output
    assert _snapshot(gps) == before
    # Again: nothing changes, and a plan id alone is accepted too.
    result = gps.test_cli_runner().invoke(args=["supervision", "refresh", str(plan_id)])
    assert result.exit_code == 0 and "1 project(s)" in result.output
    assert _snapshot(gps) == before
    result = gps.test_cli_runner().invoke(args=["supervision", "refresh"])
    assert result.exit_code != 0 and "--all" in result.output


def test_the_trading_site_has_no_supervision(pds_demo):
    result = pds_demo.test_cli_runner().invoke(args=["supervision", "refresh", "--all"])
    assert result.exit_code != 0 and "GPS" in result.output


def _bulk_plans(app, count) -> list[int]:
    """`count` filed plans, each with a project of two lots, written with plain
    INSERTs (no session hook: the refresh under test does the work)."""
    from app.extensions import db
    from app.models import LotReplica, Plan, ProjectReplica

    plan_id = plan_of(app)
    with app.app_context():
        model = dict(db.session.execute(
            Plan.__table__.select().where(Plan.id == plan_id)).mappings().one())
        start = db.session.query(db.func.max(Plan.id)).scalar() + 1
        plans, projects, lots = [], [], []
        now = dt.datetime.now()
        for i in range(start, start + count):
            plans.append({**model, "id": i, "plan_no": f"BULK{i:06d}",
                          "project_name": f"批量项目{i}"})
            code = f"JYBULK{i:06d}"
            projects.append({"project_code": code, "platform_code": "410400", "plan_id": i,
                             "plan_no": f"BULK{i:06d}", "project_name": model["project_name"],
                             "budget": model["budget"], "stage": "受理通过", "version": 1,
                             "received_at": now})
            lots += [{"code": f"{code}{seq:03d}", "project_code": code, "seq": seq,
                      "name": f"第{seq}标段", "budget": Decimal("100.00")} for seq in (1, 2)]
        db.session.execute(Plan.__table__.insert(), plans)
        db.session.execute(ProjectReplica.__table__.insert(), projects)
        db.session.execute(LotReplica.__table__.insert(), lots)
        db.session.commit()
        return list(range(start, start + count))


def _queries(app, fn) -> int:
    from app.extensions import db

    seen = []

    def count(*_args, **_kwargs):
        seen.append(1)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.parametrize("count", [1000])
def test_a_thousand_plans_refresh_in_a_bounded_number_of_queries(gps, count):
    from app import supervision
    from app.extensions import db

    few, many = _bulk_plans(gps, 10), _bulk_plans(gps, count)

    def refresh(ids):
        def run():
            supervision.refresh(db.session, ids)
            db.session.commit()
        return run

    small = _queries(gps, refresh(few))
    large = _queries(gps, refresh(many))
    again = _queries(gps, refresh(many))  # every row there: updates, not inserts
    batches = -(-count // supervision.BATCH)
    assert large <= batches * small + 2, (small, large)
    assert again <= batches * small + 2, (small, again)
    assert small < 40
    with gps.app_context():
        from app.models import SupervisionProject

        assert db.session.query(SupervisionProject).filter(
            SupervisionProject.plan_id.in_(many), SupervisionProject.stage == "进场受理").count() \
            == count


def _ns(**values):
    from types import SimpleNamespace

    return SimpleNamespace(**values)


@pytest.mark.parametrize("state,ended,stage", [
    ("已备案", [], "结果公告"),
    ("已备案", ["L1"], "结果公告"),       # one lot of two terminated: the project goes on
    ("已备案", ["L1", "L2"], "终止"),
    ("已撤回", ["L1", "L2"], "已撤回"),
])
def test_termination_and_withdrawal_win(state, ended, stage):
    from app.supervision import stage_of

    day = dt.datetime(2026, 3, 2, 9)
    plan = _ns(state=state, filed_at=day, withdrawn_at=day)
    project = _ns(received_at=day, stage="评标结束")
    lots = [_ns(code="L1"), _ns(code="L2")]
    notices = [_ns(notice_type="采购公告", published_at=day, lots=[]),
               _ns(notice_type="结果公告", published_at=day, lots=[])]
    if ended:
        notices.append(_ns(notice_type="终止公告", published_at=day,
                           lots=[_ns(lot_code=code) for code in ended]))
    assert stage_of(plan, project, lots, notices, [], [], [])[0] == stage


def test_a_failing_refresh_leaves_the_users_commit_and_its_messages(gps, monkeypatch, caplog):
    """The refresh runs in a savepoint: when it fails, the user's change is
    committed all the same (the row catches up at the next refresh), and the
    savepoint's rollback does not drop the transaction's pending messages."""
    import app.supervision as supervision
    from app.extensions import db
    from app.models import Plan
    from app.sync import outbox

    plan_id = plan_of(gps)
    before = _row(gps, plan_id)["project_name"]
    real = supervision._refresh_batch

    def broken(session, ids, today, cal):
        real(session, ids, today, cal)  # writes its rows, then fails
        raise RuntimeError("规则出错")

    monkeypatch.setattr(supervision, "_refresh_batch", broken)
    context = _as_admin(gps)
    try:
        db.session.get(Plan, plan_id).project_name = "改名后的项目"
        db.session.commit()
    finally:
        context.pop()
    assert "refresh of plan(s)" in caplog.text and "规则出错" in caplog.text
    with gps.app_context():
        assert db.session.get(Plan, plan_id).project_name == "改名后的项目"
    assert _row(gps, plan_id)["project_name"] == before  # the savepoint's writes are gone

    monkeypatch.setattr(supervision, "_refresh_batch", real)
    with gps.app_context():
        supervision.refresh(db.session, [plan_id])
        db.session.commit()
    assert _row(gps, plan_id)["project_name"] == "改名后的项目"

    context = _as_admin(gps)
    try:
        db.session.info[outbox.PENDING_KEY] = [("m-1", "410400")]
        db.session.get(Plan, plan_id).project_name = "再改"
        db.session.flush()
        db.session.begin_nested().rollback()
        assert db.session.info[outbox.PENDING_KEY] == [("m-1", "410400")]
        db.session.rollback()
        assert outbox.PENDING_KEY not in db.session.info
    finally:
        context.pop()
