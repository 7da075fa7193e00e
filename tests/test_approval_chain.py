"""Who may move a 中标结果变更备案 from which state: every (state, action,
user) through the REST API, which is checked exactly like the pages.

The filing belongs to 平顶山市教育局 (region 410400). The users cover its own
unit, another unit (方城县), its own regulator, another region's regulator,
the province above it, the supervision office, an agency and Admin.
"""
import io

import pytest

from tests.filings import filed_plan_id, pdf_bytes, rest_fields
from tests.helpers import api_token, bearer

STATES = ["草稿", "待单位审核", "待监管初审", "待监管复核", "流程完成", "已退回"]
ACTIONS = ["submit", "approve", "reject"]
USERS = ["jingban", "jingban2", "shenhe", "shenhe2", "chushen", "chushen_b", "chushen2",
         "sheng", "fuhe", "fuhe2", "jianguan", "daili", "admin"]

# The chain as the manual describes it: (state, action) → the role that takes it.
TRANSITIONS = {
    ("草稿", "submit"): "采购单位经办岗",
    ("已退回", "submit"): "采购单位经办岗",
    ("待单位审核", "approve"): "单位内部审核岗", ("待单位审核", "reject"): "单位内部审核岗",
    ("待监管初审", "approve"): "监管初审岗", ("待监管初审", "reject"): "监管初审岗",
    ("待监管复核", "approve"): "监管复核岗", ("待监管复核", "reject"): "监管复核岗",
}
NEXT = {("草稿", "submit"): "待单位审核", ("已退回", "submit"): "待单位审核",
        ("待单位审核", "approve"): "待监管初审", ("待监管初审", "approve"): "待监管复核",
        ("待监管复核", "approve"): "流程完成"}
ROLE = {"jingban": "采购单位经办岗", "jingban2": "采购单位经办岗", "shenhe": "单位内部审核岗",
        "shenhe2": "单位内部审核岗", "chushen": "监管初审岗", "chushen_b": "监管初审岗",
        "chushen2": "监管初审岗", "sheng": "监管初审岗", "fuhe": "监管复核岗",
        "fuhe2": "监管复核岗", "jianguan": "监管处", "daili": "代理机构", "admin": "Admin"}
# Who acts for this filing: its own unit; 平顶山市财政局 as the 同级 regulator.
ACTS_FOR_IT = {"jingban", "shenhe", "chushen", "chushen_b", "fuhe"}
# Who may see it at all (others get 404): the unit, regulators of 410400 and above;
# a 草稿 is the unit's own until submitted (app/scope.py).
SEES_IT = ACTS_FOR_IT | {"sheng", "jianguan", "admin"}
REGULATORS = {user for user, role in ROLE.items() if role.startswith("监管")}
# Who holds the permission for the action's endpoint (others get 403).
PERMITTED = {"submit": {"jingban", "jingban2", "admin"},
             "approve": {"shenhe", "shenhe2", "chushen", "chushen_b", "chushen2", "sheng",
                         "fuhe", "fuhe2", "admin"}}
PERMITTED["reject"] = PERMITTED["approve"]


def expected(state, action, user):
    """(status, fragment of the message) the user should get."""
    if user not in PERMITTED[action]:
        return 403, None
    if user not in SEES_IT or (state == "草稿" and user in REGULATORS):
        return 404, None
    role = TRANSITIONS.get((state, action))
    if role is None:
        return 409, f"当前状态为“{state}”，不能"
    if ROLE[user] != role:
        return 409, f"该环节需由“{role}”办理"
    if user not in ACTS_FOR_IT:
        return 409, "本级监管部门办理"
    return 200, NEXT.get((state, action), "已退回")


@pytest.fixture(scope="module")
def filing(gps_module):
    """A filing created and given its statement through REST, as jingban."""
    client = gps_module.test_client()
    token = api_token(client, "jingban")
    response = client.post("/api/v1/winner_change/", headers=bearer(token),
                           json=rest_fields(gps_module, filed_plan_id(gps_module)))
    assert response.status_code == 201, response.get_data(as_text=True)
    pk = response.json["id"]
    response = client.post(f"/api/v1/winner_change/{pk}/statement", headers=bearer(token),
                           data={"file": (io.BytesIO(pdf_bytes()), "情况说明.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    return pk


@pytest.fixture(scope="module")
def tokens(gps_module):
    client = gps_module.test_client()
    return {user: api_token(client, user) for user in USERS}


def _put_in_state(app, pk, state):
    """Set the state directly (no user here, so a Core UPDATE, which also
    bumps the version as any change does)."""
    from sqlalchemy import update

    from app.extensions import db
    from app.models import ApprovalRecord, WinnerChange

    table = WinnerChange.__table__
    with app.app_context():
        db.session.execute(update(table).where(table.c.id == pk)
                           .values(state=state, version=table.c.version + 1,
                                   changed_by_fk=table.c.changed_by_fk))
        db.session.commit()
        return db.session.query(ApprovalRecord).filter_by(item_id=pk).count()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("user", USERS)
def test_who_may_take_which_step(gps_module, filing, tokens, state, action, user):
    records_before = _put_in_state(gps_module, filing, state)
    path = "submit" if action == "submit" else "review"
    body = {} if action == "submit" else {
        "result": "通过" if action == "approve" else "退回", "opinion": "请补正材料"}
    response = gps_module.test_client().post(f"/api/v1/winner_change/{filing}/{path}",
                                             headers=bearer(tokens[user]), json=body)
    status, fragment = expected(state, action, user)
    assert response.status_code == status, response.get_data(as_text=True)
    from tests.filings import records_of, state_of
    if status == 200:
        assert response.json["state"] == fragment
        assert state_of(gps_module, filing) == fragment
        assert len(records_of(gps_module, filing)) == records_before + 1
    else:
        if fragment:
            assert fragment in response.json["message"]
        assert state_of(gps_module, filing) == state
        assert len(records_of(gps_module, filing)) == records_before


def test_the_declared_chain_is_the_manuals(gps_module):
    """The engine's own view of the chain matches the table above."""
    from app.workflows.winner_change import WinnerChangeChain

    declared = {(state, event): actor.role for state, event, actor in WinnerChangeChain.actors()}
    assert declared == TRANSITIONS


@pytest.mark.parametrize("body", [["x"], "x", 5, None, {"result": ["通过"]}, {"result": {"a": 1}},
                                  {"result": 1}])
def test_a_review_body_that_is_not_an_object_is_a_422(gps_module, filing, tokens, body):
    """An attack probe's 500s: a list or a string as the body, a list or an
    object as the result."""
    state = "待单位审核"
    _put_in_state(gps_module, filing, state)
    response = gps_module.test_client().post(
        f"/api/v1/winner_change/{filing}/review", headers=bearer(tokens["shenhe"]), json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["message"] == {"result": "审批结果只能是“通过”或“退回”"}
    from tests.filings import state_of
    assert state_of(gps_module, filing) == state
