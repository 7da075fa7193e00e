"""The stamped statement: PDF by content, size-limited, stored outside the
web root under a generated name, downloadable only by those who may see
the filing."""
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.filings import add_filing, filed_plan_id, newest_filing_id, pdf_bytes, submit
from tests.helpers import api_token, bearer, logged_in

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program"
TEN_MB = 10 * 1024 * 1024

BAD_UPLOADS = [
    ("renamed exe", "情况说明.pdf", EXE, "内容不是有效的PDF文件"),
    ("fake header", "情况说明.pdf", b"%PDF-1.7\nnot really a pdf", "内容不是有效的PDF文件"),
    ("empty", "情况说明.pdf", b"", "是空文件"),
    ("over size", "情况说明.pdf", b"%PDF-1.4\n" + b"0" * TEN_MB, "超过10MB的大小限制"),
    ("traversal", "../../etc/情况说明.pdf", None, "含有路径或非法字符"),
    ("windows traversal", "..\\..\\情况说明.pdf", None, "含有路径或非法字符"),
    ("not a pdf name", "情况说明.docx", None, "不是PDF文件"),
    ("name past the column", "说" * 300 + ".pdf", None, "文件名超过255个字符"),
    ("only the extension", ".pdf", None, "只有扩展名"),
    ("direction override", "\u202efdp.exe.pdf", None, "含有路径或非法字符"),
]


def _count(app):
    from app.extensions import db
    from app.models import Attachment, WinnerChange

    with app.app_context():
        return db.session.query(WinnerChange).count(), db.session.query(Attachment).count()


@pytest.mark.parametrize("case, name, content, message", BAD_UPLOADS,
                         ids=[c[0] for c in BAD_UPLOADS])
def test_bad_uploads_are_refused_in_the_form(gps_module, case, name, content, message):
    before = _count(gps_module)
    jingban = logged_in(gps_module, "jingban")
    response = add_filing(jingban, filed_plan_id(gps_module),
                          pdf=(name, pdf_bytes() if content is None else content))
    assert response.status_code == 200  # the form again, with the message
    assert message in response.get_data(as_text=True)
    assert _count(gps_module) == before


@pytest.mark.parametrize("case, name, content, message", BAD_UPLOADS,
                         ids=[c[0] for c in BAD_UPLOADS])
def test_bad_uploads_are_refused_over_rest(gps_module, rest_filing, case, name, content,
                                          message):
    pk, client, token = rest_filing
    before = _count(gps_module)
    response = client.post(f"/api/v1/winner_change/{pk}/statement", headers=bearer(token),
                           data={"file": (io.BytesIO(pdf_bytes() if content is None
                                                     else content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.json["message"]["file"]
    assert _count(gps_module) == before


@pytest.fixture(scope="module")
def rest_filing(gps_module):
    from tests.filings import rest_fields

    client = gps_module.test_client()
    token = api_token(client, "jingban")
    response = client.post("/api/v1/winner_change/", headers=bearer(token),
                           json=rest_fields(gps_module, filed_plan_id(gps_module)))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["id"], client, token


@pytest.fixture(scope="module")
def stored(gps_module):
    """A filing of 平顶山市教育局 with its statement, saved through the form;
    while it is a 草稿 only the unit sees it, once submitted its regulators too."""
    content = pdf_bytes(pages=2)
    jingban = logged_in(gps_module, "jingban")
    response = add_filing(jingban, filed_plan_id(gps_module), pdf=("盖章说明.pdf", content))
    assert response.status_code == 302
    pk = newest_filing_id(gps_module)
    regulator = logged_in(gps_module, "jianguan")
    assert regulator.get(f"/winner-changes/statement/{pk}").status_code == 404
    submit(jingban, pk)
    return pk, content


def test_stored_outside_the_web_root_under_a_generated_name(gps_module, stored):
    from app.extensions import db
    from app.models import WinnerChange

    pk, content = stored
    with gps_module.app_context():
        attachment = db.session.get(WinnerChange, pk).statement
        path = Path(gps_module.instance_path) / "uploads" / attachment.stored_name
        assert attachment.original_name == "盖章说明.pdf"
        assert "盖章说明" not in attachment.stored_name
    assert path.read_bytes() == content
    static = Path(gps_module.static_folder).resolve()
    assert static not in path.resolve().parents
    # Nothing under /static serves it.
    assert gps_module.test_client().get(f"/static/{path.name}").status_code == 404


DOWNLOADERS = [  # user, status: the unit, its regulators and the province see it
    ("jingban", 200), ("shenhe", 200), ("chushen", 200), ("fuhe", 200), ("sheng", 200),
    ("jianguan", 200),
    ("jingban2", 404), ("shenhe2", 404), ("chushen2", 404),  # 方城县: another unit, region
    ("daili", 403),  # agencies have no part in this filing
]


@pytest.mark.parametrize("username, status", DOWNLOADERS)
def test_who_may_download_the_statement(gps_module, stored, username, status):
    pk, content = stored
    client = logged_in(gps_module, username)
    response = client.get(f"/winner-changes/statement/{pk}")
    assert response.status_code == status
    if status == 200:
        assert response.data == content
        assert response.mimetype == "application/pdf"
        # Named for clients that read only `filename`, in Chinese for the rest.
        assert re.fullmatch(r"""attachment; filename="attachment-\d+\.pdf"; filename\*=UTF-8''"""
                            + quote("盖章说明.pdf", safe=""), response.headers["Content-Disposition"])
    token = api_token(gps_module.test_client(), username)
    api = gps_module.test_client().get(f"/api/v1/winner_change/{pk}/statement",
                                       headers=bearer(token))
    assert api.status_code == status


def test_anonymous_cannot_download(gps_module, stored):
    pk, _ = stored
    response = gps_module.test_client().get(f"/winner-changes/statement/{pk}")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_a_request_over_the_server_limit_gets_a_message(gps_module, rest_filing):
    from tests.helpers import form_token

    before = _count(gps_module)
    jingban = logged_in(gps_module, "jingban")
    token = form_token(jingban)
    huge = b"%PDF-1.4\n" + b"0" * (17 * 1024 * 1024)
    response = jingban.post("/winner-changes/add", data={
        "csrf_token": token, "statement_file": (io.BytesIO(huge), "大文件.pdf")},
        content_type="multipart/form-data",
        headers={"Referer": "http://localhost/winner-changes/add"}, follow_redirects=True)
    assert "上传的内容超过16MB，未保存任何内容" in response.get_data(as_text=True)
    assert _count(gps_module) == before
    pk, client, token = rest_filing
    response = client.post(
        f"/api/v1/winner_change/{pk}/statement", headers=bearer(token),
        data={"file": (io.BytesIO(huge), "大文件.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 413 and "超过16MB" in response.json["message"]
