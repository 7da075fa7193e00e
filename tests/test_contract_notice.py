"""合同公告 (app/contract_notice.py): publishing a filed contract on GPS, the
message to the project's platform, the 合同公告 column of its website, the
public download of the redacted contract, the wizard's 合同 stage and the
OCDS contracts. Contracts are built from the models (tests.contract_notice_helpers);
filing them through the form is tested with the filing side."""
import hashlib
import json

import pytest

from app.extensions import db
from app.models import AuditLog, Contract, Notice, OutboxMessage, Plan, PublishedNotice
from app.sync.messages.notice import NoticePayload
from tests.contract_notice_helpers import REDACTED, SIGNED, filed_contract
from tests.notice_helpers import plan_of


def _message(app, key):
    with app.app_context():
        row = (db.session.query(OutboxMessage)
               .filter_by(type="notice.published", entity_key=f"notice:{key}").one())
        return row.target, row.entity_version, row.body


def test_publish_creates_the_notice_and_its_message(gps):
    made = filed_contract(gps)
    key = made["notice_key"]
    with gps.app_context():
        notice = db.session.query(Notice).filter_by(notice_key=key).one()
        contract = db.session.get(Contract, made["id"])
        plan = db.session.get(Plan, made["plan_id"])
        assert contract.notice_id == notice.id
        assert (notice.notice_type, notice.state, notice.sync_state) == ("合同公告", "已发布", "待推送")
        assert notice.title == f"{plan.project_name}合同公告"
        assert notice.published_at is not None and notice.project_code == made["project_code"]
        assert notice.platform_code == plan.pushed_to and notice.unit_id == plan.unit_id
        [lot] = notice.lots
        assert lot.lot_code == made["lots"][0] and lot.budget == lot.award_amount
        assert lot.supplier_name == contract.supplier_name
        audit = db.session.query(AuditLog).filter_by(entity_key=key, action="发布合同公告").one()
        assert made["filing_no"] in audit.detail
    target, version, body = _message(gps, key)
    assert target == plan.pushed_to
    payload = json.loads(body)["payload"]
    NoticePayload().load(payload)  # what the platform will accept
    assert payload["notice_type"] == "合同公告"
    assert payload["documents"] == [{
        "title": "合同文本（公开版）", "url": f"http://localhost/gongkai/contracts/{key}.pdf",
        "size": len(REDACTED), "sha256": hashlib.sha256(REDACTED).hexdigest()}]
    html = payload["body_html"]
    for heading in ("一、合同编号", "二、合同名称", "三、项目编号", "四、项目名称", "五、合同主体",
                    "采购人（甲方）", "供应商（乙方）", "六、合同主要信息", "主要标的名称",
                    "规格型号", "主要标的数量", "主要标的单价", "合同金额", "履约期限",
                    "采购方式", "七、合同签订日期", "八、合同公告日期", "九、其他补充事宜"):
        assert heading in html, heading
    assert "质保三年" in html and "<script" not in html
    # The signed original is nowhere in what leaves GPS.
    for secret in (made["signed"], hashlib.sha256(SIGNED).hexdigest(), "合同原件", "signed.pdf",
                   "6222000011112222"):
        assert secret not in body, secret


def test_the_detail_page_shows_the_day_the_notice_was_published(gps):
    """公告日期 left blank means "on approval": once the 合同公告 is out, the
    page shows its day, not "—". And the 项目名称 without the 项目编号."""
    import re

    from tests.helpers import logged_in

    made = filed_contract(gps)
    with gps.app_context():
        contract = db.session.get(Contract, made["id"])
        assert contract.announce_on is None
        published = contract.notice.published_at.date()
        contract_project_name = contract.project.project_name
    page = logged_in(gps, "jingban").get(f"/contracts/show/{made['id']}").get_data(as_text=True)

    def shown(label):
        found = re.search(label + r"\s*</th>\s*<td>\s*<span[^>]*>([^<]*)</span>", page)
        return found and found.group(1)

    assert shown("公告日期") == published.isoformat()
    # 项目名称 is the name: 项目编号 has its own row.
    assert shown("项目名称") == contract_project_name


