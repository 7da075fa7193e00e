"""Uploaded files: checked by content, stored outside the web root.

Files live in <instance>/uploads/ under a random name; the user's file name
is kept only as a label. Whoever serves a download decides who may have it.
"""
import hashlib
import io
import re
import secrets
from pathlib import Path

from flask import current_app

from .downloads import ascii_name, send_download
from .extensions import db
from .models import Attachment

PDF = "application/pdf"
# A file name is a label, never a path: no separators, no "..", no controls,
# no direction overrides (“\u202efdp.exe.pdf” shows as “…exe.pdf” reversed).
_BAD_NAME = re.compile(r"[\\/\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]|\.\.")
NAME_MAX = 255  # Attachment.original_name


def max_bytes() -> int:
    return current_app.config["ATTACHMENT_MAX_BYTES"]


def pdf_error(filename: str | None, data: bytes, what: str = "情况说明材料") -> str | None:
    """Why this upload is not an acceptable PDF (of `what`), or None."""
    name = (filename or "").strip()
    if not name:
        return "请选择要上传的文件"
    if _BAD_NAME.search(name):
        return f"文件名“{name}”含有路径或非法字符，请重命名后再上传"
    if len(name) > NAME_MAX:
        # Cut to fit the column, it lost its “.pdf”: say so instead.
        return f"文件名超过{NAME_MAX}个字符，请重命名后再上传"
    if not name.lower().endswith(".pdf"):
        return f"“{name}”不是PDF文件，只能上传PDF格式的{what}"
    if not name[:-4].strip(" ."):
        return f"文件名“{name}”只有扩展名，请重命名后再上传"
    if not data:
        return f"“{name}”是空文件，请重新选择"
    limit = max_bytes()
    if len(data) > limit:
        return f"“{name}”超过{limit // (1024 * 1024)}MB的大小限制，请压缩后再上传"
    if not data.startswith(b"%PDF-") or not _readable_pdf(data):
        return f"“{name}”的内容不是有效的PDF文件（仅改扩展名无效），请上传扫描或导出的PDF"
    return None


def _readable_pdf(data: bytes) -> bool:
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data)).pages) > 0
    except Exception:  # noqa: BLE001
        # Hostile files reach pypdf's limits in many ways (LimitReachedError
        # for a page tree nested 2,000 deep, RecursionError for nested arrays,
        # IndexError, AttributeError …): any of them means "not a PDF we can
        # read", which the user is told, never a 500.
        return False


def upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def store_pdf(filename: str, data: bytes, user) -> Attachment:
    """Write an already checked PDF and add its row to the session."""
    stored = secrets.token_hex(16) + ".pdf"
    (upload_dir() / stored).write_bytes(data)
    attachment = Attachment(stored_name=stored, original_name=filename.strip(),
                            content_type=PDF, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user.id)
    db.session.add(attachment)
    return attachment


def read_upload(file_storage) -> tuple[str, bytes]:
    """The name and at most limit+1 bytes of an uploaded werkzeug file."""
    if file_storage is None:
        return "", b""
    return file_storage.filename or "", file_storage.stream.read(max_bytes() + 1)


def send(attachment: Attachment):
    path = upload_dir() / attachment.stored_name
    return send_download(path, attachment.original_name,
                         ascii_name(attachment.original_name, f"attachment-{attachment.id}"),
                         mimetype=attachment.content_type, max_age=0)
