"""Settings, read from the environment.

Every site (GPS or a trading platform) gets its own instance folder, database
and secret key. Nothing secret is a constant in the repository.
"""
import os
import secrets
import tempfile
from pathlib import Path

from flask_babel import lazy_pgettext

BASE_DIR = Path(__file__).resolve().parent


def instance_dir(site_id: str) -> Path:
    """The site's folder: its SQLite file (password hashes, peer secrets), the
    secret key and uploads, so only the service's own user may enter it."""
    root = Path(os.environ.get("INSTANCE_ROOT", BASE_DIR / "instance"))
    path = root / site_id
    if not root.exists():
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
        path.chmod(0o700)  # made by an earlier version with the umask's 0755
    return path


def secret_key(site_id: str) -> str:
    """SECRET_KEY from the environment, else generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_dir(site_id) / "secret_key"
    if not key_file.exists():
        # Written whole under another name (0600, never readable by others
        # even for a moment), then linked into place, which fails if a key is
        # there already. gunicorn's workers start together: on a fresh
        # instance folder one of them failed to boot (the file existed by
        # then), or could have read it empty and signed with another key.
        fd, written = tempfile.mkstemp(dir=key_file.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
            try:
                os.link(written, key_file)
            except FileExistsError:
                pass  # another process was first: its key is the site's
        finally:
            os.unlink(written)
    return key_file.read_text().strip()


def database_url(site_id: str) -> str:
    """DATABASE_URL wins; a trading site may also take DATABASE_URL_<code>."""
    specific = os.environ.get(f"DATABASE_URL_{site_id.upper().replace('-', '_')}")
    url = specific or os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{instance_dir(site_id) / 'app.db'}"


def settings(site: str, platform_code: str | None) -> dict:
    site_id = "gps" if site == "gps" else f"trading-{platform_code}"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6390/0")
    https = os.environ.get("HTTPS", "0") == "1"
    return {
        "SITE": site,
        "SITE_ID": site_id,
        "SITE_CODE": "gps" if site == "gps" else platform_code,  # name in sync messages
        "PLATFORM_CODE": platform_code,
        "SECRET_KEY": secret_key(site_id),
        "SQLALCHEMY_DATABASE_URI": database_url(site_id),
        # PostgreSQL: parallel workers per statement (app/postgres.py); None
        # keeps the server's setting.
        "PG_PARALLEL_WORKERS_PER_GATHER": None if site == "gps" else 0,
        "REDIS_URL": redis_url,
        # --- Flask-AppBuilder -------------------------------------------
        # Lazy: the navbar's brand and the page titles in the reader's
        # language, in a short form (站点名称) that leaves the menus room.
        "APP_NAME": lazy_pgettext("站点名称", "政府采购系统") if site == "gps"
        else lazy_pgettext("站点名称", "公共资源交易平台"),
        "AUTH_TYPE": 1,  # AUTH_DB
        "AUTH_ROLE_ADMIN": "Admin",
        "AUTH_ROLE_PUBLIC": "Public",
        # The schema comes from `flask db upgrade` and permissions from
        # `flask roles sync`; start-up must not write to the database.
        "FAB_CREATE_DB": False,
        "FAB_UPDATE_PERMS": False,
        "FAB_ADD_SECURITY_API": False,
        "FAB_API_SWAGGER_UI": True,
        "FAB_API_MAX_PAGE_SIZE": 100,
        # The lists of growing tables count this far, then say "超过 …"
        # (app/views/common/counting.py).
        "LIST_COUNT_CAP": int(os.environ.get("LIST_COUNT_CAP", "10000")),
        # 【监督看板】's figures each process reuses this many seconds per
        # scope and filters (app/views/gps/supervision_dashboard.py); 0 reads
        # them on every load.
        "DASHBOARD_FIGURES_SECONDS": int(os.environ.get("DASHBOARD_FIGURES_SECONDS", "60")),
        # How often the sweeper counts 【监督看板】's figures ahead
        # (app/supervision_tally.py); the board reads a count up to twice
        # this old, else counts live. 0: always live.
        "DASHBOARD_TALLY_SECONDS": int(os.environ.get("DASHBOARD_TALLY_SECONDS", "300")),
        # Website pages each process keeps until a notice changes
        # (app/public/page_cache.py); 0 renders every request.
        "WEBSITE_PAGE_CACHE": int(os.environ.get("WEBSITE_PAGE_CACHE", "500")),
        # 标题 searches whose order of grams each process remembers
        # (app/public/search.py, GramOrders); 0 counts the grams every time.
        "WEBSITE_GRAM_ORDERS": int(os.environ.get("WEBSITE_GRAM_ORDERS", "1024")),
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,
        "FAB_SAFE_REDIRECT_HOSTS": os.environ.get(
            "SAFE_REDIRECT_HOSTS", "127.0.0.1,localhost"
        ).split(","),
        "FAB_SECURITY_MANAGER_CLASS": "app.security.SecurityManager",
        "FAB_INDEX_VIEW": "app.views.common.home.HomeView",
        # FAB's layout plus app/static/js/confirm.js (data-confirm="…").
        "FAB_BASE_TEMPLATE": "site_layout.html",
        # --- login throttling, shared by all processes through Redis ---
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": os.environ.get("AUTH_RATE_LIMIT", "10 per 20 second"),
        # Failed sign-ins of one account, from any address.
        "AUTH_ACCOUNT_LIMIT": os.environ.get("AUTH_ACCOUNT_LIMIT", "20 per 15 minute"),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": site_id,  # sites may share one Redis
        # Redis down must not stop people signing in: limits then count in
        # each process's memory until Redis answers again (a warning is logged
        # by security.auth), and any other limiter error is logged, not a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "REMEMBER_COOKIE_NAME": f"remember_{site_id}",
        # --- cookies and CSRF ------------------------------------------
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "SESSION_COOKIE_NAME": f"session_{site_id}",
        "JWT_ACCESS_TOKEN_EXPIRES": 3600,
        # --- language ---------------------------------------------------
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_FOLDER": str(BASE_DIR / "translations"),
        "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "translations"),
        "LANGUAGES": {
            "zh": {"flag": "cn", "name": "中文"},
            "en": {"flag": "gb", "name": "English"},
        },
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # GPS's address as the public reaches it (https://gps.example.gov.cn/):
        # the 合同公告's link to the redacted contract, sent to the platforms
        # and put in OCDS, must not depend on which host a request came in on.
        # Unset: the request's own address (development).
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        # 加盖公章的情况说明材料 and other uploads (PDF only).
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_MB", "10")) * 1024 * 1024,
        # 组建评委会: experts.drawn is refused (425, retried) until its 评审时间,
        # allowing the sender's clock to run this many seconds ahead.
        "EXPERTS_CLOCK_SKEW": int(os.environ.get("EXPERTS_CLOCK_SKEW", "120")),
        # Sync: how long a delivery attempt holds its message before the
        # sweeper may hand it to another job (longer than the HTTP timeout).
        "SYNC_LEASE_SECONDS": int(os.environ.get("SYNC_LEASE_SECONDS", "90")),
        # Where each sync worker/cron process keeps its status file for /health
        # (default: <instance>/sync-status); every process of a site must agree.
        "SYNC_STATUS_DIR": os.environ.get("SYNC_STATUS_DIR"),
        # Number of trusted reverse proxies in front (nginx: 1); 0 = none.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        # /health: anyone sees ok/not ok; the details (sync queues, dead
        # letters, calendar) go to a logged-in Admin or to a request carrying
        # "Authorization: Bearer <HEALTH_TOKEN>" (monitoring). Unset: Admin only.
        "HEALTH_TOKEN": os.environ.get("HEALTH_TOKEN") or None,
        # SQLite only: how long a connection waits for another's write lock
        # before "database is locked" (then answered 503, app/errors.py).
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "10000")),
        # SQLite only: each connection's page cache, in MB (SQLite's default
        # is 2). A search at 1,000,000 notices reads a few thousand pages of
        # a 4 GB file, and with 2 MB even the B-trees' inner pages are read
        # from the OS again on every search (docs/benchmarks.md, 2026-12-04).
        "SQLITE_CACHE_MB": int(os.environ.get("SQLITE_CACHE_MB", "32")),
    }