def test_public_base_url_comes_from_the_configuration(site_factory):
    gps = site_factory("gps", PUBLIC_BASE_URL="https://gps.example.cn/")
    key = filed_contract(gps)["notice_key"]
    payload = json.loads(_message(gps, key)[2])["payload"]
    assert payload["documents"][0]["url"] == f"https://gps.example.cn/gongkai/contracts/{key}.pdf"


def test_a_contract_notice_is_published_once_and_needs_the_public_version(gps):
    from flask import g

    from app import contract_notice

    made = filed_contract(gps)
    with gps.test_request_context():
        contract = db.session.get(Contract, made["id"])
        g.user = user = db.session.get(type(contract.created_by), contract.created_by_fk)
        with pytest.raises(contract_notice.Refusal, match="已发布"):
            contract_notice.publish(contract, user)
    second = filed_contract(gps, filing_no="HT-2026-0002", publish=False, seqs=(2,))
    # Outside a request, without PUBLIC_BASE_URL: no address to link, refused.
    with gps.app_context():
        contract = db.session.get(Contract, second["id"])
        with pytest.raises(contract_notice.Refusal, match="PUBLIC_BASE_URL"):
            contract_notice.publish(contract, None)
    with gps.test_request_context():
        contract = db.session.get(Contract, second["id"])
        g.user = db.session.get(type(contract.created_by), contract.created_by_fk)
        with db.session.no_autoflush:
            pdf, contract.redacted_pdf = contract.redacted_pdf, None
            with pytest.raises(contract_notice.Refusal, match="公开版"):
                contract_notice.publish(contract, g.user)
            contract.redacted_pdf = pdf
            contract.lots.clear()
            with pytest.raises(contract_notice.Refusal, match="关联标段"):
                contract_notice.publish(contract, g.user)
        db.session.rollback()


# --- the public download ----------------------------------------------------------------

def test_the_public_pdf_is_the_redacted_one_and_only_while_filed(gps):
    made = filed_contract(gps)
    key, web = made["notice_key"], gps.test_client()  # nobody signed in
    response = web.get(f"/gongkai/contracts/{key}.pdf")
    assert response.status_code == 200
    assert response.data == REDACTED and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f'filename="contract-{key}.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    with gps.app_context():
        result_key = db.session.query(Notice.notice_key).filter_by(
            project_code=made["project_code"], notice_type="结果公告").first()[0]
    for path in (f"/gongkai/contracts/{result_key}.pdf",  # not a 合同公告
                 "/gongkai/contracts/NO-SUCH-KEY.pdf",
                 f"/gongkai/contracts/{made['signed'].removesuffix('.pdf')}.pdf",
                 f"/gongkai/contracts/{made['redacted'].removesuffix('.pdf')}.pdf",
                 "/gongkai/contracts/..%2F..%2Fgps.db.pdf", "/gongkai/contracts/%00.pdf",
                 f"/gongkai/contracts/{key}", f"/gongkai/contracts/{key}.pdf/x"):
        assert web.get(path).status_code == 404, path

    # No longer 已备案 (or its notice not published): gone from the public.
    with gps.app_context():
        db.session.query(Contract).filter_by(id=made["id"]).update(
            {"state": "已退回", "changed_by_fk": Contract.changed_by_fk}, synchronize_session=False)
        db.session.commit()
    assert web.get(f"/gongkai/contracts/{key}.pdf").status_code == 404
    with gps.app_context():
        db.session.query(Contract).filter_by(id=made["id"]).update(
            {"state": "已备案", "changed_by_fk": Contract.changed_by_fk}, synchronize_session=False)
        db.session.query(Notice).filter_by(notice_key=key).update(
            {"state": "草稿", "changed_by_fk": Notice.changed_by_fk}, synchronize_session=False)
        db.session.commit()
    assert web.get(f"/gongkai/contracts/{key}.pdf").status_code == 404


def test_a_missing_file_is_404_not_500(gps):
    from app import attachments

    made = filed_contract(gps)
    with gps.app_context():
        (attachments.upload_dir() / made["redacted"]).unlink()
    assert gps.test_client().get(f"/gongkai/contracts/{made['notice_key']}.pdf").status_code == 404


