"""合同公告: publishing a filed contract (docs/contracts.md, "Modules").

When the 单位内部审核岗 approves a contract (app/contracts.py), the same
transaction calls `publish`: a `Notice` of type 合同公告 for the contract's
lots, its body in the national format (财办库〔2020〕50号 合同公告), sent to the
project's platform by the notice sync like every other notice, with one public
document: the redacted contract (公开版), which GPS serves itself at
/gongkai/contracts/<notice_key>.pdf while the contract is 已备案 and its notice
published. The signed original (合同原件) is never named, linked or sent here:
it stays with the unit and its regulators.

Where GPS's absolute address comes from: `PUBLIC_BASE_URL` (docs/deployment.md),
else the address the current request came in on.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask import (Blueprint, abort, current_app, has_request_context, render_template, request)

from . import attachments, notices
from .audit import record
from .downloads import send_download
from .extensions import db
from .models import Contract, Notice, NoticeLot
from .numbering import next_value
from .public.sanitise import clean_html
from .rules import notice_text

KIND = "合同公告"
DOCUMENT_TITLE = "合同文本（公开版）"
PUBLIC_PATH = "/gongkai/contracts/{key}.pdf"

public_contracts = Blueprint("public_contracts", __name__)


class Refusal(notices.Refusal):
    """Why a contract's notice cannot be published (Chinese)."""


# --- publishing --------------------------------------------------------------------

def publish(contract: Contract, user, now: dt.datetime | None = None) -> Notice:
    """The contract's 合同公告, published and sent to the platform in the
    caller's transaction (the approval's). Raises Refusal when it cannot be:
    already published, no 公开版, no public address to link it at."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    if contract.notice is not None:
        raise Refusal(f"合同“{contract.filing_no}”的合同公告已发布（{contract.notice.notice_key}），"
                      "不能重复发布")
    if contract.redacted_pdf is None:
        raise Refusal(f"合同“{contract.filing_no}”没有上传合同文本（公开版），不能发布合同公告")
    lots = _lots_of(contract)
    if not lots:
        raise Refusal(f"合同“{contract.filing_no}”没有关联标段，不能发布合同公告")
    base = public_base_url()
    if base is None:
        raise Refusal("未配置政府采购系统的公开访问地址（PUBLIC_BASE_URL），不能生成合同文本的下载链接")
    project, plan = contract.project, contract.plan
    notice = Notice(
        notice_type=KIND, project=project, plan=plan, unit_id=contract.unit_id,
        agency_id=plan.agency_id, region_code=contract.region_code,
        platform_code=project.platform_code, state="已发布", published_at=now,
        title=notice_text.notice_title(project.project_name,
                                       "补充合同公告" if contract.is_supplement else KIND),
        performance_period=contract.performance_period,
        other_html=clean_html(contract.other_html) or None,
        purchaser_name=contract.purchaser_name, purchaser_address=contract.purchaser_address,
        purchaser_phone=contract.purchaser_phone)
    for seq, lot in enumerate(lots, 1):
        notice.lots.append(NoticeLot(
            seq=seq, lot_code=lot.lot_code, name=lot.lot_name, budget=lot.award_amount,
            supplier_name=lot.supplier_name, supplier_address=contract.supplier_address,
            supplier_credit_code=contract.supplier_credit_code, award_amount=lot.award_amount,
            main_items=contract.main_items))
    notice.notice_key = f"{project.project_code}-{next_value(f'notice:{project.project_code}'):02d}"
    db.session.add(notice)
    contract.notice = notice
    notices.send_published(notice, [document_of(contract, notice, base)])
    record(user, f"发布{KIND}", notice,
           f"合同：{contract.filing_no}；标段：{'、'.join(lot.lot_code for lot in notice.lots)}")
    return notice


def _lots_of(contract: Contract):
    """A 补充合同 has no lots of its own: it speaks for its original's."""
    while contract.is_supplement and not contract.lots and contract.original is not None:
        contract = contract.original
    return contract.lots


def document_of(contract: Contract, notice: Notice, base: str) -> dict:
    """The notice's public document: the redacted contract, where GPS serves it."""
    pdf = contract.redacted_pdf
    return {"title": DOCUMENT_TITLE, "url": public_url(notice.notice_key, base),
            "size": pdf.size, "sha256": pdf.sha256}


def public_base_url() -> str | None:
    """GPS's address as the public reaches it: PUBLIC_BASE_URL, else the
    current request's root; None outside a request without the setting."""
    configured = (current_app.config.get("PUBLIC_BASE_URL") or "").strip()
    if configured:
        return configured
    return request.url_root if has_request_context() else None


def public_url(notice_key: str, base: str) -> str:
    return base.rstrip("/") + PUBLIC_PATH.format(key=quote(notice_key, safe=""))


def contract_of(notice: Notice) -> Contract | None:
    if notice.id is None:
        return None
    return db.session.query(Contract).filter_by(notice_id=notice.id).one_or_none()


def render_body(notice: Notice, contract: Contract | None = None) -> str:
    """The 合同公告 as the public reads it (财办库〔2020〕50号 合同公告)."""
    contract = contract or contract_of(notice)
    if contract is None:  # a 合同公告 row without its contract: say so, never a 500
        return render_template("contract/notice_body.html", notice=notice, contract=None)
    return render_template("contract/notice_body.html", notice=notice, contract=contract,
                           lots=_lots_of(contract),
                           other=clean_html(contract.other_html))


# --- the public download -----------------------------------------------------------

def public_file(notice_key: str):
    """The redacted contract behind a published 合同公告, or None: only while
    the contract is 已备案 and its notice 已发布, only the 公开版."""
    row = (db.session.query(Contract)
           .join(Notice, Contract.notice_id == Notice.id)
           .filter(Notice.notice_key == notice_key, Notice.notice_type == KIND,
                   Notice.state == "已发布", Contract.state == "已备案")
           .one_or_none())
    if row is None or row.redacted_pdf is None:
        return None
    return row.redacted_pdf


@public_contracts.route("/gongkai/contracts/<string(maxlength=64):notice_key>.pdf")
def download(notice_key):
    """No login: what the 合同公告 on the platform's website links to."""
    if "\x00" in notice_key:  # PostgreSQL refuses NUL even in a WHERE
        abort(404)
    pdf = public_file(notice_key)
    path = attachments.upload_dir() / pdf.stored_name if pdf is not None else None
    if path is None or not path.is_file():
        abort(404)
    return send_download(path, f"{DOCUMENT_TITLE}-{notice_key}.pdf",
                         f"contract-{notice_key}.pdf", mimetype=attachments.PDF, max_age=300)


def init_app(app) -> None:
    app.register_blueprint(public_contracts)
