"""Entry point for `flask run`, `flask db …` and gunicorn (`run:app`).

SITE=gps (default) or SITE=trading with PLATFORM_CODE=410400.
"""
import os

from app import create_app

app = create_app(os.environ.get("SITE", "gps"), platform=os.environ.get("PLATFORM_CODE"))
