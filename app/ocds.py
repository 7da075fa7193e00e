"""Open Contracting Data Standard (OCDS 1.1) export of one GPS procurement:
the plan, its trading project and its published notices as an OCDS **release
package** (one ocid per plan, one release per event).

Why a release package, not a record package: a record package must carry a
compiled release, i.e. the releases merged by the OCDS merge rules. That
needs a merge library (and the release schema for its rules) at run time;
the releases alone are the primary data, any OCDS tool compiles them
(ocdskit, ocdsmerge; the tests do it with ocdsmerge), and the validators
(libcoveocds, OCP's Data Review Tool) check a release package field by field
against release-schema.json. So this module has no dependency beyond the app.

Releases, in order (`releases_of`):

    planning            the plan (采购计划备案): budget, method, category
    tender              the first 采购公告; a later one (other lots): tenderUpdate
    tenderAmendment     each 变更公告: tender.amendments, new times
    award               each 结果公告: one award per lot, the supplier a party
    awardUpdate         each 结果更正公告: the award corrected, or, when the
                        supplier changes, the old award cancelled and a new one
    tenderCancellation  each 终止公告: its lots cancelled; tender.status follows
                        the lots (cancelled when every lot is, complete when the
                        others were awarded, active while any lot is open)
    contract            each 合同公告: contracts[] tied to the award of its lots
                        (awardID), value, dateSigned and the public (redacted)
                        contract text only

Lots use the shape of the OCDS lots extension (tender.lots[] with id, title,
description, status, value; relatedLots on awards, contracts, documents,
milestones).
The package does **not** declare that extension in `extensions`: a declared
extension is fetched by every validator from its URL, which CI cannot reach,
and an unresolvable one is reported as an error of its own. Undeclared, these
are "additional fields", which OCDS 1.1 allows; the tests check that they are
the only ones. Declare ``LOTS_EXTENSION`` once publishing goes online.

Pure functions on ORM objects: no request, no commit (relationships are read
lazily, so call it inside an app context). Dates: the app stores naive
Beijing times; they are written as ISO 8601 with +08:00. Amounts are JSON
numbers in CNY (元). Mapping table and validation: docs/ocds.md.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from decimal import Decimal

import nh3

from .public.sanitise import DROP_WITH_CONTENT, plain_text

# An ocid is "ocds-" + a 6-character prefix + "-" + the process's id. The
# prefix must be registered with the Open Contracting Partnership before the
# data is published; "hngps0" (河南 GPS) is a placeholder until then.
OCID_PREFIX = "ocds-hngps0"
OCDS_VERSION = "1.1"
CURRENCY = "CNY"
BEIJING = dt.timezone(dt.timedelta(hours=8))
PUBLISHER = {"name": "政府采购系统"}
# Organisation identifiers are 统一社会信用代码 (GB 32100-2015), which every
# legal person has: companies, but also government units (11…) and public
# institutions (12…). org-id.guide lists registers per issuing authority
# (CN-SAIC: the business register only); no list code covering the whole
# USCC was confirmed offline, so "CN-USCC" stands here, to be replaced by the
# org-id.guide code (or one registered there) before publishing.
ID_SCHEME = "CN-USCC"
# Not declared in the package (see the module docstring).
LOTS_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/"
                  "ocds_lots_extension/v1.1.5/extension.json")

# OCDS method codelist (closed): open "all interested suppliers may submit a
# tender", selective "only qualified suppliers are invited", limited "the
# procuring entity contacts a number of suppliers of its choice", direct "a
# single supplier without competition". The Chinese name always goes to
# procurementMethodDetails, so nothing is lost by the mapping.
METHODS = {
    "公开招标": "open",
    # 《政府采购法》第二十九条、第三十四条: suppliers that meet the
    # qualifications are chosen at random and invited (≥ 3).
    "邀请招标": "selective",
    # 竞争性谈判、询价 (财政部令第74号 第十二条) and 竞争性磋商 (财库〔2014〕214号
    # 第六条): the purchaser determines at least three suppliers (from a call,
    # a supplier pool or recommendations) and only those negotiate or quote:
    # the procuring entity contacts suppliers of its choice, i.e. limited,
    # not selective (which means an open call after which every qualified
    # supplier may bid).
    "竞争性谈判": "limited",
    "竞争性磋商": "limited",
    "询价": "limited",
    "单一来源": "direct",
    # 财政部令第110号: suppliers are solicited by a public call (征集公告)
    # open to all that qualify.
    "框架协议采购": "open",
}
CATEGORIES = {"货物": "goods", "服务": "services", "工程": "works"}

PUBLISHED = "已发布"
# What a 采购公告 says of its lots' timetable, and a 变更公告 may move.
TIMES = ("doc_start", "doc_end", "doc_place", "doc_method", "doc_price", "bid_deadline",
         "open_time", "open_place")


# --- the package ---------------------------------------------------------------------

def ocid(plan) -> str:
    return f"{OCID_PREFIX}-{plan.plan_no}"


def record_package(plan, project, notices, published_date=None, *, uri=None,
                   publisher=None) -> dict:
    """The OCDS 1.1 release package of one plan (see the module docstring).

    plan            the Plan
    project         its ProjectReplica, or None before the platform accepted it
                    (then only the planning release)
    notices         the project's notices; only published ones (state 已发布)
                    are exported, oldest first, whatever order they come in
    published_date  the package's publishedDate (naive = Beijing time);
                    default: the newest release's date, as OCDS asks for a
                    package made on demand
    uri             the package's URI (pass the download URL); default an
                    urn built from the ocid
    publisher       {"name": …}; default PUBLISHER
    """
    releases = releases_of(plan, project, notices)
    if published_date is None:
        published = max(release["date"] for release in releases)
    else:
        published = _datetime(published_date)
    return {
        "uri": uri or f"urn:ocds:{ocid(plan)}",
        "version": OCDS_VERSION,
        "publishedDate": published,
        "publisher": dict(publisher or PUBLISHER),
        "releases": releases,
    }


def releases_of(plan, project, notices) -> list[dict]:
    process = _Process(plan, project)
    releases = [planning_release(process)]
    for notice in _published(project, notices):
        releases.append(BUILDERS[notice.notice_type](process, notice))
    return releases


def _published(project, notices) -> list:
    chosen = [notice for notice in notices if notice.state == PUBLISHED]
    stray = [notice.notice_key for notice in chosen
             if project is None or notice.project_code != project.project_code]
    if stray:
        raise ValueError(f"notices of another project: {', '.join(stray)}")
    return sorted(chosen, key=lambda notice: (notice.published_at, notice.id or 0))


@dataclass
class _Process:
    """What the releases so far have said, for the next one to build on."""

    plan: object
    project: object
    tender_seen: bool = False
    lot_status: dict = field(default_factory=dict)  # lot code → OCDS lot status
    times: dict = field(default_factory=dict)  # lot code → {TIMES column: value in force}
    awards: dict = field(default_factory=dict)  # lot code → (award id, supplier id)

    @property
    def tender_id(self) -> str:
        return self.project.project_code if self.project else self.plan.plan_no

    def tender_status(self) -> str:
        """From the lots: active while any lot is open or not yet announced."""
        codes = [lot.code for lot in self.project.lots] if self.project else []
        states = [self.lot_status.get(code) for code in codes] or ["active"]
        if any(state not in ("complete", "cancelled") for state in states):
            return "active"
        return "cancelled" if all(state == "cancelled" for state in states) else "complete"


# --- one function per release tag ----------------------------------------------------

def planning_release(process: _Process) -> dict:
    plan = process.plan
    release = _release(process, f"{plan.plan_no}-planning", plan.filed_at or plan.created_on,
                       "planning")
    release["planning"] = _compact({
        "rationale": plain_text(plan.remark),
        "budget": {"id": plan.plan_no,
                   "description": f"{plan.fund_source}；采购品目：{plan.item_name}",
                   "amount": _value(plan.budget),
                   "project": plan.project_name},
        "milestones": [{"id": f"{plan.plan_no}-expected", "title": "预计采购时间",
                        "type": "preProcurement", "dueDate": _datetime(plan.expected_date),
                        "status": "scheduled"}],
    })
    # The tender section of a planning release describes the proposed process.
    release["tender"] = _tender(process, status="withdrawn" if plan.state == "已撤回"
                                else "planned")
    release["tender"].update(_compact({
        "title": plan.project_name,
        "description": f"采购品目：{plan.item_name}",
        "value": _value(plan.budget),
    }))
    return release


def tender_release(process: _Process, notice) -> dict:
    """A 采购公告: the tender and the lots it opens."""
    tag = "tenderUpdate" if process.tender_seen else "tender"
    process.tender_seen = True
    codes = _codes(notice)
    for code in codes:
        process.lot_status[code] = "active"
        process.times[code] = {column: getattr(notice, column) for column in TIMES}
    release = _release(process, notice.notice_key, notice.published_at, tag)
    tender = _tender(process, status=process.tender_status())
    tender.update(_compact({
        "title": process.project.project_name,
        "description": f"采购品目：{process.plan.item_name}",
        "value": _value(process.project.budget),
        "eligibilityCriteria": _text(notice.qualification_html),
        "tenderPeriod": _tender_period(process),
        "documents": [_notice_document(notice, "tenderNotice", codes),
                      *(_bidding_documents(process, code) for code in codes)],
        "milestones": [_opening(process, code) for code in codes],
        "lots": [_compact({"id": lot.lot_code, "title": lot.name,
                           "description": _text(lot.requirement_html),
                           "status": "active", "value": _value(lot.budget)})
                 for lot in notice.lots],
    }))
    release["tender"] = tender
    return release


def tender_amendment_release(process: _Process, notice) -> dict:
    """A 变更公告: an amendment of the 采购公告 it corrects; if 时间 changed,
    the new times of its lots (documents and opening keep their ids, so a
    merge replaces them)."""
    codes = _codes(notice)
    items = notice.change_items or []
    release = _release(process, notice.notice_key, notice.published_at, "tenderAmendment")
    tender = _tender(process, status=process.tender_status())
    tender["amendments"] = [_amendment(notice, f"更正事项：{'、'.join(items) or '公告'}",
                                       codes)]
    tender["documents"] = [_notice_document(notice, "tenderNotice", codes)]
    if "时间" in items:
        # As app.notices.current_times: a change moves the end of the
        # documents' issue, the deadline and the opening, not the start.
        for code in codes:
            times = process.times.setdefault(code, {})
            for column in ("doc_end", "bid_deadline", "open_time", "open_place"):
                if getattr(notice, column) is not None:
                    times[column] = getattr(notice, column)
        tender["tenderPeriod"] = _tender_period(process)
        tender["documents"] += [_bidding_documents(process, code) for code in codes]
        tender["milestones"] = [_opening(process, code) for code in codes]
    release["tender"] = _compact(tender)
    return release


def award_release(process: _Process, notice) -> dict:
    """A 结果公告: one award per lot."""
    release = _release(process, notice.notice_key, notice.published_at, "award")
    awards = []
    for lot in notice.lots:
        award = _award(f"{notice.notice_key}-{lot.lot_code}", notice, lot)
        awards.append(award)
        process.awards[lot.lot_code] = (award["id"], _supplier_id(lot))
        process.lot_status[lot.lot_code] = "complete"
        release["parties"].append(_supplier_party(lot))
    release["awards"] = awards
    release["tender"] = _tender(process, status=process.tender_status(),
                                lots=[{"id": lot.lot_code, "status": "complete"}
                                      for lot in notice.lots])
    return release


def award_update_release(process: _Process, notice) -> dict:
    """A 结果更正公告: the award corrected in place; if the supplier changes,
    the award in force is cancelled and a new one made (a supplier cannot be
    removed from an award by a later release: suppliers merge by id)."""
    release = _release(process, notice.notice_key, notice.published_at, "awardUpdate")
    amendment = _amendment(notice, "结果更正", _codes(notice))
    awards = []
    for lot in notice.lots:
        award_id, supplier = process.awards.get(lot.lot_code, (None, None))
        if supplier != _supplier_id(lot):
            if award_id:
                awards.append({"id": award_id, "status": "cancelled"})
            award_id = f"{notice.notice_key}-{lot.lot_code}"
        award = _award(award_id, notice, lot)
        award["amendments"] = [amendment]
        awards.append(award)
        process.awards[lot.lot_code] = (award_id, _supplier_id(lot))
        release["parties"].append(_supplier_party(lot))
    release["awards"] = awards
    release["tender"] = _tender(process, status=process.tender_status())
    return release


def tender_cancellation_release(process: _Process, notice) -> dict:
    """A 终止公告: its lots cancelled, the reason in a cancellationDetails document."""
    codes = _codes(notice)
    for code in codes:
        process.lot_status[code] = "cancelled"
    release = _release(process, notice.notice_key, notice.published_at, "tenderCancellation")
    document = _notice_document(notice, "cancellationDetails", codes)
    document["description"] = _text(notice.reason)
    release["tender"] = _tender(process, status=process.tender_status(),
                                lots=[{"id": code, "status": "cancelled"} for code in codes],
                                documents=[_compact(document)])
    return release


def contract_release(process: _Process, notice) -> dict:
    """A 合同公告: the filed contract, tied to the award in force for its lots.
    OCDS gives a contract one awardID and this export makes one award per lot,
    so a contract over several lots is one entry per lot (id 备案编号-标段编号,
    value the contract's part of that lot). Only the public version of the
    contract is linked; its period is free text (履约期限), so it goes to the
    description instead of `period`."""
    from .contract_notice import DOCUMENT_TITLE, contract_of, public_base_url, public_url

    release = _release(process, notice.notice_key, notice.published_at, "contract")
    contract = contract_of(notice)
    if contract is None:  # a 合同公告 row without its contract: the notice alone
        release["tender"] = _tender(process, status=process.tender_status(),
                                    documents=[_notice_document(notice, "contractNotice",
                                                                _codes(notice))])
        return release
    base = public_base_url()
    parts = {lot.lot_code: lot.amount for lot in contract.lots}
    lots = notice.lots
    single = len(lots) == 1 or contract.is_supplement
    entries = []
    for lot in (lots[:1] if single else lots):
        codes = _codes(notice) if single else [lot.lot_code]
        award_id = process.awards.get(lot.lot_code, (f"{notice.notice_key}-{lot.lot_code}",))[0]
        documents = [_notice_document(notice, "contractNotice", codes)]
        if base is not None:
            documents.append({"id": f"{contract.filing_no}-redacted",
                              "documentType": "contractSigned", "title": DOCUMENT_TITLE,
                              "description": "合同文本公开版，依法不予公开的内容已删除",
                              "url": public_url(notice.notice_key, base), "format": "application/pdf",
                              "datePublished": _datetime(notice.published_at), "language": "zh"})
        entries.append(_compact({
            "id": contract.filing_no if single else f"{contract.filing_no}-{lot.lot_code}",
            "awardID": award_id,
            "title": contract.contract_name,
            "description": _contract_description(contract),
            "status": "active",
            "value": _value(contract.amount if single else parts.get(lot.lot_code)),
            "dateSigned": _datetime(contract.signed_on),
            "relatedLots": codes,
            "documents": documents,
        }))
    release["parties"].append(_supplier_party(lots[0]))
    release["contracts"] = entries
    return release


def _contract_description(contract) -> str:
    parts = [("合同编号", contract.contract_no), ("主要标的", contract.main_items),
             ("履约期限", contract.performance_period), ("履约地点", contract.performance_place)]
    if contract.original is not None:
        parts.insert(0, ("补充合同，原合同", f"{contract.original.filing_no} "
                                      f"{contract.original.contract_name}"))
    return "；".join(f"{label}：{value}" for label, value in parts if value)


BUILDERS = {"采购公告": tender_release, "变更公告": tender_amendment_release,
            "结果公告": award_release, "结果更正公告": award_update_release,
            "终止公告": tender_cancellation_release, "合同公告": contract_release}


# --- parts ---------------------------------------------------------------------------

def _release(process: _Process, release_id: str, date, tag: str) -> dict:
    plan = process.plan
    buyer = _party(plan.unit, ["buyer"] if plan.agency else ["buyer", "procuringEntity"])
    parties = [buyer]
    if plan.agency:
        parties.append(_party(plan.agency, ["procuringEntity"]))
    return {
        "ocid": ocid(plan),
        "id": release_id,
        "date": _datetime(date),
        "tag": [tag],
        "initiationType": "tender",
        "language": "zh",
        "parties": parties,
        "buyer": _reference(buyer),
    }


def _tender(process: _Process, status: str, **fields) -> dict:
    plan = process.plan
    entity = plan.agency or plan.unit
    tender = {
        "id": process.tender_id,
        "status": status,
        "procuringEntity": {"id": _org_id(entity.credit_code), "name": entity.name},
        "procurementMethod": METHODS[plan.procurement_method],
        "procurementMethodDetails": plan.procurement_method,
        "mainProcurementCategory": CATEGORIES[plan.category],
    }
    tender.update(fields)
    return tender


def _award(award_id: str, notice, lot) -> dict:
    return _compact({
        "id": award_id,
        "title": f"{lot.lot_code} {lot.name}",
        "description": _text(lot.main_items),
        "status": "active",
        "date": _datetime(notice.confirmed_on),
        "value": _value(lot.award_amount),
        "suppliers": [_reference(_supplier_party(lot))],
        "relatedLots": [lot.lot_code],
        "documents": [_notice_document(notice, "awardNotice", [lot.lot_code])],
    })


def _amendment(notice, rationale: str, codes: list[str]) -> dict:
    return _compact({
        "id": notice.notice_key,
        "date": _datetime(notice.published_at),
        "rationale": rationale,
        "description": f"涉及标段：{'、'.join(codes)}。{_text(notice.change_html)}",
        "amendsReleaseID": notice.original.notice_key if notice.original else None,
        "releaseID": notice.notice_key,
    })


def _notice_document(notice, document_type: str, codes: list[str]) -> dict:
    return _compact({"id": notice.notice_key, "documentType": document_type,
                     "title": notice.title, "datePublished": _datetime(notice.published_at),
                     "language": "zh", "relatedLots": codes})


def _tender_period(process: _Process) -> dict:
    """From the first day documents are issued to the last bid deadline, over
    the lots announced (each lot has its own times)."""
    starts = [times["doc_start"] for times in process.times.values() if times.get("doc_start")]
    ends = [times["bid_deadline"] for times in process.times.values()
            if times.get("bid_deadline")]
    return _compact({"startDate": _datetime(min(starts)) if starts else None,
                     "endDate": _datetime(max(ends)) if ends else None})


def _bidding_documents(process: _Process, code: str) -> dict:
    """获取采购文件 of one lot: period, place, method and price, as the
    procurement documents' description (OCDS 1.1 has no fields for them)."""
    times = process.times[code]
    period = " 至 ".join(f"{times[column]:%Y-%m-%d %H:%M}" for column in ("doc_start", "doc_end")
                        if times.get(column))
    price = times.get("doc_price")
    parts = [("获取时间", period), ("地点", times.get("doc_place")),
             ("方式", times.get("doc_method")),
             ("售价", f"{price:.2f} 元" if price is not None else None)]
    return _compact({
        "id": f"{code}-documents", "documentType": "biddingDocuments", "title": "采购文件",
        "description": "；".join(f"{label}：{value}" for label, value in parts if value),
        "datePublished": _datetime(times.get("doc_start")), "language": "zh",
        "relatedLots": [code],
    })


def _opening(process: _Process, code: str) -> dict:
    """开标 (bid opening) of one lot: a milestone, as OCDS 1.1 has no field for it."""
    times = process.times[code]
    place = times.get("open_place")
    return _compact({"id": f"{code}-opening", "title": "开标", "type": "assessment",
                     "dueDate": _datetime(times.get("open_time")),
                     "description": f"开标地点：{place}" if place else None,
                     "status": "scheduled", "relatedLots": [code]})


def _party(org, roles: list[str]) -> dict:
    region = org.region
    return _compact({
        "id": _org_id(org.credit_code),
        "name": org.name,
        "identifier": {"scheme": ID_SCHEME, "id": org.credit_code, "legalName": org.name},
        "address": {"streetAddress": org.address, "region": region.name if region else None,
                    "countryName": "中国"},
        "contactPoint": {"name": org.contact, "telephone": org.phone},
        "roles": roles,
    })


def _supplier_party(lot) -> dict:
    identifier = ({"scheme": ID_SCHEME, "id": lot.supplier_credit_code,
                   "legalName": lot.supplier_name} if lot.supplier_credit_code else None)
    return _compact({"id": _supplier_id(lot), "name": lot.supplier_name,
                     "identifier": identifier,
                     "address": {"streetAddress": lot.supplier_address, "countryName": "中国"},
                     "roles": ["supplier"]})


def _supplier_id(lot) -> str:
    # Without a credit code the name stands in: ids need only be unique
    # within the contracting process.
    if lot.supplier_credit_code:
        return _org_id(lot.supplier_credit_code)
    return f"name-{lot.supplier_name}"


def _org_id(credit_code: str) -> str:
    return f"{ID_SCHEME}-{credit_code}"


def _reference(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}


def _codes(notice) -> list[str]:
    return [lot.lot_code for lot in notice.lots]


# --- values --------------------------------------------------------------------------

def _value(amount) -> dict | None:
    """{"amount": a JSON number, "currency": "CNY"}; None for no amount."""
    if amount is None:
        return None
    amount = Decimal(amount)
    number = int(amount) if amount == amount.to_integral_value() else float(amount)
    return {"amount": number, "currency": CURRENCY}


def _datetime(value) -> str | None:
    """ISO 8601 with the +08:00 offset; a date is its day's 00:00 in Beijing."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING)
    return value.astimezone(BEIJING).isoformat(timespec="seconds")


_BREAK = re.compile(r"<(?:br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)


def _text(value: str | None) -> str:
    """Plain text of a rich-text field (tags out, entities decoded)."""
    if not value:
        return ""
    stripped = nh3.clean(_BREAK.sub(" ", value), tags=set(),
                         clean_content_tags=DROP_WITH_CONTENT)
    return plain_text(html.unescape(stripped))


def _compact(value):
    """Without empty fields (None, "", {}, []): OCDS asks to omit them."""
    if isinstance(value, dict):
        kept = {key: _compact(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in (None, "", {}, [])}
    if isinstance(value, list):
        kept = [_compact(item) for item in value]
        return [item for item in kept if item not in (None, "", {}, [])]
    return value
