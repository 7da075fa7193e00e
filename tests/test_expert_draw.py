"""专家抽取 on GPS: the eligible pool, the recorded and replayable draw, the
calls (参加/不参加/请假) with reserves stepping in, 【补抽】, the refusals, and
two regulators pressing 【抽取】 at once."""
import datetime as dt
import threading

import pytest

from tests.expert_draw_helpers import (BIDDER, BIDDER_CODE, FIRST_DAY, LOT, OTHER, REVIEW_AT,
                                       add_expert, add_request, clock, eligible_experts,
                                       specialities, user)
from tests.helpers import api_token, bearer, form_token, logged_in


def _draw(app, request_id, username="chushen"):
    from app import expert_draw
    from app.extensions import db
    from app.models import ExpertRequest

    return expert_draw.draw(db.session.get(ExpertRequest, request_id), user(app, username))


def _drawn(request_id):
    from app.extensions import db
    from app.models import DrawnExpert

    return (db.session.query(DrawnExpert).filter_by(request_id=request_id)
            .order_by(DrawnExpert.id).all())


# --- the pool --------------------------------------------------------------------

EXCLUDED = {  # who, how they are made, and the rule that keeps them out
    "暂停": dict(state="暂停"),
    "注销": dict(state="注销"),
    "监管部门人员": dict(regulator=True),
    "采购人员工（信用代码）": dict(credit_code="@purchaser", work_unit="另一个名字"),
    "采购人员工（单位名称）": dict(work_unit="平顶山市教育局"),
    "投标人员工（信用代码）": dict(credit_code=BIDDER_CODE, work_unit="改了名的投标人"),
    "投标人员工（单位名称）": dict(work_unit=BIDDER),
    "其他回避单位员工": dict(work_unit=OTHER),
    "申报回避投标人（信用代码）": dict(declared=(("旧名称", BIDDER_CODE),)),
    "申报回避采购人（单位名称）": dict(declared=(("平顶山市教育局", None),)),
    "申报回避其他单位": dict(declared=((OTHER, None),)),
    "地区之外": dict(region="411322"),
    "专业之外": dict(speciality="C01"),
}


@pytest.fixture
def library(gps):
    """30 eligible experts (one in a county below the city, some of a
    sub-speciality), one expert per exclusion, an approved application."""
    from app.extensions import db

    with gps.app_context():
        specialities()
        eligible = eligible_experts(27) + eligible_experts(2, speciality="A0202") \
            + eligible_experts(1, region="410421")
        purchaser_code = add_request.__globals__["org"]("平顶山市教育局").credit_code
        excluded = {}
        for label, kw in EXCLUDED.items():
            kw = dict(kw)
            if kw.get("credit_code") == "@purchaser":
                kw["credit_code"] = purchaser_code
            excluded[label] = add_expert(f"排除{label}", **kw)
        db.session.commit()
        request_id = add_request(needs=(("A02", 3, 2), ("A0201", 2, 1)))
    return {"app": gps, "eligible": eligible, "excluded": excluded, "request": request_id}


def test_the_pool_is_exactly_the_eligible_experts(library):
    from app import expert_draw
    from app.extensions import db
    from app.models import ExpertRequest

    with library["app"].app_context():
        item = db.session.get(ExpertRequest, library["request"])
        pool = expert_draw.pool_ids(item, item.needs[0])
        assert pool == sorted(library["eligible"])
        narrower = expert_draw.pool_ids(item, item.needs[1])  # A0201 only: not A0202
        assert len(narrower) == 28 and set(narrower) < set(pool)


@pytest.mark.parametrize("label", sorted(EXCLUDED))
def test_each_recusal_rule_excludes_its_expert(library, label):
    from app import expert_draw
    from app.extensions import db
    from app.models import ExpertRequest

    with library["app"].app_context():
        item = db.session.get(ExpertRequest, library["request"])
        assert library["excluded"][label] not in expert_draw.pool_ids(item, item.needs[0])


