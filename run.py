"""Entry point for `flask run`, `flask db …` and gunicorn (`run:app`).

SITE=gps (default) or SITE=trading with PLATFORM_CODE=410400.
"""
import os

from werkzeug.serving import WSGIRequestHandler

from app import create_app

# `flask run` (make run, the e2e tests): Python's http.server writes
# "Server: Werkzeug/3.1.9 Python/3.11.7" itself, whatever the application
# answers, and `flask run` takes no request handler of ours; naming the
# server software and versions helps an attacker only. gunicorn: see
# gunicorn.conf.py.
WSGIRequestHandler.version_string = lambda self: "web"

app = create_app(os.environ.get("SITE", "gps"), platform=os.environ.get("PLATFORM_CODE"))
