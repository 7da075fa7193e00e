"""One confirmation dialog for every irreversible action (issue 13, item 11).

Every POST form and action button on the pages where users take an
irreversible step carries the data- attributes that app/static/js/confirm.js
turns into the one dialog: data-confirm (what will happen) and
data-confirm-title (the action). A POST form that is neither confirmed nor
named below as harmless fails the test, so a new one cannot slip through
unasked. The dialog itself is tested in a browser
(tests/e2e/test_confirm_browser.py)."""
import re
from html.parser import HTMLParser

import pytest

from tests.acceptance_helpers import (accepted_project, add_lot, complete, project_of,
                                      pushed_plan, take_plan)
from tests.acceptance_helpers import submit as submit_acceptance
from tests.committee_helpers import seat_committee
from tests.filings import add_filing, filed_plan_id, newest_filing_id
from tests.filings import submit as submit_filing
from tests.helpers import csrf_token, logged_in
from tests.notice_helpers import draft_id, plan_of, push_lots, start_draft
from tests.test_lot_settings import _add_scoring, _lot_ids, _notice_received, _open_bid

# POST forms that change nothing irreversible: they save a form the user can
# change again, or move to the next step of one.
HARMLESS = [
    r"/holidays/\d+/holiday$",          # 保存 a holiday (it can be changed or deleted)
    r"/notice/\d+/edit (save|preview|postpone)$",  # 保存草稿, 预览, 顺延 (in the draft)
    r"/wizard/\d+/draft$",              # 起草公告 → 下一步 (choose lots)
    r"/acceptance/plans/",              # 选择计划 → 选择 (fills a new acceptance)
    r"/expert-requests/(add|edit/\d+) (保存|增加行)$",  # 专家抽取申请: 保存 a draft, more rows
    r"/contracts/(add|edit/\d+) 保存$",  # 合同公告及备案: 保存 a draft
]
# The actions that cannot be undone, by where their form posts.
IRREVERSIBLE = [r"/delete", r"/withdraw/", r"/review/", r"/start_evaluation/",
                r"/finish_evaluation/", r"/holidays/\d+/info$", r"/holidays/import$",
                r"/action/", r"/notice/\d+/edit publish$",
                r"/expert-requests/(add|edit/\d+) 提交$"]


