"""变更公告 column on a trading site: after GPS publishes a 变更公告, the agency
enters the new times here and 【提交】s them to 中心业务科室; once approved they
replace the lots' times.
"""
import datetime as dt

from .audit import record
from .extensions import db
from .models import Lot, TimeChange, TradingProject
from .rules import change_times, deadlines

EDITABLE_STATES = ("待调整", "已退回")


def notice_arrived(project_code: str, notice_key: str, title: str,
                   lot_codes: list[str] | None, times: dict | None = None) -> TimeChange | None:
    """A 变更公告 for one of our projects arrived: open the column's entry
    (once per notice), with the notice's times kept and entered as a start
    (`times`: doc_end, bid_deadline, open_time as naive local datetimes;
    None from an older message). Returns None for a project not on this
    platform."""
    project = db.session.query(TradingProject).filter_by(project_code=project_code).one_or_none()
    if project is None:
        return None
    change = db.session.query(TimeChange).filter_by(notice_key=notice_key).one_or_none()
    if change is None:
        change = TimeChange(project=project, agency_id=project.agency_id,
                            region_code=project.region_code, notice_key=notice_key,
                            notice_title=title[:255],
                            lot_codes=lot_codes or None, received_at=dt.datetime.now(),
                            state="待调整")
        times = times or {}
        change.gps_doc_issue_end = change.new_doc_issue_end = times.get("doc_end")
        change.gps_bid_deadline = change.new_bid_deadline = times.get("bid_deadline")
        change.gps_open_time = change.new_open_time = times.get("open_time")
        db.session.add(change)
    return change


def _times(change, prefix: str) -> dict:
    return {field: getattr(change, prefix + field) for field, _label in change_times.FIELDS}


def differences(change) -> list:
    """Where the entered times differ from the GPS notice's (see rules)."""
    return change_times.differences(_times(change, "gps_"), _times(change, "new_"))


def comparison(change) -> list[dict]:
    """Rows for the side-by-side table on the edit, show and review pages."""
    differing = {field for field, *_rest in differences(change)}
    return [{"label": label, "gps": change_times.minute(getattr(change, "gps_" + field)),
             "entered": change_times.minute(getattr(change, "new_" + field)),
             "differs": field in differing}
            for field, label in change_times.FIELDS]


def has_gps_times(change) -> bool:
    return any(getattr(change, "gps_" + field) for field, _label in change_times.FIELDS)


def audit_detail(change) -> str:
    """What the audit row says: the notice, and any difference with its reason."""
    found = differences(change)
    if not found:
        return change.notice_title
    return (f"{change.notice_title}；与变更公告不一致：{change_times.difference_text(found)}；"
            f"原因：{(change.deviation_reason or '').strip()}")


def errors(change: TimeChange) -> dict[str, str]:
    found = {}
    if change.new_bid_deadline is None:
        found["new_bid_deadline"] = "请填写变更后的投标截止时间"
    if change.new_open_time is None:
        found["new_open_time"] = "请填写变更后的开标时间"
    if change.new_bid_deadline and change.new_open_time and \
            change.new_open_time < change.new_bid_deadline:
        found["new_open_time"] = "开标时间不能早于投标截止时间"
    if change.new_doc_issue_end and change.new_bid_deadline and \
            change.new_doc_issue_end > change.new_bid_deadline:
        found["new_doc_issue_end"] = "文件获取截止时间不能晚于投标截止时间"
    if message := change_times.difference_error(differences(change), change.deviation_reason):
        found["deviation_reason"] = message
    # Each lot's times as they will be once the change takes effect, in the
    # order every lot keeps (GPS refuses a lot.status out of it).
    fields = {"doc_end": "new_doc_issue_end", "bid_deadline": "new_bid_deadline",
              "open_time": "new_open_time"}
    for lot in lots_of(change) if change.project is not None else []:
        after = deadlines.order_errors(lot.doc_issue_start,
                                       change.new_doc_issue_end or lot.doc_issue_end,
                                       change.new_bid_deadline, change.new_open_time)
        for field, message in after.items():
            found.setdefault(fields[field], f"标段“{lot.name}”：{message}")
    return found


def edit_refusal(change: TimeChange) -> str | None:
    if change.state not in EDITABLE_STATES:
        return f"变更“{change.notice_title}”{change.state}，只有待调整或已退回的可以修改"
    return None


def lots_of(change: TimeChange) -> list[Lot]:
    lots = change.project.lots
    wanted = set(change.lot_codes or [])
    return [lot for lot in lots if not wanted or lot.code in wanted]


def apply(change: TimeChange, user) -> None:
    """已生效: the new times replace the lots' times."""
    for lot in lots_of(change):
        lot.bid_deadline, lot.open_time = change.new_bid_deadline, change.new_open_time
        if change.new_doc_issue_end:
            lot.doc_issue_end = change.new_doc_issue_end
    change.applied_at = dt.datetime.now()
    record(user, "变更时间生效", change.project, audit_detail(change))
