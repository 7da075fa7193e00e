"""Error pages users can act on, in their language."""
from flask import current_app, flash, jsonify, redirect, render_template_string, request
from sqlalchemy.exc import OperationalError


def too_large_message() -> str:
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    return f"上传的内容超过{limit}MB，未保存任何内容，请压缩文件后重试"


BUSY_MESSAGE = "系统繁忙，数据库正被其他操作占用，本次操作未保存，请稍后重试"
BUSY_PAGE = """<!doctype html><html lang="zh"><meta charset="utf-8">
<title>系统繁忙</title><p>{{ message }}</p><p><a href="/">返回首页</a></p></html>"""


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/interop/", "/health"))


def database_locked(error: OperationalError) -> bool:
    return "database is locked" in str(getattr(error, "orig", error))


def init_app(app):
    @app.errorhandler(413)
    def too_large(error):
        message = too_large_message()
        if _wants_json():
            return jsonify(message=message), 413
        flash(message, "danger")
        # Back to the form (same site only: the referrer must be ours).
        referrer = request.referrer or ""
        same_site = referrer.startswith(request.host_url)
        return redirect(referrer if same_site else "/", code=303)

    @app.errorhandler(OperationalError)
    def busy(error):
        if not database_locked(error):
            raise error  # any other database failure stays a logged 500
        return busy_response(error)


def busy_response(error):
    """SQLite's writer lock still held by another process after the busy
    timeout (app/sqlite.py): nothing was saved, and trying again later will
    work, so say that (503) rather than a bare 500. Also used by the REST
    APIs, whose FAB @safe wrapper catches the error first (views/common/base.py)."""
    from .extensions import db

    db.session.rollback()
    current_app.logger.warning("database is locked: %s %s answered 503 (%s)",
                               request.method, request.path, error)
    headers = {"Retry-After": "5"}
    if _wants_json():
        return jsonify(error="database_busy", message=BUSY_MESSAGE), 503, headers
    return render_template_string(BUSY_PAGE, message=BUSY_MESSAGE), 503, headers
