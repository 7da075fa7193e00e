"""Sealed until the 评审时间 (docs/experts.md): before it no page, REST path,
export, change feed, audit row or log line shows a drawn name, except the
drawing regulator's own page; at it, experts.drawn is written once."""
import datetime as dt
import json
import logging
import re
import threading

import pytest

from app.demo import GPS_USERS
from app.views.gps.contracts import XLSX
from tests.expert_draw_helpers import (ELIGIBLE_PREFIX, FIRST_DAY, REVIEW_AT, add_request, clock,
                                       eligible_experts, specialities, user)
from tests.helpers import api_token, bearer, form_token, logged_in, xlsx_text
from tests.notice_helpers import plan_of

USERNAMES = [u[0] for u in GPS_USERS]
PAGE = {  # /expert-draw/<id> before the 评审时间: status, and whether names show
    "admin": (200, False), "jingban": (200, False), "shenhe": (403, False),
    "jingban2": (404, False), "daili": (200, False), "chushen": (200, True),
    "fuhe": (200, False), "jianguan": (200, False), "shenhe2": (403, False),
    "chushen2": (404, False), "fuhe2": (404, False), "chushen_b": (200, False),
    "sheng": (200, False),
}
SKIP = ("/static", "/appbuilder", "/rq", "/logout", "/login", "/lang", "/health",
        "/swagger", "/interop")
# The 专家库 lists every expert of the region to those who maintain it, drawn
# or not, and says nothing of draws: a name there is no leak. That it holds
# no trace of a draw is checked by test_the_library_says_nothing_of_draws.
LIBRARY = ("/experts", "/expert-specialities", "/api/v1/expert/")


@pytest.fixture
def drawn(gps, caplog):
    """An interconnected application drawn by chushen on the first day allowed."""
    from app import expert_draw
    from app.extensions import db
    from app.models import ExpertRequest

    caplog.set_level(logging.DEBUG)
    with gps.app_context(), clock(FIRST_DAY):
        specialities()
        eligible_experts(12)
        db.session.commit()
        request_id = add_request(needs=(("A0201", 3, 2),))
        expert_draw.draw(db.session.get(ExpertRequest, request_id), user(gps, "chushen"))
    return request_id


def _names(app, request_id):
    from app.extensions import db
    from app.models import DrawnExpert, Expert

    with app.app_context():
        return {name for (name,) in db.session.query(Expert.name).join(
            DrawnExpert, DrawnExpert.expert_id == Expert.id).filter(
            DrawnExpert.request_id == request_id)}


def _mobiles(app, request_id):
    from app.extensions import db
    from app.models import DrawnExpert, Expert

    with app.app_context():
        return {m for (m,) in db.session.query(Expert.mobile).join(
            DrawnExpert, DrawnExpert.expert_id == Expert.id).filter(
            DrawnExpert.request_id == request_id)}


def _get_urls(app):
    return sorted({r.rule for r in app.url_map.iter_rules()
                   if "GET" in r.methods and not r.arguments
                   and not r.rule.startswith(SKIP + LIBRARY)})


def _text(response):
    """What a reader of the response sees: an .xlsx export's cells, or the body."""
    if response.mimetype == XLSX:
        return xlsx_text(response.get_data())
    return response.get_data(as_text=True)


def _names_in(text, names):
    """(One request per URL: `any(n in _text(client.get(url)) for n in names)`
    asked for each page once per name.)"""
    return [n for n in names if n in text]


def _drawn_messages(app):
    from app.extensions import db
    from app.models import OutboxMessage

    with app.app_context():
        return db.session.query(OutboxMessage).filter_by(type="experts.drawn") \
            .order_by(OutboxMessage.id).all()


@pytest.mark.parametrize("username", USERNAMES)
def test_before_the_review_no_page_or_api_shows_a_name(gps, drawn, username):
    names = _names(gps, drawn)
    assert len(names) == 5
    with clock(REVIEW_AT - dt.timedelta(minutes=1)):
        client = logged_in(gps, username)
        status, shows = PAGE[username]
        page = client.get(f"/expert-draw/{drawn}")
        assert page.status_code == status
        text = page.get_data(as_text=True)
        assert all(name in text for name in names) == shows
        if status == 200 and not shows:
            assert "已抽取 3 人，结果将于评审时间推送" in text
            assert not any(name in text for name in names)
        if shows:  # the drawing regulator phones them
            assert _mobiles(gps, drawn) <= {m for m in _mobiles(gps, drawn) if m in text}
        urls = _get_urls(gps)
        assert "/audit/list/" in urls and "/sync/outbox/list/" in urls
        # Pages with an argument: the OCDS export of the purchaser's plan, the feed.
        urls += [f"/notice-publish/wizard/{plan_of(gps)}/ocds", "/interop/v1/feed?since=0"]
        leaks = [url for url in urls if _names_in(_text(client.get(url)), names)]
        assert leaks == []
        headers = bearer(api_token(client, username))
        apis = [u for u in _get_urls(gps) + [r.rule for r in gps.url_map.iter_rules()
                                            if r.rule.startswith("/api/v1/")
                                            and not r.rule.startswith(LIBRARY)
                                            and not r.arguments and "GET" in r.methods]
                if u.startswith("/api/v1/")]
        assert apis
        leaks = [url for url in apis
                 if _names_in(_text(client.get(url, headers=headers)), names)]
        assert leaks == []


