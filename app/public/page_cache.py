"""Rendered website pages, kept in each process until a notice changes.

Every supplier reads the website, and its pages are the same for all of
them: no login, no cookie, no per-request nonce in the HTML, Chinese only,
and nothing on them changes but published_notice (the region's name is read
once per process). Any change to that table raises `website_version.version`
(database triggers, migration c4e6a8b0d2f4, whoever writes). So a request
reads that one number, and a page already rendered under it is answered from
memory; the Jinja and ORM work of a page is then done once per change, not
once per reader. Measured in docs/benchmarks.md (website_bench, "Pages kept
until a notice changes").

Never older than its key: the number is read before the page's rows, so
the rows are at least as new as the number the page is stored under.

The answer carries an ETag of its bytes; a reader that sends it back gets
304. `WEBSITE_PAGE_CACHE` is how many pages a process keeps (0: none), and
MAX_BYTES how much HTML: the most recently read ones, so junk query strings
cost bounded memory. Pages that read no query string (home, a notice) are
kept by path alone, so `?x=1…` cannot make copies of them.

A number lower than one already seen (a database restored from a backup)
keeps nothing until it passes that one: restart the sites after a restore
(docs/operations.md).
"""
import hashlib
import threading
from collections import OrderedDict
from functools import wraps

from flask import current_app, make_response, request
from sqlalchemy import select

from ..extensions import read
from ..models import WebsiteVersion
from .notices import statement_once

MAX_BYTES = 64 * 1024 * 1024  # of HTML a process keeps, whatever the count


class PageCache:
    """Pages (bytes and ETag) of one version of the notices: the `size` most
    recently read, so a run of one-off pages (old notices, junk searches)
    pushes out each other, not the home page."""

    def __init__(self, size: int):
        self.size = size
        self.version = None
        self.pages: OrderedDict = OrderedDict()
        self.bytes = 0
        self._lock = threading.Lock()  # threaded servers (tests, `flask run`)

    def get(self, version: int, key) -> tuple[bytes, str] | None:
        with self._lock:
            if version != self.version or key not in self.pages:
                return None
            self.pages.move_to_end(key)
            return self.pages[key]

    def put(self, version: int, key, body: bytes) -> str:
        etag = hashlib.blake2b(body, digest_size=16).hexdigest()
        with self._lock:
            # A request that read an older number than one already stored
            # under must not empty the newer pages.
            if self.version is None or version > self.version:
                self.pages, self.version, self.bytes = OrderedDict(), version, 0
            elif version < self.version:
                return etag
            old = self.pages.pop(key, None)
            self.bytes += len(body) - (len(old[0]) if old else 0)
            self.pages[key] = (body, etag)
            while len(self.pages) > self.size or self.bytes > MAX_BYTES:
                _key, (dropped, _etag) = self.pages.popitem(last=False)
                self.bytes -= len(dropped)
        return etag


def init_app(app) -> None:
    size = app.config.get("WEBSITE_PAGE_CACHE", 0)
    if size > 0:
        app.extensions["website_pages"] = PageCache(size)


def kept_page(view=None, *, by_query: bool = True):
    """The view's HTML from memory while the notices are unchanged; rendered
    (and kept, if it is a 200 page) otherwise. `by_query=False` for a view
    that reads no query string: its page is kept by path alone."""
    if view is None:
        return lambda view: kept_page(view, by_query=by_query)

    @wraps(view)
    def page(**kwargs):
        cache = current_app.extensions.get("website_pages")
        if cache is None:
            return view(**kwargs)
        version = read(statement_once(("website-version",), lambda: select(
            WebsiteVersion.version).where(WebsiteVersion.id == 1))).scalar()
        if version is None:  # a database without the row
            return view(**kwargs)
        key = (request.script_root, request.path, request.query_string if by_query else b"")
        kept = cache.get(version, key)
        if kept is None:
            response = make_response(view(**kwargs))
            if response.status_code != 200 or response.mimetype != "text/html":
                return response
            etag = cache.put(version, key, response.get_data())
        else:
            body, etag = kept
            response = current_app.response_class(body, mimetype="text/html")
        response.set_etag(etag)
        return response.make_conditional(request)

    return page