def test_an_expert_drawn_for_the_same_lot_is_not_drawn_again(library):
    app = library["app"]
    with app.app_context(), clock(FIRST_DAY):
        first = add_request(needs=(("A0201", 20, 5),), request_no="ZJ2026-9001")
        _draw(app, first)
        taken = {d.expert_id for d in _drawn(first)}
        second = add_request(needs=(("A02", 3, 1),), request_no="ZJ2026-9002")
        from app import expert_draw
        from app.extensions import db
        from app.models import ExpertRequest

        item = db.session.get(ExpertRequest, second)
        assert not taken & set(expert_draw.pool_ids(item, item.needs[0]))
        other_lot = add_request(needs=(("A02", 3, 1),), request_no="ZJ2026-9003",
                                lot="P-EXP-0001-02")
        item = db.session.get(ExpertRequest, other_lot)
        assert taken <= set(expert_draw.pool_ids(item, item.needs[0]))


# --- the draw and its record -------------------------------------------------------

def test_draw_records_seed_filters_pool_and_is_replayed_by_verify(library):
    from app import expert_draw
    from app.extensions import db
    from app.models import AuditLog, ExpertRequest
    from app.rules import expert_draw as rules

    app = library["app"]
    with app.app_context(), clock(FIRST_DAY):
        made = _draw(app, library["request"])
        assert made.seq == 1 and made.kind == "抽取" and len(made.seed) == 64
        rows = made.filters["rows"]
        first_row = {d.expert_id for d in _drawn(library["request"])[:5]}
        a0201 = set(library["eligible"]) - set(library["eligible"][27:29])
        assert [r["pool_size"] for r in rows] == [30, len(a0201 - first_row)]
        assert rows[1]["pool"] == sorted(a0201 - first_row)
        assert made.pool_hash == rules.pool_hash(set(rows[0]["pool"]) | set(rows[1]["pool"]))
        drawn = _drawn(library["request"])
        # Row by row, 正选 then 备选, exactly what the seed gives over the recorded pools.
        rng = rules.rng_for(made.seed)
        expected = []
        for row in rows:
            main, spare = rules.pick(row["pool"], row["count"], row["reserves"], rng)
            expected += main + spare
        assert [d.expert_id for d in drawn] == expected
        assert [(d.role, d.position) for d in drawn] == [
            ("正选", 1), ("正选", 2), ("正选", 3), ("备选", 1), ("备选", 2),
            ("正选", 1), ("正选", 2), ("备选", 1)]
        assert made.result_hash == rules.result_hash(expected)
        item = db.session.get(ExpertRequest, library["request"])
        assert item.release_state == "已抽取"
        check = expert_draw.verify(made)
        assert check.matches and check.pool_unchanged, check.lines
        # The library changes afterwards: the replay still matches, and says so.
        add_expert("新入库专家", "A0201")
        db.session.commit()
        check = expert_draw.verify(made)
        assert check.matches and not check.pool_unchanged
        assert any("专家库此后有变化" in line for line in check.lines)
        # A tampered record does not verify.
        made.seed = "0" * 64
        assert not expert_draw.verify(made).matches
        db.session.rollback()
        audit = db.session.query(AuditLog).filter_by(action="专家抽取").one()
        # The pool is sealed with the names; the audit row is read by more.
        assert audit.detail.endswith("第 1 次抽取，8 人（含备选）") and "专家池" not in audit.detail


def test_the_same_seed_gives_the_same_draw(library, monkeypatch):
    """Determinism: with the seed `secrets` gave pinned, a second site draws the same."""
    from app import expert_draw

    app = library["app"]
    seed = "3c" * 32
    monkeypatch.setattr(expert_draw.secrets, "token_hex", lambda n: seed)
    with app.app_context(), clock(FIRST_DAY):
        _draw(app, library["request"])
        first = [(d.expert_id, d.role, d.position) for d in _drawn(library["request"])]
        again = add_request(needs=(("A02", 3, 2), ("A0201", 2, 1)), lot="P-EXP-0001-09")
        _draw(app, again)
        assert [(d.expert_id, d.role, d.position) for d in _drawn(again)] == first