def test_the_library_says_nothing_of_draws(gps, drawn):
    from app.extensions import db
    from app.models import ExpertRequest

    with gps.app_context():
        request_no = db.session.get(ExpertRequest, drawn).request_no
    with clock(REVIEW_AT - dt.timedelta(minutes=1)):
        client = logged_in(gps, "chushen")
        headers = bearer(api_token(client, "chushen"))
        for url in ("/experts/list/", "/api/v1/expert/", "/experts/list/?_flt_0_name=专家"):
            page = client.get(url, headers=headers)
            assert page.status_code == 200, url
            text = page.get_data(as_text=True)
            for trace in (request_no, "已抽取", "正选", "备选"):
                assert trace not in text, (url, trace)


def test_before_the_review_no_outbox_row_audit_row_or_log_line_names_them(gps, drawn, caplog):
    from app import expert_draw
    from app.extensions import db
    from app.models import AuditLog, DrawnExpert, OutboxMessage
    from app.sync import sweeper

    names, mobiles = _names(gps, drawn), _mobiles(gps, drawn)
    with gps.app_context(), clock(REVIEW_AT - dt.timedelta(seconds=1)):
        first = db.session.query(DrawnExpert).filter_by(request_id=drawn, role="正选").first()
        expert_draw.mark_attendance(first, "不参加", user(gps, "chushen"), "出差")
        assert expert_draw.release_due() == 0
        sweeper.sweep()
        bodies = [row.body for row in db.session.query(OutboxMessage)]
        details = [row.detail or "" for row in db.session.query(AuditLog)]
    assert _drawn_messages(gps) == []
    secret = names | mobiles
    assert not any(s in body or json.dumps(s)[1:-1] in body for s in secret for body in bodies)
    assert not any(s in d for s in secret for d in details)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "call due for drawn_expert" in logged
    assert not any(s in logged for s in secret)


def test_at_the_review_experts_drawn_is_written_once(gps, drawn):
    from app import expert_draw
    from app.extensions import db
    from app.models import DrawnExpert, ExpertRequest
    from app.sync import sweeper

    with gps.app_context():
        with clock(FIRST_DAY):
            rows = db.session.query(DrawnExpert).filter_by(request_id=drawn).order_by(
                DrawnExpert.id).all()
            expert_draw.mark_attendance(rows[0], "参加", user(gps, "chushen"))
            expert_draw.mark_attendance(rows[1], "请假", user(gps, "chushen"))
        with clock(REVIEW_AT):
            assert expert_draw.release_due() == 1
            assert expert_draw.release_due() == 0
            sweeper.sweep()
            item = db.session.get(ExpertRequest, drawn)
            assert (item.release_state, item.release_version) == ("已推送", 1)
            request_no, reserve_key = item.request_no, str(rows[3].expert_id)
    messages = _drawn_messages(gps)
    assert len(messages) == 1
    row = messages[0]
    assert (row.target, row.entity_key, row.entity_version) == (
        "410400", f"expert_request:{request_no}", 1)
    payload = json.loads(row.body)["payload"]
    assert payload["review_at"] == "2026-12-17T09:30:00"
    assert payload["lot_code"] == "P-EXP-0001-01"
    experts = payload["experts"]
    assert [(e["role"], e["position"], e["attendance"]) for e in experts] == [
        ("正选", 1, "参加"), ("正选", 3, "待通知"), ("正选", 4, "待通知"), ("备选", 2, "待通知")]
    assert experts[2]["key"] == reserve_key  # the first reserve stepped in
    assert all(e["speciality"] == "A0201 计算机设备" and e["work_unit"] for e in experts)
    assert not any("mobile" in e or "id_number" in e for e in experts)


def test_two_releases_at_once_write_one_message(gps, drawn):
    from app import expert_draw

    barrier, sent = threading.Barrier(2), []

    def run():
        with gps.app_context(), clock(REVIEW_AT + dt.timedelta(minutes=1)):
            barrier.wait()
            sent.append(expert_draw.release_due())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sent) == [0, 1]
    assert len(_drawn_messages(gps)) == 1


