"""OCDS export (app/ocds.py) of real plans, projects and notices, validated
by libcoveocds (the Open Contracting Partnership's data review library, as
used by its Data Review Tool) against OCDS 1.1.5 offline, and compiled with
ocdsmerge. Where the schema comes from: tests/ocds_schema.py."""
import copy
import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import update

from app import ocds
from app.extensions import db
from app.models import LotReplica, Notice, NoticeLot, Plan, ProjectReplica
from tests import ocds_schema

# The lots extension's fields (undeclared, see app/ocds.py): the only
# additional fields the validator may find.
LOTS_FIELDS = {"/releases/tender/lots", "/releases/awards/relatedLots",
               "/releases/tender/documents/relatedLots", "/releases/awards/documents/relatedLots",
               "/releases/tender/milestones/relatedLots", "/releases/contracts/relatedLots",
               "/releases/contracts/documents/relatedLots"}
SUPPLIER_A = ("河南甲科技有限公司", "91410100MA0000101X")
SUPPLIER_B = ("河南乙科技有限公司", "91410100MA0000202Y")


@pytest.fixture(scope="session")
def standard():
    """The OCDS 1.1.5 standard ZIP; a missing schema fails, never skips."""
    try:
        return ocds_schema.standard_zip()
    except ocds_schema.SchemaUnavailable as exc:
        pytest.fail(f"OCDS schema unavailable, so the export cannot be validated: {exc}")


# --- data: a plan, its project with two lots, and notices of every type ----------------

def _at(day, hour=10, minute=0):
    return dt.datetime(2026, 11, day, hour, minute) if day <= 30 else \
        dt.datetime(2026, 12, day - 30, hour, minute)


def _project(plan, code):
    project = ProjectReplica(project_code=code, platform_code=plan.platform_code or "410400",
                             plan=plan, plan_no=plan.plan_no, project_name=plan.project_name,
                             budget=plan.budget, stage="受理通过", version=1,
                             received_at=dt.datetime.now())
    half = (plan.budget / 2).quantize(Decimal("0.01"))
    project.lots = [
        LotReplica(code=f"{code}001", seq=1, name="第一包 教学计算机", budget=half,
                   content="台式计算机 50 台"),
        LotReplica(code=f"{code}002", seq=2, name="第二包 多媒体设备", budget=plan.budget - half,
                   content="投影仪 20 台"),
    ]
    db.session.add(project)
    return project


def _notice(plan, project, key, kind, lots, published_at, state="已发布", original=None,
            **fields):
    user = db.session.query(Plan.created_by_fk).filter_by(id=plan.id).scalar()
    notice = Notice(notice_key=key, notice_type=kind, project_code=project.project_code,
                    plan=plan, unit_id=plan.unit_id, agency_id=plan.agency_id,
                    region_code=plan.region_code, platform_code=project.platform_code,
                    original=original, title=f"{project.project_name}{kind}", state=state,
                    published_at=published_at if state == "已发布" else None,
                    created_by_fk=user, changed_by_fk=user, **fields)
    for seq, (lot, extra) in enumerate(lots, 1):
        notice.lots.append(NoticeLot(seq=seq, lot_code=lot.code, name=lot.name,
                                     budget=lot.budget, **extra))
    db.session.add(notice)
    db.session.flush()
    return notice


ANNOUNCEMENT = dict(
    performance_period="合同签订后30日内", joint_bid=False,
    qualification_html="<p>具有独立承担民事责任的能力；</p><p>未被列入失信被执行人名单&amp;"
                       "重大税收违法案件当事人名单</p><script>alert(1)</script>",
    doc_start=_at(21, 9), doc_end=_at(27, 17), doc_place="平顶山市公共资源交易中心网站",
    doc_method="网上下载", doc_price=Decimal("0.00"), bid_deadline=_at(41, 9, 30),
    open_time=_at(41, 9, 30), open_place="平顶山市公共资源交易中心开标一室")


def _award_lot(supplier, amount):
    name, credit_code = supplier
    return {"supplier_name": name, "supplier_address": "郑州市金水区花园路1号",
            "supplier_credit_code": credit_code, "award_amount": Decimal(amount),
            "main_items": "台式计算机 50 台，单价 19000 元"}


