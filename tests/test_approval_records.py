"""Approval records are append-only: not through the pages, not through
REST, not through the model, not even with SQL against the database."""
import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from tests.filings import add_filing, filed_plan_id, newest_filing_id, records_of, submit
from tests.helpers import api_token, bearer, logged_in


@pytest.fixture(scope="module")
def submitted(gps_module):
    jingban = logged_in(gps_module, "jingban")
    assert add_filing(jingban, filed_plan_id(gps_module)).status_code == 302
    pk = newest_filing_id(gps_module)
    submit(jingban, pk)
    assert len(records_of(gps_module, pk)) == 1
    return pk


def _record(pk):
    from app.extensions import db
    from app.models import ApprovalRecord

    return db.session.query(ApprovalRecord).filter_by(item_id=pk).one()


def test_the_model_refuses_an_edit(gps_module, submitted):
    from app.extensions import db
    from app.models import AppendOnlyError

    with gps_module.app_context():
        _record(submitted).opinion = "改过的意见"
        with pytest.raises(AppendOnlyError, match="只能追加"):
            db.session.commit()
        db.session.rollback()
    assert records_of(gps_module, submitted)[0][2] is None


def test_the_model_refuses_a_delete(gps_module, submitted):
    from app.extensions import db
    from app.models import AppendOnlyError

    with gps_module.app_context():
        db.session.delete(_record(submitted))
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
    assert len(records_of(gps_module, submitted)) == 1


@pytest.mark.parametrize("statement", [
    lambda table: update(table).values(opinion="x"),
    lambda table: delete(table),
], ids=["bulk update", "bulk delete"])
def test_the_database_refuses_bulk_statements(gps_module, submitted, statement):
    from app.extensions import db
    from app.models import ApprovalRecord

    with gps_module.app_context():
        with pytest.raises(DBAPIError, match="只能追加"):
            db.session.execute(statement(ApprovalRecord.__table__))
        db.session.rollback()
        with pytest.raises(DBAPIError, match="只能追加"):
            db.session.execute(text("DELETE FROM approval_record"))
        db.session.rollback()
    assert len(records_of(gps_module, submitted)) == 1


@pytest.mark.parametrize("method, url", [
    ("get", "/approvalrecordview/list/"),
    ("get", "/approval-records/list/"),
    ("post", "/approvalrecordview/edit/1"),
    ("get", "/api/v1/approval_record/"),
    ("put", "/api/v1/approval_record/1"),
    ("delete", "/api/v1/approval_record/1"),
])
def test_no_page_or_api_edits_them_even_for_admin(gps_module, submitted, method, url):
    client = logged_in(gps_module, "admin")
    assert getattr(client, method)(url).status_code in (404, 405)
    token = api_token(gps_module.test_client(), "admin")
    response = getattr(gps_module.test_client(), method)(url, headers=bearer(token))
    assert response.status_code in (404, 405)


def test_the_records_api_only_reads(gps_module, submitted):
    token = api_token(gps_module.test_client(), "jingban")
    client = gps_module.test_client()
    url = f"/api/v1/winner_change/{submitted}/records"
    listed = client.get(url, headers=bearer(token))
    assert listed.status_code == 200 and listed.json["result"][0]["step"] == "经办岗提交"
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)(url, headers=bearer(token)).status_code == 405