def test_a_change_after_the_release_sends_the_next_version(gps, drawn):
    from app import expert_draw
    from app.extensions import db
    from app.models import DrawnExpert

    with gps.app_context(), clock(REVIEW_AT + dt.timedelta(minutes=5)):
        assert expert_draw.release_due() == 1
        first = db.session.query(DrawnExpert).filter_by(request_id=drawn, role="正选").first()
        expert_draw.mark_attendance(first, "不参加", user(gps, "chushen"), "未到场")
        declined = str(first.expert_id)
    messages = _drawn_messages(gps)
    assert [m.entity_version for m in messages] == [1, 2]
    keys = [e["key"] for e in json.loads(messages[1].body)["payload"]["experts"]]
    assert declined not in keys


def test_a_hand_typed_project_is_not_pushed(gps):
    from app import expert_draw
    from app.extensions import db
    from app.models import ExpertRequest

    with gps.app_context():
        with clock(FIRST_DAY):
            specialities()
            eligible_experts(6)
            db.session.commit()
            request_id = add_request(needs=(("A0201", 2, 1),), pushed=False, lot=None)
            expert_draw.draw(db.session.get(ExpertRequest, request_id), user(gps, "chushen"))
        with clock(REVIEW_AT + dt.timedelta(hours=1)):
            assert expert_draw.release_due() == 0
            assert db.session.get(ExpertRequest, request_id).release_state == "已抽取"
            page = logged_in(gps, "jingban").get(f"/expert-draw/{request_id}")
            assert "未对接交易平台，结果不推送" in page.get_data(as_text=True)
    assert _drawn_messages(gps) == []


def test_from_the_review_the_applicant_sees_names_but_no_phone(gps, drawn):
    names, mobiles = _names(gps, drawn), _mobiles(gps, drawn)
    with clock(REVIEW_AT):
        for username in ("jingban", "daili", "fuhe"):
            text = logged_in(gps, username).get(f"/expert-draw/{drawn}").get_data(as_text=True)
            assert all(n in text for n in names)
            assert any(m in text for m in mobiles) == (username == "fuhe")
            assert "结果将于评审时间推送" not in text


def test_another_citys_experts_phones_are_whole_only_to_the_drawer(gps):
    """An application may draw from another region's library (异地抽取):
    the regulator who drew calls those experts and sees their phones; the
    region's other regulators, who do not maintain that library, see them
    masked (experts.display_mobile), as everywhere else."""
    from app import expert_draw
    from app.extensions import db
    from app.models import ExpertRequest

    with gps.app_context(), clock(FIRST_DAY):
        specialities()
        eligible_experts(6, region="411322")  # 方城县, another city's county
        db.session.commit()
        request_id = add_request(needs=(("A0201", 2, 1),), expert_region="411322")
        expert_draw.draw(db.session.get(ExpertRequest, request_id), user(gps, "chushen"))
    mobiles = _mobiles(gps, request_id)
    masked = {m[:3] + "****" + m[-4:] for m in mobiles}
    with clock(REVIEW_AT + dt.timedelta(minutes=5)):
        for username, whole in (("chushen", True), ("fuhe", False), ("jianguan", False)):
            text = logged_in(gps, username).get(f"/expert-draw/{request_id}").get_data(
                as_text=True)
            assert all(m in text for m in (mobiles if whole else masked)), username
            assert any(m in text for m in mobiles) == whole, username


def test_the_draw_record_is_sealed_like_the_names(gps, drawn):
    """The seed and the pool replay the draw over the library a regulator may
    read: before the 评审时间 they show only where the names do."""
    from app.extensions import db
    from app.models import ExpertDraw

    with gps.app_context():
        record = db.session.query(ExpertDraw).filter_by(request_id=drawn).one()
        seed, pool_hash, draw_id = record.seed, record.pool_hash, record.id
    with clock(REVIEW_AT - dt.timedelta(minutes=1)):
        for username in ("chushen_b", "sheng", "fuhe", "jingban", "daili", "admin"):
            client = logged_in(gps, username)
            text = client.get(f"/expert-draw/{drawn}").get_data(as_text=True)
            assert seed not in text and pool_hash[:16] not in text, username
            verify = client.get(f"/expert-draw/{drawn}/verify/{draw_id}", follow_redirects=True)
            assert seed not in verify.get_data(as_text=True), username
            assert "验证结果" not in verify.get_data(as_text=True), username
        own = logged_in(gps, "chushen").get(f"/expert-draw/{drawn}").get_data(as_text=True)
        assert seed in own
    with clock(REVIEW_AT):
        text = logged_in(gps, "chushen_b").get(f"/expert-draw/{drawn}/verify/{draw_id}") \
            .get_data(as_text=True)
        assert seed in text and "验证结果（第 1 次）：一致" in text