@pytest.fixture(scope="module")
def exported(gps_module):
    """Plan 1: 采购公告 (both lots) → 变更公告 (times) → 结果公告 (lot 1) →
    结果更正公告 (lot 1, another supplier) → 终止公告 (lot 2), and a draft.
    Plan 2: 采购公告 (both lots) → 终止公告 (both lots).
    Yields the two packages, and what the test needs to know of them."""
    with gps_module.app_context():
        first, second = (db.session.query(Plan).filter_by(state="已备案")
                         .order_by(Plan.id).limit(2).all())
        # Filed before the notices (the demo filed them today). changed_by_fk
        # given, as AuditMixin finds no user outside a request.
        db.session.execute(update(Plan).where(Plan.id.in_([first.id, second.id])).values(
            filed_at=dt.datetime(2026, 11, 10, 9, 0), changed_by_fk=Plan.created_by_fk))
        project = _project(first, "JY410400-2026-0101")
        lot1, lot2 = project.lots
        both = [(lot1, {"requirement_html": "<p>台式计算机</p>", "max_price": lot1.budget}),
                (lot2, {"requirement_html": "<p>投影仪</p>"})]
        announcement = _notice(first, project, "JY410400-2026-0101-01", "采购公告", both,
                               _at(20), **ANNOUNCEMENT)
        _notice(first, project, "JY410400-2026-0101-02", "变更公告", [(lot1, {}), (lot2, {})],
                _at(25), original=announcement, change_items=["时间"],
                change_html="<p>投标截止时间和开标时间顺延至2026年12月18日9时30分。</p>",
                doc_start=ANNOUNCEMENT["doc_start"], doc_end=_at(28, 17),
                bid_deadline=_at(48, 9, 30), open_time=_at(48, 9, 30))
        draft = _notice(first, project, "JY410400-2026-0101-03", "变更公告", [(lot2, {})], None,
                        state="草稿", original=announcement, change_items=["文件"],
                        change_html="<p>草稿：尚未发布的更正</p>")
        result = _notice(first, project, "JY410400-2026-0101-04", "结果公告",
                         [(lot1, _award_lot(SUPPLIER_A, "950000.00"))], _at(52),
                         confirmed_on=dt.date(2026, 12, 21), experts="张三、李四、王五",
                         agency_fee="按标准收取")
        _notice(first, project, "JY410400-2026-0101-05", "结果更正公告",
                [(lot1, _award_lot(SUPPLIER_B, "960000.50"))], _at(55), original=result,
                confirmed_on=dt.date(2026, 12, 21), experts="张三、李四、王五",
                change_html="<p>原中标人放弃中标，依法确定排名第二的中标候选人为中标人。</p>")
        _notice(first, project, "JY410400-2026-0101-06", "终止公告", [(lot2, {})], _at(56),
                reason="<p>因采购需求发生重大变化，第二包终止采购。</p>")

        other = _project(second, "JY411322-2026-0201")
        announced = _notice(second, other, "JY411322-2026-0201-01", "采购公告",
                            [(lot, {}) for lot in other.lots], _at(20), **ANNOUNCEMENT)
        _notice(second, other, "JY411322-2026-0201-02", "终止公告",
                [(lot, {}) for lot in other.lots], _at(26), reason="因预算调整，项目终止。")
        db.session.commit()

        notices = db.session.query(Notice).filter_by(project_code=project.project_code) \
            .order_by(Notice.id.desc()).all()  # any order: the export sorts
        package = ocds.record_package(first, project, notices)
        terminated = ocds.record_package(
            second, other, db.session.query(Notice).filter_by(project_code=other.project_code),
            published_date=dt.datetime(2026, 12, 31, 12, 0),
            uri="https://gps.example.cn/plans/2/ocds.json")
        planned_only = ocds.record_package(second, None, [])
        facts = {"plan_no": first.plan_no, "lot1": lot1.code, "lot2": lot2.code,
                 "draft_key": draft.notice_key, "draft_title": draft.title,
                 "budget": first.budget, "announcement": announced.notice_key}
    yield package, terminated, planned_only, facts
    with gps_module.app_context():  # tidy up the shared site
        for code in ("JY410400-2026-0101", "JY411322-2026-0201"):
            for notice in (db.session.query(Notice).filter_by(project_code=code)
                           .order_by(Notice.id.desc())):
                db.session.delete(notice)
                db.session.flush()
            db.session.delete(db.session.get(ProjectReplica, code))
        db.session.commit()


