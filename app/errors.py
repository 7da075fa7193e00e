"""Error pages users can act on, in their language."""
from flask import current_app, flash, jsonify, redirect, request


def too_large_message() -> str:
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    return f"上传的内容超过{limit}MB，未保存任何内容，请压缩文件后重试"


def init_app(app):
    @app.errorhandler(413)
    def too_large(error):
        message = too_large_message()
        if request.path.startswith(("/api/", "/interop/")):
            return jsonify(message=message), 413
        flash(message, "danger")
        # Back to the form (same site only: the referrer must be ours).
        referrer = request.referrer or ""
        same_site = referrer.startswith(request.host_url)
        return redirect(referrer if same_site else "/", code=303)