def test_decline_brings_in_the_next_reserve_in_order(library):
    from app import expert_draw
    from app.extensions import db
    from app.models import AuditLog, DrawnExpert

    app = library["app"]
    with app.app_context(), clock(FIRST_DAY):
        chushen = user(app, "chushen")
        _draw(app, library["request"])
        drawn = _drawn(library["request"])
        first, second, third, spare1, spare2 = drawn[:5]
        assert expert_draw.mark_attendance(first, "参加", chushen, "电话确认") is None
        promoted = expert_draw.mark_attendance(second, "不参加", chushen, "出差")
        assert promoted.id == spare1.id and (promoted.role, promoted.position) == ("正选", 4)
        promoted = expert_draw.mark_attendance(third, "请假", chushen)
        assert promoted.id == spare2.id and (promoted.role, promoted.position) == ("正选", 5)
        assert expert_draw.mark_attendance(db.session.get(DrawnExpert, spare1.id), "不参加",
                                           chushen) is None  # reserves used up
        with pytest.raises(expert_draw.Refusal, match="已记录为“不参加”"):
            expert_draw.mark_attendance(db.session.get(DrawnExpert, second.id), "参加", chushen)
        with pytest.raises(expert_draw.Refusal, match="请选择"):
            expert_draw.mark_attendance(first, "可能", chushen)
        second_row_spare = drawn[7]
        with pytest.raises(expert_draw.Refusal, match="递补为正选后"):
            expert_draw.mark_attendance(second_row_spare, "参加", chushen)
        details = [a.detail for a in db.session.query(AuditLog)
                   .filter_by(action="专家通知结果").order_by(AuditLog.id)]
        assert details[1].endswith(f"备选 #{spare1.id} 递补为正选")
        assert details[3].endswith("备选专家已用完")


def test_supplement_draws_more_from_what_remains(library):
    from app import expert_draw
    from app.extensions import db
    from app.models import AuditLog, ExpertRequest

    app = library["app"]
    with app.app_context(), clock(FIRST_DAY):
        chushen = user(app, "chushen")
        _draw(app, library["request"])
        before = {d.expert_id for d in _drawn(library["request"])}
        item = db.session.get(ExpertRequest, library["request"])
        need = item.needs[0]
        for count, reason, message in [("0", "不足", "1 至 20"), ("x", "不足", "整数"),
                                       ("2", " ", "补抽原因")]:
            with pytest.raises(expert_draw.Refusal, match=message):
                expert_draw.supplement(item, need, count, reason, chushen)
        made = expert_draw.supplement(item, need, "2", "两位专家请假，备选已用完", chushen)
        assert (made.seq, made.kind, made.reason) == (2, "补抽", "两位专家请假，备选已用完")
        audit = db.session.query(AuditLog).filter_by(action="专家补抽").one()
        assert "请假" not in audit.detail and audit.detail.endswith("2 人（原因见抽取记录）")
        new = [d for d in _drawn(library["request"]) if d.draw_id == made.id]
        assert [(d.role, d.position) for d in new] == [("正选", 4), ("正选", 5)]
        assert not {d.expert_id for d in new} & before
        assert made.pool_size == 30 - len(before)
        assert expert_draw.verify(made).matches
        assert expert_draw.supplement(item, need, "18", "再补", chushen).pool_size == 20
        with pytest.raises(expert_draw.Refusal, match="需要 3 人（含备选 0 人），符合条件的专家只有 2 人"):
            expert_draw.supplement(item, need, "3", "再补", chushen)
        with pytest.raises(expert_draw.Refusal, match="抽取该申请的监管部门"):
            expert_draw.supplement(item, need, "1", "他人补抽", user(app, "chushen_b"))


def test_a_pool_too_small_is_refused_and_nothing_is_recorded(library):
    from app import expert_draw
    from app.extensions import db
    from app.models import ExpertDraw, ExpertRequest

    app = library["app"]
    with app.app_context(), clock(FIRST_DAY):
        small = add_request(needs=(("A0201", 3, 2), ("A0202", 1, 2)), lot="P-EXP-0001-05")
        with pytest.raises(expert_draw.Refusal) as refused:
            _draw(app, small)
        # Asked before the draw, with the way out: approved is final, the library is not.
        assert str(refused.value) == ("评审专业“A0202 网络设备”需要 3 人（含备选 2 人），"
                                      "符合条件的专家只有 2 人，暂不能抽取；请在【专家管理】→"
                                      "【专家库】中补充或恢复（取消暂停）符合条件的专家后再抽取")
        assert expert_draw.draw_refusal(db.session.get(ExpertRequest, small),
                                        user(app, "chushen")) == str(refused.value)
        db.session.rollback()
        assert db.session.query(ExpertDraw).filter_by(request_id=small).count() == 0