def test_no_draw_once_the_review_time_has_come(gps):
    from app.extensions import db
    from app.models import ExpertDraw

    with gps.app_context():
        with clock(FIRST_DAY):
            specialities()
            eligible_experts(6)
            db.session.commit()
            request_id = add_request(needs=(("A0201", 2, 1),))
    with clock(REVIEW_AT):
        client = logged_in(gps, "chushen")
        page = client.post(f"/expert-draw/{request_id}/draw",
                           data={"csrf_token": form_token(client)}, follow_redirects=True)
        assert "已到，不能再抽取专家" in page.get_data(as_text=True)
    with gps.app_context():
        assert db.session.query(ExpertDraw).filter_by(request_id=request_id).count() == 0


def test_the_page_buttons_draw_mark_supplement_and_verify(gps):
    from app.extensions import db
    from app.models import DrawnExpert, ExpertDraw

    with gps.app_context():
        specialities()
        eligible_experts(12)
        db.session.commit()
        request_id = add_request(needs=(("A0201", 3, 1),))
    with clock(FIRST_DAY):
        chushen = logged_in(gps, "chushen")
        page = chushen.get(f"/expert-draw/{request_id}").get_data(as_text=True)
        assert 'id="btn-draw"' in page and "data-confirm=" in page
        token = form_token(chushen)
        # The applicant may not press it.
        jingban = logged_in(gps, "jingban")
        refused = jingban.post(f"/expert-draw/{request_id}/draw",
                               data={"csrf_token": form_token(jingban)})
        assert refused.status_code == 403
        done = chushen.post(f"/expert-draw/{request_id}/draw", data={"csrf_token": token},
                            follow_redirects=True).get_data(as_text=True)
        assert "抽取完成" in done and "验证" in done
        with gps.app_context():
            first = db.session.query(DrawnExpert).filter_by(request_id=request_id,
                                                            role="正选").first().id
            draw_id = db.session.query(ExpertDraw.id).filter_by(request_id=request_id).scalar()
        marked = chushen.post(f"/expert-draw/{request_id}/attendance/{first}",
                              data={"csrf_token": token, "attendance": "请假"},
                              follow_redirects=True).get_data(as_text=True)
        assert "备选专家已递补为正选" in marked
        # The one who asked for leave stays 正选 1, struck through.
        row = re.search(rf'<tr id="drawn-{first}" class="declined text-muted">(.*?)</tr>',
                        marked, re.S)
        assert row and "<s>" in row.group(1) and "请假" in row.group(1), row
        # The one reserve is used: the next decline is asked about as leaving the panel short.
        assert "该专业已无备选专家，记录后正选专家将不足" in marked
        assert "记录后由下一位备选专家递补为正选" not in marked and "short-panel" not in marked
        with gps.app_context():
            second = db.session.query(DrawnExpert.id).filter(
                DrawnExpert.request_id == request_id, DrawnExpert.role == "正选",
                DrawnExpert.id != first).order_by(DrawnExpert.position).first()[0]
        short = chushen.post(f"/expert-draw/{request_id}/attendance/{second}",
                             data={"csrf_token": token, "attendance": "不参加"},
                             follow_redirects=True).get_data(as_text=True)
        assert "该专业已无备选专家递补，正选专家不足，请【补抽】" in short
        assert "正选专家不足：需要 3 人，可参加的 2 人，备选已用完。请【补抽】。" in short
        bad = chushen.post(f"/expert-draw/{request_id}/supplement",
                           data={"csrf_token": token, "need_id": "x", "count": "1",
                                 "reason": "请假"})
        assert bad.status_code == 400 and "请选择本申请的评审专业" in bad.get_data(as_text=True)
        with gps.app_context():
            need_id = db.session.query(DrawnExpert.need_id).filter_by(id=first).scalar()
        more = chushen.post(f"/expert-draw/{request_id}/supplement",
                            data={"csrf_token": token, "need_id": str(need_id), "count": "1",
                                  "reason": "备选已用完"}, follow_redirects=True)
        assert "补抽完成" in more.get_data(as_text=True)
        assert "short-panel" not in more.get_data(as_text=True)  # three can come again
        verified = chushen.get(f"/expert-draw/{request_id}/verify/{draw_id}")
        assert "验证结果（第 1 次）：一致" in verified.get_data(as_text=True)
        assert logged_in(gps, "daili").get(
            f"/expert-draw/{request_id}/verify/{draw_id}").status_code == 403
        assert chushen.get(f"/expert-draw/{request_id}/verify/99999").status_code == 404
        assert chushen.get("/expert-draw/99999").status_code == 404