# --- GPS → the project's platform → its website ---------------------------------------------

@pytest.fixture
def sites(site_factory):
    return site_factory("gps"), site_factory("pds"), site_factory("fc")


def _relay(sender, receiver, kind):
    from tests.test_notice_sync import _relay as relay

    return relay(sender, receiver, kind)


def test_the_platform_puts_it_in_the_contract_column_with_its_document(sites):
    from tests.acceptance_helpers import accepted_project
    from tests.helpers import logged_in

    gps, pds, fc = sites
    plan_id = plan_of(gps)
    with gps.app_context():
        plan_no, pushed_to = db.session.query(Plan.plan_no, Plan.pushed_to).filter_by(
            id=plan_id).one()
    assert pushed_to == "410400"
    _daili, _pk, code = accepted_project(pds, plan_no)
    assert _relay(pds, gps, "project.accepted").status_code == 200  # 标段推送
    made = filed_contract(gps, plan_id, result_seqs=(1,))  # lot 2's budget here is 500,000
    assert made["project_code"] == code
    key = made["notice_key"]

    response = _relay(gps, pds, "notice.published")
    assert response.status_code == 200, response.get_data(as_text=True)
    with pds.app_context():
        stored = db.session.query(PublishedNotice).filter_by(notice_key=key).one()
        notice_id, title, documents = stored.id, stored.title, stored.documents
        assert stored.column == "合同公告"
        assert "<script" not in stored.body_html
    assert documents == [{"title": "合同文本（公开版）",
                          "url": f"http://localhost/gongkai/contracts/{key}.pdf",
                          "size": len(REDACTED), "sha256": hashlib.sha256(REDACTED).hexdigest()}]
    web = pds.test_client()
    home = web.get("/web/").get_data(as_text=True)
    column_box = home.split('id="col-hetong"', 1)[1].split("</section>", 1)[0]
    assert title in column_box
    assert title in web.get("/web/hetong/?title=合同公告").get_data(as_text=True)
    assert title in web.get(f"/web/hetong/?code={code}").get_data(as_text=True)
    assert title not in web.get("/web/hetong/?title=不存在的标题").get_data(as_text=True)
    assert title not in web.get("/web/jieguo/").get_data(as_text=True)
    for feed in ("/web/hetong/feed.atom", "/web/hetong/rss.xml"):
        assert title in web.get(feed).get_data(as_text=True), feed
    page = web.get(f"/web/notices/{notice_id}").get_data(as_text=True)
    link = page.split('id="notice-documents"', 1)[1].split("</ul>", 1)[0]
    assert f'href="http://localhost/gongkai/contracts/{key}.pdf"' in link
    assert 'rel="noopener noreferrer"' in link and "合同文本（公开版）" in link
    assert 'id="documents-note"' in page and "一、合同编号" in page

    # 平顶山市 → GPS: 已同步, then 已上网; the wizard's 合同 stage says so.
    assert _relay(pds, gps, "notice.online").status_code == 200
    page = logged_in(gps, "jingban").get(f"/notice-publish/wizard/{plan_id}").get_data(
        as_text=True)
    row = page.split(f'data-filing-no="{made["filing_no"]}"', 1)[1].split("</tr>", 1)[0]
    assert "已备案" in row and "已发布" in row and "已同步" in row and "已上网" in row

    # Only the project's platform: 方城县 never gets it (the outbox names 平顶山市),
    # and refuses it when handed it anyway (signed for 平顶山市).
    assert _relay(gps, fc, "notice.published").status_code in (401, 422)
    assert title not in fc.test_client().get("/web/hetong/").get_data(as_text=True)
    with fc.app_context():
        assert db.session.query(PublishedNotice).filter_by(notice_key=key).count() == 0


def _junk(code, lot_codes, **documents):
    from tests.test_notice_sync import _payload

    return _payload(code, lot_codes, key="HT-JUNK", notice_type="合同公告", times=None,
                    **documents)


