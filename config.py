"""Settings, read from the environment.

Every site (GPS or a trading platform) gets its own instance folder, database
and secret key. Nothing secret is a constant in the repository.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def instance_dir(site_id: str) -> Path:
    root = Path(os.environ.get("INSTANCE_ROOT", BASE_DIR / "instance"))
    path = root / site_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(site_id: str) -> str:
    """SECRET_KEY from the environment, else generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_dir(site_id) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
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
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        # --- Flask-AppBuilder -------------------------------------------
        "APP_NAME": "政府采购系统" if site == "gps" else "公共资源交易平台",
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
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,
        "FAB_SAFE_REDIRECT_HOSTS": os.environ.get(
            "SAFE_REDIRECT_HOSTS", "127.0.0.1,localhost"
        ).split(","),
        "FAB_SECURITY_MANAGER_CLASS": "app.security.SecurityManager",
        "FAB_INDEX_VIEW": "app.views.common.home.HomeView",
        # --- login throttling, shared by all processes through Redis ---
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": os.environ.get("AUTH_RATE_LIMIT", "10 per 20 second"),
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
        # 加盖公章的情况说明材料 and other uploads (PDF only).
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_MB", "10")) * 1024 * 1024,
        # Sync: how long a delivery attempt holds its message before the
        # sweeper may hand it to another job (longer than the HTTP timeout).
        "SYNC_LEASE_SECONDS": int(os.environ.get("SYNC_LEASE_SECONDS", "90")),
        # Number of trusted reverse proxies in front (nginx: 1); 0 = none.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
    }