@pytest.mark.parametrize("username, state, message", [
    ("chushen2", "已通过", "只有该申请所在地区"),     # 方城县: another region
    ("jingban", "已通过", "只有该申请所在地区"),      # the applicant
    ("chushen", "待监管初审", "审核通过后才能抽取"),
    ("sheng", "已通过", None),                        # the province, above the city
    ("jianguan", "已通过", None),
])
def test_who_may_draw(library, username, state, message):
    from app import expert_draw

    app = library["app"]
    with app.app_context(), clock(FIRST_DAY):
        request_id = add_request(state=state, lot=f"P-EXP-0001-{username}")
        if message:
            with pytest.raises(expert_draw.Refusal, match=message):
                _draw(app, request_id, username)
        else:
            assert _draw(app, request_id, username).seq == 1


# --- timing on the maintained calendar --------------------------------------------

@pytest.mark.parametrize("now, allowed", [
    (dt.datetime(2026, 9, 28, 23, 59), False),
    (dt.datetime(2026, 9, 29, 0, 1), True),
])
@pytest.mark.parametrize("method, remote", [("公开招标", False), ("竞争性谈判", False),
                                            ("竞争性磋商", False), ("公开招标", True)])
def test_timing_at_its_boundary_on_the_calendar(library, now, allowed, method, remote):
    """Review on Thursday 2026-10-08, after 国庆 (10-01…10-07 off on the
    maintained calendar): the 2nd working day before is Tuesday 09-29."""
    from app import expert_draw, holidays

    app = library["app"]
    exempt = method != "公开招标" or remote
    with app.app_context(), clock(now):
        cal = holidays.current()
        assert not any(cal.is_workday(dt.date(2026, 10, d)) for d in range(1, 8))
        request_id = add_request(method=method, remote=remote,
                                 review_at=dt.datetime(2026, 10, 8, 9, 0),
                                 lot=f"P-EXP-T-{method}-{remote}-{now:%d}")
        if allowed or exempt:
            assert _draw(app, request_id).seq == 1
        else:
            with pytest.raises(expert_draw.Refusal) as refused:
                _draw(app, request_id)
            text = str(refused.value)
            assert "财库〔2016〕198号" in text and "最早可于 2026-09-29（星期二）" in text


def test_a_review_beyond_the_calendar_is_refused_not_a_500(library):
    """A 评审时间 of 9999-12-31 was saved (the form's max is the browser's
    only), and the draw page then counted working days the calendar cannot
    (NotCovered: a 500 for every regulator). The form refuses it now; one
    saved before is a refusal on the page."""
    from app import expert_draw

    app = library["app"]
    with app.app_context(), clock(FIRST_DAY):
        request_id = add_request(review_at=dt.datetime(9999, 12, 31, 23, 59), lot="P-EXP-FAR")
        with pytest.raises(expert_draw.Refusal, match="超出工作日历可计算的年份"):
            _draw(app, request_id)
    with clock(FIRST_DAY):
        page = logged_in(app, "chushen").get(f"/expert-draw/{request_id}")
    assert page.status_code == 200
    assert "超出工作日历可计算的年份" in page.get_data(as_text=True)


def test_the_regulator_who_drew_carries_on_after_the_unit_moves(library):
    """The unit moved to 方城县 after chushen drew: its application went to
    方城县's regulators, who may open it but not see the sealed names; only
    chushen knows them, so chushen still finds it, calls the experts and
    补抽s. Another 平顶山 regulator no longer finds it."""
    from app import expert_draw
    from app.extensions import db
    from app.models import ExpertRequest

    app = library["app"]
    request_id = library["request"]
    with app.app_context(), clock(FIRST_DAY):
        _draw(app, request_id)
        unit = db.session.get(ExpertRequest, request_id).unit_id
    api = app.test_client()
    with clock(FIRST_DAY):
        moved = api.put(f"/api/v1/organisation/{unit}", json={"region": "411322"},
                        headers=bearer(api_token(api, "admin")))
    assert moved.status_code == 200, moved.get_json()
    with app.app_context(), clock(FIRST_DAY):
        assert db.session.get(ExpertRequest, request_id).region_code == "411322"
        item = db.session.get(ExpertRequest, request_id)
        first = _drawn(request_id)[0]
        assert expert_draw.mark_attendance(first, "参加", user(app, "chushen")) is None
        assert expert_draw.supplement(item, item.needs[0], "1", "一位专家出差",
                                      user(app, "chushen")).seq == 2
        for other in ("chushen2", "chushen_b"):
            with pytest.raises(expert_draw.Refusal, match="只有抽取该申请的监管部门人员"):
                expert_draw.supplement(item, item.needs[0], "1", "代为补抽", user(app, other))
        request_no = item.request_no
    with clock(FIRST_DAY):
        pages = {name: logged_in(app, name).get(f"/expert-draw/{request_id}")
                 for name in ("chushen", "chushen2", "chushen_b")}
        listed = {name: request_no in logged_in(app, name).get("/expert-requests/list/")
                  .get_data(as_text=True) for name in ("chushen", "chushen2", "chushen_b")}
    assert {name: page.status_code for name, page in pages.items()} \
        == {"chushen": 200, "chushen2": 200, "chushen_b": 404}
    assert "通知结果" in pages["chushen"].get_data(as_text=True)
    assert "通知结果" not in pages["chushen2"].get_data(as_text=True)
    assert listed == {"chushen": True, "chushen2": True, "chushen_b": False}


