"""gunicorn settings read from the working directory (`gunicorn run:app`).

gunicorn writes `Server: gunicorn` into every response itself, before the
application's headers, and has no setting for it. The name of the server
software tells an attacker what to try, so it is replaced here, in the one
place gunicorn runs our Python before serving (run.py does the same for
`flask run`).

A request gunicorn cannot read (a request line over its limit, too many or
too large headers, a malformed line) never reaches the application: gunicorn
answered it with its own English page ("Request Line is too large (4,500 >
4,094)"). The worker class below answers it in Chinese instead, with the
status that says what was wrong, and changes nothing else about the worker.
"""
import html

import gunicorn.http.wsgi
from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.sync import SyncWorker

gunicorn.http.wsgi.SERVER = "web"

# The longest request line gunicorn reads short of "unlimited": nginx in
# front (docs/deployment.md) passes lines up to its 8 KB header buffers, and a
# 采购计划 search with many conditions can pass gunicorn's default of 4,094.
limit_request_line = 8190

# gunicorn's own refusals of a request: (status, reason, what to tell the user).
_TOO_LONG = (414, "URI Too Long",
             "网址过长（超过 8,190 个字符），请求未被处理。请减少搜索条件后重试。")
_HEADERS = (431, "Request Header Fields Too Large",
            "请求头过多或过大，请求未被处理。请清除本站的 Cookie 后重试。")
_MALFORMED = (400, "Bad Request", "请求格式不正确，未被处理。")
_REFUSALS = {
    errors.LimitRequestLine: _TOO_LONG,
    errors.LimitRequestHeaders: _HEADERS,
    errors.InvalidRequestLine: _MALFORMED,
    errors.InvalidRequestMethod: _MALFORMED,
    errors.InvalidHTTPVersion: _MALFORMED,
    errors.InvalidHeader: _MALFORMED,
    errors.InvalidHeaderName: _MALFORMED,
    errors.ObsoleteFolding: _MALFORMED,
    errors.InvalidProxyLine: _MALFORMED,
    errors.InvalidSchemeHeaders: _MALFORMED,
}

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>请求无法处理</title></head>
<body><h1>请求无法处理（{status}）</h1><p>{message}</p><p><a href="/">返回首页</a></p></body>
</html>
"""


def refusal_response(exc) -> bytes | None:
    """The whole HTTP response for a request gunicorn refused to read, or
    None for any other error (gunicorn's own handling stands)."""
    found = next((r for kind, r in _REFUSALS.items() if isinstance(exc, kind)), None)
    if found is None:
        return None
    status, reason, message = found
    body = _PAGE.format(status=status, message=html.escape(message)).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class ChineseRefusalsWorker(SyncWorker):
    """gunicorn's default (sync) worker, refusing an unreadable request in Chinese."""

    def handle_error(self, req, client, addr, exc):
        response = refusal_response(exc)
        if response is None:
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("", -1))[0], exc)
        try:
            util.write_nonblock(client, response)
        except Exception:  # noqa: BLE001 - the client has gone: nothing to tell
            self.log.debug("Failed to send error message.")


worker_class = ChineseRefusalsWorker
