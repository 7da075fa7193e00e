"""Entry point for `flask run`, `flask db …` and gunicorn (`run:app`).

SITE=gps (default) or SITE=trading with PLATFORM_CODE=410400.
"""
import gc
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

# What start-up made (modules, views, templates, the schema: ~260,000
# objects) lives as long as the process. Python's full collections walked
# all of it again every dozen or so list pages, 70–110 ms each: the slowest
# twentieth of a 【待办任务】 page (docs/benchmarks.md, #17 item 1). Frozen,
# they are left out of every collection. Here, not in create_app: the tests
# build hundreds of apps and must be able to free them.
gc.collect()
gc.freeze()