def _walk(value, path=""):
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}/{index}")


def _assert_valid(report):
    assert report["validation_errors"] == [], json.dumps(report["validation_errors"],
                                                         ensure_ascii=False, indent=1)
    assert report["additional_closed_codelist_values"] == {}
    assert report["additional_checks"] == {}  # e.g. no empty fields
    assert report["deprecated_fields"] == []
    assert "json_deref_error" not in report
    extra = {f"{field['path']}/{field['field']}" for field in report["additional_fields"]}
    assert extra <= LOTS_FIELDS, extra - LOTS_FIELDS


# --- validation ----------------------------------------------------------------------

def test_the_package_validates_against_ocds_1_1_5_with_no_error(exported, standard):
    package, terminated, planned_only, _ = exported
    for each in (package, terminated, planned_only):
        report = ocds_schema.validate(each, standard)
        _assert_valid(report)
        assert report["version_used"] == "1.1"
    # The lots are there, as the lots extension shapes them.
    extra = {f"{field['path']}/{field['field']}"
             for field in ocds_schema.validate(package, standard)["additional_fields"]}
    assert {"/releases/tender/lots", "/releases/awards/relatedLots"} <= extra


def test_the_validator_reports_an_invalid_release(exported, standard):
    package = copy.deepcopy(exported[0])
    tender = package["releases"][1]["tender"]
    tender["value"]["amount"] = "1500000.00"  # a string, not a number
    tender["procurementMethod"] = "公开招标"  # not in the closed method codelist
    del package["releases"][2]["date"]  # required
    report = ocds_schema.validate(package, standard)
    errors = {(error["type"], error["path"]) for error in report["validation_errors"]}
    assert ("number", "releases/1/tender/value/amount") in errors
    assert ("required", "releases/2") in errors
    assert report["additional_closed_codelist_values"]["releases/tender/procurementMethod"][
        "values"] == ["公开招标"]


# --- content -------------------------------------------------------------------------

def test_releases_come_one_per_event_in_order(exported):
    package, terminated, planned_only, facts = exported
    assert [release["tag"] for release in package["releases"]] == [
        ["planning"], ["tender"], ["tenderAmendment"], ["award"], ["awardUpdate"],
        ["tenderCancellation"]]
    assert [release["tag"][0] for release in terminated["releases"]] == [
        "planning", "tender", "tenderCancellation"]
    assert [release["tag"][0] for release in planned_only["releases"]] == ["planning"]
    ids = [release["id"] for release in package["releases"]]
    assert len(set(ids)) == len(ids)
    assert ids[1:] == [f"JY410400-2026-0101-0{n}" for n in (1, 2, 4, 5, 6)]
    assert {release["ocid"] for release in package["releases"]} == {
        f"{ocds.OCID_PREFIX}-{facts['plan_no']}"}
    assert ocds.OCID_PREFIX.startswith("ocds-") and len(ocds.OCID_PREFIX) == 11
    dates = [release["date"] for release in package["releases"]]
    assert dates == sorted(dates)
    assert dates[0] == "2026-11-10T09:00:00+08:00"  # filed
    assert all(date.endswith("+08:00") for date in dates)
    assert dates[1] == "2026-11-20T10:00:00+08:00"
    assert package["publishedDate"] == dates[-1]
    assert terminated["publishedDate"] == "2026-12-31T12:00:00+08:00"
    assert terminated["uri"] == "https://gps.example.cn/plans/2/ocds.json"


def test_drafts_are_not_exported(exported):
    package, _, _, facts = exported
    text = json.dumps(package, ensure_ascii=False)
    assert facts["draft_key"] not in text and "草稿：尚未发布的更正" not in text


