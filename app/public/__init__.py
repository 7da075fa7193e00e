"""公共资源交易网: the trading site's public website (no login).

Reads published rows only (PublishedNotice). Wired by create_app() for
trading sites: `init_app(app)` registers the blueprint and its commands.

    website.py   pages and feeds under /web
    notices.py   store_notice() (for the notice sync and the seeder) and the plain reads
    search.py    a column's pages and searches (Listing), the gram walks
    sanitise.py  the one HTML sanitiser (nh3) for notice bodies
    query.py     a column page's query string → search terms and page, never an error
    feeds.py     Atom / RSS with feedgen
    page_cache.py   rendered pages kept until a notice changes (WEBSITE_PAGE_CACHE)
    seed.py, cli.py   `flask website seed --count N [--column C]`
"""


def init_app(app) -> None:
    from . import page_cache, search
    from .cli import website_cli
    from .website import error_page, website

    page_cache.init_app(app)
    search.init_app(app)
    app.register_blueprint(website)
    app.extensions.setdefault("section_error_pages", {})[website.url_prefix + "/"] = error_page
    app.cli.add_command(website_cli)
