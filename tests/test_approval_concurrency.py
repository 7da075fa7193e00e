"""Two reviewers acting on the same step at once: exactly one succeeds, the
other is told someone else got there first, and one record is written."""
import re
import threading

from tests.filings import (add_filing, filed_plan_id, newest_filing_id, records_of, review,
                           state_of, submit)
from tests.helpers import logged_in


def _at_first_review(gps) -> int:
    jingban = logged_in(gps, "jingban")
    assert add_filing(jingban, filed_plan_id(gps)).status_code == 302
    pk = newest_filing_id(gps)
    submit(jingban, pk)
    review(logged_in(gps, "shenhe"), pk, "通过", "同意")
    assert state_of(gps, pk) == "待监管初审"
    return pk


def test_two_reviewers_posting_together(gps):
    pk = _at_first_review(gps)
    # Both 监管初审岗 of 平顶山市财政局 open the review page first …
    clients = [logged_in(gps, u) for u in ("chushen", "chushen_b")]
    from tests.filings import VERSION_RE
    pages = [c.get(f"/winner-changes/review/{pk}").get_data(as_text=True) for c in clients]
    versions = {VERSION_RE.search(p).group(1) for p in pages}
    assert len(versions) == 1
    # … then press 【审核】 at the same moment, one 通过 and one 退回.
    barrier, answers = threading.Barrier(2), {}

    def press(index, result):
        barrier.wait()
        answers[index] = review(clients[index], pk, result, "意见",
                                version=versions.copy().pop()).get_data(as_text=True)

    threads = [threading.Thread(target=press, args=(0, "通过")),
               threading.Thread(target=press, args=(1, "退回"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    succeeded = [i for i, page in answers.items() if re.search("已(通过|退回)，当前状态：", page)]
    refused = [i for i, page in answers.items() if "已被他人处理" in page]
    assert len(succeeded) == 1 and len(refused) == 1, answers
    assert state_of(gps, pk) == ("待监管复核" if succeeded == [0] else "已退回")
    assert [r[0] for r in records_of(gps, pk)].count("监管初审") == 1


def test_a_stale_in_memory_item_cannot_overwrite(gps):
    """The version check in the UPDATE itself: reviewer B loaded the filing,
    reviewer A committed since, B's write matches no row and is refused."""
    import pytest

    from app.extensions import db
    from app.models import OrgUser, WinnerChange
    from app.workflows.engine import Refused, take
    from app.workflows.winner_change import WinnerChangeChain

    pk = _at_first_review(gps)
    with gps.app_context():  # B's session
        b_item = db.session.get(WinnerChange, pk)
        b_user = db.session.query(OrgUser).filter_by(username="chushen_b").one()
        with gps.app_context():  # A's session, committed while B still holds the old row
            a_user = db.session.query(OrgUser).filter_by(username="chushen").one()
            take(WinnerChangeChain, db.session.get(WinnerChange, pk), "approve", a_user, "同意")
        with pytest.raises(Refused, match="已被他人处理"):
            take(WinnerChangeChain, b_item, "reject", b_user, "不同意")
    assert state_of(gps, pk) == "待监管复核"
    assert [r[:2] for r in records_of(gps, pk)][-1] == ("监管初审", "通过")


def test_rest_with_a_stale_version_is_refused(gps):
    from tests.helpers import api_token, bearer

    pk = _at_first_review(gps)
    client = gps.test_client()
    token = api_token(client, "chushen")
    current = client.get(f"/api/v1/winner_change/{pk}", headers=bearer(token)).json
    response = client.post(f"/api/v1/winner_change/{pk}/review", headers=bearer(token),
                           json={"result": "通过", "opinion": "同意",
                                 "version": current["result"]["version"] - 1})
    assert response.status_code == 409
    assert "已被他人处理" in response.json["message"]
    assert state_of(gps, pk) == "待监管初审"


def test_a_step_nobody_could_take_next_is_refused(gps):
    """Sent on to a step no active account may take, a filing would wait in
    nobody's 【待办任务】 for ever (a browser walk's county without its
    regulator's account): the step is refused with who is missing, and
    nothing changes until that account exists."""
    from app.extensions import db
    from app.models import OrgUser

    def set_active(usernames, active):
        with gps.app_context():
            for user in db.session.query(OrgUser).filter(OrgUser.username.in_(usernames)):
                user.active = active
            db.session.commit()

    jingban = logged_in(gps, "jingban")
    assert add_filing(jingban, filed_plan_id(gps)).status_code == 302
    pk = newest_filing_id(gps)
    submit(jingban, pk)
    shenhe = logged_in(gps, "shenhe")
    set_active(["chushen", "chushen_b"], False)  # 平顶山市财政局's 监管初审岗
    try:
        page = review(shenhe, pk, "通过", "同意").get_data(as_text=True)
        assert ("通过后“监管初审”将无人办理：“平顶山市”本级监管部门尚无启用的“监管初审岗”账号。"
                "请联系系统管理员开通该账号后再通过") in page
        assert state_of(gps, pk) == "待单位审核"
        assert [r[:2] for r in records_of(gps, pk)] == [("经办岗提交", "提交")]
        # A 退回 goes back to the applicant, who is there.
        assert "已退回" in review(shenhe, pk, "退回", "请补充").get_data(as_text=True)
        assert state_of(gps, pk) == "已退回"
    finally:
        set_active(["chushen", "chushen_b"], True)
    submit(jingban, pk)
    review(shenhe, pk, "通过", "同意")
    assert state_of(gps, pk) == "待监管初审"