def test_a_notice_for_lot_1_only_mentions_lot_1(exported):
    package, _, _, facts = exported
    by_tag = {release["tag"][0]: release for release in package["releases"]}
    for tag in ("award", "awardUpdate"):
        text = json.dumps(by_tag[tag], ensure_ascii=False)
        assert facts["lot1"] in text and facts["lot2"] not in text, tag
    cancellation = json.dumps(by_tag["tenderCancellation"], ensure_ascii=False)
    assert facts["lot2"] in cancellation and facts["lot1"] not in cancellation
    # The announcement covers both.
    assert [lot["id"] for lot in by_tag["tender"]["tender"]["lots"]] == [
        facts["lot1"], facts["lot2"]]


def test_amounts_are_numbers_in_cny(exported):
    package, _, _, facts = exported
    values = [value for path, value in _walk(package)  # OCDS Value objects
              if isinstance(value, dict) and "currency" in value]
    assert len(values) >= 6
    for value in values:
        assert type(value["amount"]) in (int, float), value
        assert value["currency"] == "CNY"
    planning = package["releases"][0]["planning"]
    assert planning["budget"]["amount"]["amount"] == float(facts["budget"])
    assert planning["budget"]["description"] == "财政性资金；采购品目：演示品目"
    corrected = package["releases"][4]["awards"][-1]
    assert corrected["value"] == {"amount": 960000.5, "currency": "CNY"}


def test_the_tender_maps_method_category_times_and_parties(exported):
    package, _, _, facts = exported
    tender = package["releases"][1]["tender"]
    assert (tender["procurementMethod"], tender["procurementMethodDetails"],
            tender["mainProcurementCategory"]) == ("open", "公开招标", "goods")
    assert tender["tenderPeriod"] == {"startDate": "2026-11-21T09:00:00+08:00",
                                      "endDate": "2026-12-11T09:30:00+08:00"}
    assert tender["eligibilityCriteria"] == (
        "具有独立承担民事责任的能力； 未被列入失信被执行人名单&重大税收违法案件当事人名单")
    assert {doc["documentType"] for doc in tender["documents"]} == {
        "tenderNotice", "biddingDocuments"}
    roles = {party["name"]: party["roles"] for party in package["releases"][1]["parties"]}
    assert sorted(roles.values()) == [["buyer"], ["procuringEntity"]]
    buyer = package["releases"][1]["parties"][0]
    assert buyer["identifier"]["scheme"] == "CN-USCC"
    assert buyer["id"] == f"CN-USCC-{buyer['identifier']['id']}"
    assert package["releases"][1]["buyer"] == {"id": buyer["id"], "name": buyer["name"]}
    award = package["releases"][3]
    supplier = [party for party in award["parties"] if party["roles"] == ["supplier"]]
    assert [(party["name"], party["identifier"]["id"]) for party in supplier] == [SUPPLIER_A]
    assert award["awards"][0]["suppliers"] == [{"id": supplier[0]["id"],
                                                "name": SUPPLIER_A[0]}]
    assert award["awards"][0]["date"] == "2026-12-21T00:00:00+08:00"


def test_method_mapping_covers_every_method():
    from app.models import CATEGORIES, PROCUREMENT_METHODS

    assert set(ocds.METHODS) == set(PROCUREMENT_METHODS)
    assert set(ocds.METHODS.values()) <= {"open", "selective", "limited", "direct"}
    assert set(ocds.CATEGORIES) == set(CATEGORIES)


def test_notices_of_another_project_are_refused(exported, gps_module):
    with gps_module.app_context():
        plan = db.session.query(Plan).filter_by(state="已备案").order_by(Plan.id).first()
        project = db.session.get(ProjectReplica, "JY410400-2026-0101")
        stray = db.session.query(Notice).filter_by(project_code="JY411322-2026-0201").all()
        with pytest.raises(ValueError, match="JY411322-2026-0201-01"):
            ocds.record_package(plan, project, stray)


# --- compiled with ocdsmerge ---------------------------------------------------------

