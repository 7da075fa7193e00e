"""The times a trading 变更公告 entry sets against those of the GPS 变更公告 it
comes from. The GPS notice is what bidders read; a difference is allowed
only with a reason (the venue may force one), which the review and audit show.
Pure: datetimes in, differences out.
"""
import datetime as dt

from .text import blank

# (field suffix, label): new_<field> is entered, gps_<field> came with the notice.
FIELDS = (("doc_issue_end", "文件获取截止时间"), ("bid_deadline", "投标截止时间"),
          ("open_time", "开标时间"))


def minute(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def differences(gps: dict, entered: dict) -> list[tuple[str, str, dt.datetime | None,
                                                        dt.datetime | None]]:
    """(field, label, GPS time, entered time) for each time the GPS notice
    states and the entry does not match to the minute. A time the notice does
    not state (an older message) is not compared."""
    found = []
    for field, label in FIELDS:
        theirs, ours = gps.get(field), entered.get(field)
        if theirs is None:
            continue
        if ours is None or ours.replace(second=0, microsecond=0) != \
                theirs.replace(second=0, microsecond=0):
            found.append((field, label, theirs, ours))
    return found


def difference_text(found) -> str:
    return "；".join(f"{label}：变更公告 {minute(theirs)}，填写 {minute(ours)}"
                    for _field, label, theirs, ours in found)


def difference_error(found, reason: str | None) -> str | None:
    """The refusal when times differ from the GPS notice and no reason is given."""
    if not found or not blank(reason):
        return None
    return (f"填写的时间与政府采购系统发布的变更公告不一致（{difference_text(found)}）："
            f"请按变更公告填写，或在“与变更公告不一致的原因”中说明原因")