class Page(HTMLParser):
    """The POST forms of a page with their submit buttons, the FAB list
    action buttons, and any inline handler."""

    def __init__(self, path):
        super().__init__()
        self.path, self.forms, self.fab_actions, self.inline = path, [], [], []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if any(name.startswith("on") for name in attrs):
            self.inline.append((tag, attrs))
        # FAB's hidden #action_form / #delete_form only carry what a
        # data-fab-action button (checked below) sends.
        if (tag == "form" and (attrs.get("method") or "").lower() == "post"
                and attrs.get("id") not in ("action_form", "delete_form")):
            self._form = {"attrs": attrs, "buttons": [],
                          "action": attrs.get("action") or self.path}
            self.forms.append(self._form)
        elif tag == "button" and self._form is not None and attrs.get("type", "submit") == "submit":
            self._form["buttons"].append(attrs)
        if "data-fab-action" in attrs:
            self.fab_actions.append(attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def confirmed(*sources) -> bool:
    """data-confirm and data-confirm-title on the button or its form, not empty."""
    return (any((s.get("data-confirm") or "").strip() for s in sources)
            and any((s.get("data-confirm-title") or "").strip() for s in sources))


def check(client, path) -> list[str]:
    """What is wrong on the page: irreversible steps that do not ask, POST
    forms no one has classified, inline handlers. Empty when all is well."""
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    page = Page(path)
    page.feed(html)
    wrong = [f"inline handler {tag} {attrs}" for tag, attrs in page.inline]
    dialogs = html.count('id="modal-confirm"')
    if dialogs != 1:
        wrong.append(f"{path}: {dialogs} confirmation dialogs")
    for form in page.forms:
        action = form["action"].split("?")[0]
        for button in form["buttons"] or [{}]:
            step = f"{action} {button.get('value', '')}".strip()
            if any(re.search(p, step) for p in IRREVERSIBLE):
                if not confirmed(button, form["attrs"]):
                    wrong.append(f"{path}: {step} does not ask")
            elif not any(re.search(p, step) for p in HARMLESS):
                wrong.append(f"{path}: POST {step} is neither confirmed nor known harmless")
    for attrs in page.fab_actions:
        if not confirmed(attrs):
            wrong.append(f"{path}: FAB action {attrs['data-fab-action']} does not ask")
    return wrong


def forms_on(client, path, pattern) -> int:
    """How many POST forms/buttons matching `pattern` the page has (so each
    page is known to show the step it is listed for)."""
    page = Page(path)
    page.feed(client.get(path).get_data(as_text=True))
    return (sum(1 for f in page.forms for b in f["buttons"] or [{}]
                if re.search(pattern, f"{f['action']} {b.get('value', '')}".strip()))
            + sum(1 for a in page.fab_actions if re.search(pattern, a["data-fab-action"])))


@pytest.fixture
def gps_pages(gps):
    """A GPS site with one of everything irreversible waiting: a draft plan
    (删除, 备案), a filed plan (撤回), a draft notice (发布, 删除草稿), a filing
    waiting for shenhe (审核)."""
    jingban = logged_in(gps, "jingban")
    token = csrf_token(jingban, "/plans/add")
    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    notice = draft_id(start_draft(jingban, plan_id, lots=[f"{code}001"]))
    # The same plan's project then gets its result (the draft stays a draft).
    plans = {"filed": filed_plan_id(gps)}
    from app.extensions import db
    from app.models import Plan
    from app.models import ProjectReplica
    with gps.app_context():
        draft = db.session.query(Plan.id).filter_by(state="草稿").first()
        # 撤回 only while no trading centre has accepted its project.
        accepted = db.session.query(ProjectReplica.plan_id).filter(
            ProjectReplica.plan_id.isnot(None))
        unit = db.session.get(Plan, plan_id).unit_id
        withdrawable = (db.session.query(Plan.id).filter_by(state="已备案", unit_id=unit)
                        .filter(Plan.id.notin_(accepted)).first())
    assert token and draft, "the demo has a draft plan"
    assert withdrawable, "the demo has a filed plan not yet accepted"
    # 合同公告及备案: one waiting for shenhe, one draft to 提交 (or 删除).
    from tests.contract_helpers import add_contract, lot_codes, saved_id
    from tests.contract_helpers import submit as submit_contract
    with gps.app_context():
        project = db.session.query(ProjectReplica.project_code).filter_by(
            plan_id=plans["filed"]).scalar()
    lot1, lot2 = lot_codes(gps, project)
    contract = saved_id(add_contract(jingban, project, {lot1: "880000.00"}))
    submit_contract(jingban, contract)
    saved_id(add_contract(jingban, project, {lot2: "590000.00"}, amount="590000.00"))
    # Then a 中标结果变更备案 waiting for shenhe (after the contracts: none is
    # saved for a lot whose winner is being changed) and one left to 提交.
    add_filing(jingban, plans["filed"])
    filing = newest_filing_id(gps)
    submit_filing(jingban, filing)
    add_filing(jingban, plans["filed"])
    return {"filed": plans["filed"], "filing": filing, "notice": notice, "draft": draft[0],
            "withdrawable": withdrawable[0],
            "contract": contract, "project": project}


# (user, path, what the page must offer) — the inventory of docs/confirmations.md.
GPS_PAGES = [
    ("jingban", "/plans/list/", r"/delete/|file_plans"),
    ("jingban", "/plans/show/{draft}", r"/action/file_plans/"),
    ("jingban", "/plans/withdraw/{withdrawable}", r"/withdraw/"),
    ("jingban", "/winner-changes/list/", r"^submit$|/delete/"),
    ("jingban", "/notice-publish/notice/{notice}/edit", r"publish|/delete"),
    ("shenhe", "/winner-changes/review/{filing}", r"/review/"),
    ("jingban", "/expert-requests/add", r"提交$"),
    ("jingban", "/expert-requests/list/", r"^submit$"),
    ("jingban", "/contracts/list/", r"^submit$|/delete/"),
    ("jingban", "/contracts/add?project={project}", r"保存$"),
    ("shenhe", "/contracts/review/{contract}", r"/review/"),
    ("admin", "/holidays/2027", r"/info$"),
    ("admin", "/holidays/import", r"/import$"),
    ("admin", "/sync/outbox/list/", r"^replay$"),
    ("admin", "/organisations/list/", r"/delete/"),
]


def test_every_irreversible_step_on_gps_asks(gps, gps_pages):
    for user, path, offered in GPS_PAGES:
        client = logged_in(gps, user)
        path = path.format(**gps_pages)
        assert check(client, path) == []
        assert forms_on(client, path, offered), f"{path} offers no {offered}"


@pytest.fixture
def pds(site_factory):
    return site_factory("pds")


def test_every_irreversible_step_on_trading_asks(pds):
    # 受理/退回: an acceptance waiting for keshi; 开始评标: a project past 开标.
    pushed_plan(pds, "410400-2026-95101")
    daili = logged_in(pds, "daili")
    take_plan(daili, "410400-2026-95101")
    waiting, _code, _state = project_of(pds, "410400-2026-95101")
    assert complete(daili, waiting).status_code == 302
    assert add_lot(daili, waiting, "第一包 教学计算机", "1000000.00").status_code == 302
    assert "已提交" in submit_acceptance(daili, waiting).get_data(as_text=True)
    _daili, accepted, _code = accepted_project(pds, "410400-2026-95102")
    lot = _lot_ids(pds, accepted)[0]
    _notice_received(pds, lot)
    _add_scoring(pds, lot, ("价格", "价格分", "100"))
    assert _open_bid(daili, lot, "甲公司", "900000.00").status_code == 302  # → 已开标
    seat_committee(pds, lot)  # 开始评标 waits for a lawful 评委会
    pages = [("daili", "/acceptance/list/", r"^submit$"),
             ("keshi", f"/acceptance/review/{waiting}", r"/review/"),
             ("daili", f"/project-stages/show/{accepted}", r"_evaluation/"),
             ("daili", "/time-changes/list/", r"^submit$"),
             ("daili", "/scoring-items/list/", r"/delete/"),
             ("admin", "/holidays/2026", r"/info$")]
    for user, path, offered in pages:
        client = logged_in(pds, user)
        assert check(client, path) == []
        assert forms_on(client, path, offered), f"{path} offers no {offered}"


def test_a_review_names_what_each_result_does(gps, gps_pages):
    """审核: the dialog's text comes from the chosen 审批结果, naming the next step."""
    page = logged_in(gps, "shenhe").get(f"/winner-changes/review/{gps_pages['filing']}")
    html = page.get_data(as_text=True)
    assert 'data-confirm-choice="result"' in html
    assert "审核通过后，该事项将变为“待监管初审”，由监管初审岗审核。" in html
    assert "退回后，该事项将变为“已退回”，由采购单位经办岗修改后重新提交。" in html


def test_a_stage_change_by_get_leads_to_the_page_that_asks(pds):
    _daili, pk, _code = accepted_project(pds, "410400-2026-95103")
    daili = logged_in(pds, "daili")
    response = daili.get(f"/project-stages/start_evaluation/{pk}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/project-stages/show/{pk}")