@pytest.mark.parametrize("documents", [
    [{"title": "合同", "url": "javascript:alert(1)"}],
    [{"title": "合同", "url": "/gongkai/contracts/x.pdf"}],
    [{"title": "合同", "url": "ftp://gps.example.cn/x.pdf"}],
    [{"title": "合" * 101, "url": "https://gps.example.cn/x.pdf"}],
    [{"title": "合同", "url": "https://gps.example.cn/" + "x" * 480 + ".pdf"}],
    [{"title": "", "url": "https://gps.example.cn/x.pdf"}],
    [{"title": "合同", "url": "https://gps.example.cn/x.pdf", "size": -1}],
    [{"title": "合同", "url": "https://gps.example.cn/x.pdf", "sha256": "not-a-digest"}],
    [{"title": f"合同{i}", "url": f"https://gps.example.cn/{i}.pdf"} for i in range(11)],
    "https://gps.example.cn/x.pdf",
    ["https://gps.example.cn/x.pdf"],
])
def test_junk_documents_are_refused_422(site_factory, documents):
    from tests.test_notice_sync import _accepted, _publish

    pds = site_factory("pds")
    _pk, code, lots = _accepted(pds)
    response = _publish(pds, _junk(code, lots[:1], documents=documents))
    assert response.status_code == 422, response.get_data(as_text=True)
    with pds.app_context():
        assert db.session.query(PublishedNotice).filter_by(notice_key="HT-JUNK").count() == 0
    good = [{"title": "合同文本（公开版）", "url": "https://gps.example.cn/gongkai/contracts/x.pdf",
             "size": 12, "sha256": "a" * 64}]
    assert _publish(pds, _junk(code, lots[:1], documents=good)).status_code == 200


@pytest.mark.parametrize("documents", [
    [{"title": "合同", "url": "javascript:alert(1)"}],
    [{"title": "合同", "url": "https://gps.example.cn/a b.pdf"}],
    [{"title": "合同", "url": "http://[::1/x.pdf"}],
    [{"title": "合同", "url": "https:///x.pdf"}],
    [{"title": "合同", "url": "https://gps.example.cn/x.pdf", "size": True}],
    {"title": "合同"},
])
def test_store_notice_checks_documents_again(pds_demo, documents):
    from app.public.notices import NoticeError, store_notice

    with pds_demo.app_context():
        with pytest.raises(NoticeError, match="documents"):
            store_notice({"notice_key": "HT-X", "column": "合同公告", "title": "合同公告",
                          "published_at": "2026-11-20T10:00:00", "documents": documents})
        db.session.rollback()


# --- the wizard -------------------------------------------------------------------------

def test_the_wizard_lists_contracts_and_never_drafts_a_contract_notice(gps):
    from app import notices
    from tests.helpers import logged_in

    made = filed_contract(gps)
    pending = filed_contract(gps, filing_no="HT-2026-0009", state="待单位审核", publish=False,
                             seqs=(2,), contract_name="待审核的合同")
    plan_id = made["plan_id"]
    with gps.app_context():
        plan = db.session.get(Plan, plan_id)
        project = notices.project_of(plan)
        by_type = notices.published_by_type(project.project_code)
        assert [n.notice_key for n in by_type["合同公告"]] == [made["notice_key"]]
        assert "合同公告" not in notices.draftable(project)
        stage = notices.stages(plan, project)[-1]
        assert stage["name"] == "合同" and stage["done"]
        assert [c.filing_no for c in stage["contracts"]] == [made["filing_no"]]
        both = notices.stages(plan, project, notices.contracts_of(plan, with_unfiled=True))[-1]
        assert both["state"] == "已备案 1 份，办理中 1 份"
        assert notices.problems(db.session.query(Notice).filter_by(
            notice_key=made["notice_key"]).one(), plan.filed_at.date())[0].field == "notice_type"

    unit = logged_in(gps, "jingban").get(f"/notice-publish/wizard/{plan_id}").get_data(
        as_text=True)
    table = unit.split('id="wizard-contracts"', 1)[1].split("</table>", 1)[0]
    assert made["filing_no"] in table and pending["filing_no"] in table
    assert "待单位审核" in table and "待审核的合同" in table
    # The 合同公告 is among the project's notices with where it stands …
    notice_rows = unit.split('id="notice-table"', 1)[1]
    assert f'data-key="{made["notice_key"]}"' in notice_rows
    # … and not offered for drafting.
    select = unit.split('id="notice-type"', 1)[1].split("</select>", 1)[0]
    assert "合同公告" not in select
    assert logged_in(gps, "jingban").get(
        f"/notice-publish/wizard/{plan_id}/draft?type=合同公告").status_code == 404

    agency = logged_in(gps, "daili").get(f"/notice-publish/wizard/{plan_id}").get_data(
        as_text=True)
    assert made["filing_no"] in agency and pending["filing_no"] not in agency
    # The notice's own page renders the contract body.
    with gps.app_context():
        notice_id = db.session.query(Notice.id).filter_by(notice_key=made["notice_key"]).scalar()
    shown = logged_in(gps, "jingban").get(f"/notice-publish/notice/{notice_id}")
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "一、合同编号" in page
    link = page.split('id="public-document"', 1)[1].split("</p>", 1)[0]
    assert f'/gongkai/contracts/{made["notice_key"]}.pdf' in link and made["signed"] not in page
    # The wizard's OCDS export carries the contract.
    exported = logged_in(gps, "jingban").get(f"/notice-publish/wizard/{plan_id}/ocds")
    assert exported.status_code == 200
    tags = [release["tag"] for release in exported.json["releases"]]
    assert ["contract"] in tags