# --- two regulators at once -------------------------------------------------------

def test_two_regulators_pressing_draw_at_once_make_one_draw(library):
    from app.extensions import db
    from app.models import DrawnExpert, ExpertDraw

    app = library["app"]
    with clock(FIRST_DAY):
        clients = [logged_in(app, name) for name in ("chushen", "chushen_b")]
        tokens = [form_token(c) for c in clients]
        barrier, pages = threading.Barrier(2), {}

        def press(i):
            barrier.wait()
            pages[i] = clients[i].post(f"/expert-draw/{library['request']}/draw",
                                       data={"csrf_token": tokens[i]}, follow_redirects=True)

        threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert {p.status_code for p in pages.values()} == {200}
    texts = [p.get_data(as_text=True) for p in pages.values()]
    assert sum("抽取完成" in t for t in texts) == 1
    assert sum("已由他人抽取" in t for t in texts) == 1
    with app.app_context():
        assert db.session.query(ExpertDraw).filter_by(request_id=library["request"]).count() == 1
        assert db.session.query(DrawnExpert).filter_by(
            request_id=library["request"]).count() == 8


def test_two_hand_typed_applications_for_the_same_lot_share_no_expert(gps):
    """Without a lot code the lot is the typed 项目编号 and 标段名称."""
    from app import expert_draw
    from app.extensions import db
    from app.models import DrawnExpert, ExpertRequest

    with gps.app_context():
        with clock(FIRST_DAY):
            specialities()
            eligible_experts(6)
            db.session.commit()
            first, second = (add_request(needs=(("A0201", 3, 0),), pushed=False, lot=None)
                             for _ in range(2))
            for request_id in (first, second):
                expert_draw.draw(db.session.get(ExpertRequest, request_id), user(gps, "chushen"))
            drawn = [{e for (e,) in db.session.query(DrawnExpert.expert_id)
                      .filter_by(request_id=r)} for r in (first, second)]
            db.session.rollback()
    assert len(drawn[0]) == len(drawn[1]) == 3 and not drawn[0] & drawn[1]


def test_one_lot_is_drawn_for_by_one_application(library):
    """Its platform takes one draw's result per lot (a second was refused
    there, after GPS had approved and drawn it): a second application for
    the lot is not submitted, nor approved if both were waiting."""
    from app import expert_requests
    from app.extensions import db
    from app.models import ExpertRequest
    from app.workflows.engine import Refused, take
    from app.workflows.expert_request import ExpertRequestChain

    app = library["app"]
    with app.app_context(), clock(FIRST_DAY):
        first = db.session.get(ExpertRequest, library["request"])  # 已通过, for LOT
        waiting = db.session.get(ExpertRequest, add_request(state="待监管初审"))
        draft = db.session.get(ExpertRequest, add_request(state="草稿"))
        said = f"标段“{first.lot_code}”已有专家抽取申请“{first.request_no}”（已通过），同一标段只抽取一次"
        assert said in expert_requests.submit_refusal(draft)
        with pytest.raises(Refused, match=said):
            take(ExpertRequestChain, waiting, "approve", user(app, "chushen"))
        db.session.rollback()
        other_lot = db.session.get(ExpertRequest, add_request(state="草稿", lot="JY-OTHER-001"))
        assert expert_requests.submit_refusal(other_lot) is None
