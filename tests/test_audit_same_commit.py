"""审计日志 rows commit with what they record: a new record and the row
saying who made it are one transaction, so neither is ever kept without the
other. They were two: FAB's commit, then the audit row's own after it."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import AuditLog, Organisation, Plan
from app.rules.credit_code import complete
from tests.helpers import api_token, bearer, logged_in
from tests.test_organisations import _add_org
from tests.test_plan_filing import GOOD as PLAN_FORM
from tests.test_plan_filing import _add as add_plan


@contextmanager
def commits(app):
    """The COMMITs the app's engine sends meanwhile."""
    with app.app_context():
        engine = db.engine
    seen = []

    def count(connection):
        seen.append(connection)

    event.listen(engine, "commit", count)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", count)


def _audit_rows(app, action):
    with app.app_context():
        return [(row.entity, row.entity_key) for row in
                db.session.query(AuditLog).filter_by(action=action).order_by(AuditLog.id)]


def test_a_new_organisation_and_its_audit_row_are_one_commit(gps):
    admin = logged_in(gps, "admin")
    with commits(gps) as seen:
        assert _add_org(admin, complete("11410400MB0000099")).status_code == 302
    assert len(seen) == 1
    with gps.app_context():
        pk = db.session.query(Organisation.id).filter_by(name="测试采购单位").scalar()
    # The key is the id, which only the INSERT gave it.
    assert _audit_rows(gps, "新增组织机构") == [("Organisation", str(pk))]


def test_a_refused_organisation_leaves_no_audit_row(gps):
    admin = logged_in(gps, "admin")
    with gps.app_context():
        taken = db.session.query(Organisation.credit_code).first()[0]
    before = _audit_rows(gps, "新增组织机构")
    refused = _add_org(admin, taken)  # a 统一社会信用代码 already held
    assert refused.status_code in (200, 302)
    with gps.app_context():
        assert db.session.query(Organisation).filter_by(name="测试采购单位").count() == 0
    assert _audit_rows(gps, "新增组织机构") == before


def test_a_plan_and_its_audit_row_are_one_commit(gps):
    jingban = logged_in(gps, "jingban")
    with commits(gps) as seen:
        assert add_plan(jingban).status_code == 302
    assert len(seen) == 1
    with gps.app_context():
        plan_no = db.session.query(Plan.plan_no).filter_by(
            project_name=PLAN_FORM["project_name"]).scalar()
    assert ("Plan", plan_no) in _audit_rows(gps, "增加")


@pytest.mark.parametrize("door", ["form", "rest"])
def test_a_plan_is_audited_whichever_door_it_came_in_by(gps, door):
    before = len(_audit_rows(gps, "增加"))
    if door == "form":
        assert add_plan(logged_in(gps, "jingban")).status_code == 302
    else:
        client = gps.test_client()
        body = {**{k: v for k, v in PLAN_FORM.items() if k not in ("agency", "interconnected")},
                "interconnected": True}
        added = client.post("/api/v1/plan/", json=body,
                            headers=bearer(api_token(client, "jingban")))
        assert added.status_code == 201, added.get_data(as_text=True)
    rows = _audit_rows(gps, "增加")
    assert len(rows) == before + 1 and rows[-1][0] == "Plan" and rows[-1][1]