def test_the_api_check_of_a_contract_notice_is_an_answer_not_a_500(gps):
    from tests.helpers import api_token, bearer

    made = filed_contract(gps)
    with gps.app_context():
        notice_id = db.session.query(Notice.id).filter_by(notice_key=made["notice_key"]).scalar()
    client = gps.test_client()
    headers = bearer(api_token(client, "jingban"))
    checked = client.get(f"/api/v1/notice/{notice_id}/check", headers=headers)
    assert checked.status_code == 200 and checked.json["problems"][0]["field"] == "notice_type"
    assert client.post(f"/api/v1/notice/{notice_id}/publish", headers=headers).status_code == 409


def test_store_notice_numbers_documents_as_the_schema_does(pds_demo):
    """From 0, as the payload schema's own refusals (documents[0].url)."""
    from app.public.notices import NoticeError, store_notice

    with pds_demo.app_context():
        with pytest.raises(NoticeError, match=r"^documents\[0\]\.url"):
            store_notice({"notice_key": "HT-X", "column": "合同公告", "title": "合同公告",
                          "published_at": "2026-11-20T10:00:00",
                          "documents": [{"title": "合同", "url": "javascript:alert(1)"}]})
        db.session.rollback()


def test_a_contract_notice_says_so_where_the_contract_gives_nothing(gps, monkeypatch):
    """规格型号, 数量, 单价 are optional in the form; the public notice printed
    them as empty labels."""
    import datetime as dt
    from decimal import Decimal
    from types import SimpleNamespace

    from app.contract_notice import render_body

    contract = SimpleNamespace(
        filing_no="HT410400-2026-00001", contract_no="HT-1", original=None,
        purchaser_name="平顶山市教育局", purchaser_address=None, purchaser_phone=None,
        supplier_name="河南甲科技有限公司", supplier_address=None, supplier_phone=None,
        main_items="交互式平板", spec=None, quantity=None, unit_price=None,
        amount=Decimal("880000.00"), performance_period=None, performance_place=None,
        procurement_method="公开招标", signed_on=dt.date(2026, 11, 20), other_html="",
        contract_lots=[], project_code="JY410400-2026-0001")
    notice = SimpleNamespace(id=1, published_at=dt.datetime(2026, 11, 25, 10),
                             project=SimpleNamespace(project_name="多媒体教室设备采购"),
                             project_code="JY410400-2026-0001")
    from app import contract_notice

    monkeypatch.setattr(contract_notice, "_lots_of", lambda c: [])  # a stand-in has no lots
    with gps.test_request_context():
        body = render_body(notice, contract)
    for label in ("规格型号（或服务要求）：—", "主要标的数量：—", "主要标的单价：—",
                  "履约期限、地点等简要信息：—"):
        assert label in body, label