def test_the_releases_compile_into_the_state_after_the_last_notice(exported, standard):
    import ocdsmerge

    package, terminated, _, facts = exported
    merger = ocdsmerge.Merger(schema=ocds_schema.release_schema(standard))
    compiled = merger.create_compiled_release(package["releases"])
    assert compiled["tag"] == ["compiled"]
    tender = compiled["tender"]
    # Lot 1 awarded, lot 2 cancelled: the tender is complete, not cancelled.
    assert tender["status"] == "complete"
    assert {lot["id"]: lot["status"] for lot in tender["lots"]} == {
        facts["lot1"]: "complete", facts["lot2"]: "cancelled"}
    assert tender["lots"][0]["title"] == "第一包 教学计算机"  # kept from the tender release
    # The 变更公告's times replaced the announcement's.
    assert tender["tenderPeriod"]["endDate"] == "2026-12-18T09:30:00+08:00"
    assert {m["id"]: m["dueDate"] for m in tender["milestones"]} == {
        f"{facts['lot1']}-opening": "2026-12-18T09:30:00+08:00",
        f"{facts['lot2']}-opening": "2026-12-18T09:30:00+08:00"}
    assert [a["id"] for a in tender["amendments"]] == ["JY410400-2026-0101-02"]
    # The correction changed the supplier: the first award cancelled, a new one active.
    awards = {award["id"]: award for award in compiled["awards"]}
    assert awards[f"JY410400-2026-0101-04-{facts['lot1']}"]["status"] == "cancelled"
    current = awards[f"JY410400-2026-0101-05-{facts['lot1']}"]
    assert current["status"] == "active"
    assert [s["name"] for s in current["suppliers"]] == [SUPPLIER_B[0]]
    assert current["value"] == {"amount": 960000.5, "currency": "CNY"}
    # Every release's parties, merged by id.
    roles = {party["name"]: party["roles"] for party in compiled["parties"]}
    assert roles[SUPPLIER_B[0]] == ["supplier"]
    assert {"buyer"} in [set(r) for r in roles.values()]

    # Every lot terminated: the tender is cancelled.
    cancelled = merger.create_compiled_release(terminated["releases"])["tender"]
    assert cancelled["status"] == "cancelled"
    assert {lot["status"] for lot in cancelled["lots"]} == {"cancelled"}
    reason = [doc for doc in cancelled["documents"]
              if doc["documentType"] == "cancellationDetails"]
    assert [doc["description"] for doc in reason] == ["因预算调整，项目终止。"]



# --- without a database: transient objects --------------------------------------------

def test_a_correction_keeping_the_supplier_updates_the_award_in_place(standard):
    """No app, no session: the export reads plain ORM objects. A unit that
    procures itself (no agency) is buyer and procuring entity; a 竞争性磋商
    is limited; a 结果更正公告 that keeps the supplier corrects the award."""
    import ocdsmerge

    from app.models import Organisation, Region

    region = Region(code="410400", name="平顶山市", level="市级", path="410000/410400/")
    unit = Organisation(name="平顶山市第一中学", org_type="采购单位",
                        credit_code="12410400MB0000009X", region=region, address="平顶山市新华路1号")
    plan = Plan(plan_no="410400-2026-99999", project_name="实验室设备维护服务", unit=unit,
                procurement_method="竞争性磋商", category="服务", item_name="设备维护",
                budget=Decimal("300000.00"), fund_source="财政性资金",
                expected_date=dt.date(2026, 12, 1), state="已备案",
                filed_at=dt.datetime(2026, 11, 1, 9))
    code = "JY410400-2026-0999"
    project = ProjectReplica(project_code=code, platform_code="410400", plan=plan,
                             project_name=plan.project_name, budget=plan.budget,
                             lots=[LotReplica(code=f"{code}001", seq=1, name="维护服务",
                                              budget=plan.budget)])

    def notice(n, kind, day, original=None, **lot):
        return Notice(id=n, notice_key=f"{code}-0{n}", notice_type=kind, project_code=code,
                      state="已发布", published_at=_at(day), title=kind, original=original,
                      confirmed_on=dt.date(2026, 11, day - 1), doc_start=_at(day + 1),
                      bid_deadline=_at(day + 12), open_time=_at(day + 12),
                      change_html="<p>金额笔误更正</p>",
                      lots=[NoticeLot(seq=1, lot_code=f"{code}001", name="维护服务",
                                      budget=plan.budget, **lot)])

    result = notice(2, "结果公告", 20, **_award_lot(SUPPLIER_A, "298000.00"))
    notices = [notice(1, "采购公告", 3), result,
               notice(3, "结果更正公告", 22, original=result, **_award_lot(SUPPLIER_A, "289000.00"))]
    package = ocds.record_package(plan, project, notices)
    _assert_valid(ocds_schema.validate(package, standard))
    assert [r["tag"][0] for r in package["releases"]] == ["planning", "tender", "award",
                                                          "awardUpdate"]
    tender = package["releases"][1]["tender"]
    assert (tender["procurementMethod"], tender["procurementMethodDetails"],
            tender["mainProcurementCategory"]) == ("limited", "竞争性磋商", "services")
    assert package["releases"][1]["parties"][0]["roles"] == ["buyer", "procuringEntity"]
    assert tender["procuringEntity"]["name"] == "平顶山市第一中学"

    compiled = ocdsmerge.Merger(schema=ocds_schema.release_schema(standard)) \
        .create_compiled_release(package["releases"])
    [award] = compiled["awards"]
    assert award["id"] == f"{code}-02-{code}001" and award["status"] == "active"
    assert award["value"] == {"amount": 289000, "currency": "CNY"}
    assert [a["description"] for a in award["amendments"]] == [
        f"涉及标段：{code}001。金额笔误更正"]
    assert compiled["tender"]["status"] == "complete"


