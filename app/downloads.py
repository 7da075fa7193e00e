"""Files sent named in Chinese, still named for clients that read only `filename`.

Werkzeug's send_file drops the characters it cannot put in ASCII, so
"项目监督.xlsx" went out as `filename=.xlsx`: a client ignoring `filename*`
saved a nameless file. Each download gives an ASCII name of its own.
"""
from __future__ import annotations

from pathlib import PurePath
from urllib.parse import quote

from flask import send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_download(file, name: str, fallback: str, **kwargs):
    """send_file as an attachment: `name` for UTF-8 clients, `fallback` (ASCII) for the rest."""
    response = send_file(file, as_attachment=True, download_name=fallback, **kwargs)
    if name != fallback:
        response.headers["Content-Disposition"] = (
            f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}")
    return response


def ascii_name(name: str, stem: str) -> str:
    """An uploaded file's own name where it is plain ASCII, else `stem` with its suffix."""
    if name.isascii() and name.isprintable() and '"' not in name and "\\" not in name:
        return name
    suffix = PurePath(name).suffix
    return stem + (suffix if suffix.isascii() and suffix.isprintable() and '"' not in suffix
                   else "")