# --- contracts (合同公告) ---------------------------------------------------------------

def test_filed_contracts_become_contracts_tied_to_their_awards(gps, standard):
    """A contract over both lots (one entry per lot: OCDS gives a contract one
    award), then a 补充合同 of it; only the public version is linked."""
    from app import notices
    from tests.contract_notice_helpers import filed_contract

    made = filed_contract(gps, seqs=(1, 2))
    supplement = filed_contract(gps, filing_no="HT-2026-0002", seqs=(), original_id=made["id"],
                                amount=Decimal("50000.00"), contract_name="补充合同：增加5台")
    with gps.test_request_context(base_url="https://gps.example.cn/"):
        plan = db.session.get(Plan, made["plan_id"])
        project = notices.project_of(plan)
        package = ocds.record_package(plan, project, notices.published(project.project_code))
    _assert_valid(ocds_schema.validate(package, standard))
    body = json.dumps(package, ensure_ascii=False)
    assert made["signed"] not in body and "合同原件" not in body
    awards = {award["relatedLots"][0]: award["id"] for release in package["releases"]
              for award in release.get("awards", [])}
    first, second = [r for r in package["releases"] if r["tag"] == ["contract"]]
    assert first["id"] == made["notice_key"] and second["id"] == supplement["notice_key"]
    lot1, lot2 = made["lots"]
    assert [(c["id"], c["awardID"], c["relatedLots"], c["value"], c["status"])
            for c in first["contracts"]] == [
        (f"{made['filing_no']}-{lot1}", awards[lot1], [lot1], {"amount": 880000, "currency": "CNY"},
         "active"),
        (f"{made['filing_no']}-{lot2}", awards[lot2], [lot2], {"amount": 590000, "currency": "CNY"},
         "active")]
    contract = first["contracts"][0]
    assert contract["dateSigned"].endswith("T00:00:00+08:00") and "period" not in contract
    assert "履约期限：合同签订后30日内交货" in contract["description"]
    public = [d for d in contract["documents"] if d["documentType"] == "contractSigned"]
    assert [d["url"] for d in public] == [
        f"https://gps.example.cn/gongkai/contracts/{made['notice_key']}.pdf"]
    [extra] = second["contracts"]
    assert extra["id"] == "HT-2026-0002" and extra["value"] == {"amount": 50000, "currency": "CNY"}
    assert extra["awardID"] == awards[lot1] and extra["relatedLots"] == [lot1, lot2]
    assert extra["description"].startswith(f"补充合同，原合同：{made['filing_no']}")
