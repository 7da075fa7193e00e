"""SQLite as a site's database: private files, WAL, a busy timeout and a
larger page cache.

The file holds password hashes and the peers' shared secrets, so it is made
0600 before SQLite first opens it (SQLite gives its -wal and -shm files the
same mode). WAL lets pages be read while a sync job writes, and the busy
timeout makes a writer wait for another instead of failing at once; when a
writer still cannot get the lock, app/errors.py answers 503.
"""
import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url


def database_file(uri: str) -> Path | None:
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") \
            or (url.query.get("mode") == "memory"):
        return None
    return Path(url.database)


def make_private(path: Path) -> None:
    """Create the file 0600, or take away others' access to an existing one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            if name.stat().st_mode & 0o077 and name.stat().st_uid == os.getuid():
                name.chmod(0o600)
        except FileNotFoundError:
            pass


def init_app(app, db) -> None:
    path = database_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is None:
        return
    make_private(path)
    busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10000))
    cache_kb = int(app.config.get("SQLITE_CACHE_MB", 32)) * 1024

    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # SQLite ignores foreign keys unless told, per connection: a 行政区划
        # deleted under its organisations left them pointing at nothing,
        # where PostgreSQL refuses the delete.
        cursor.execute("PRAGMA foreign_keys = ON")
        if cache_kb > 0:  # negative: a size in KiB, not a number of pages
            cursor.execute(f"PRAGMA cache_size = -{cache_kb}")
        cursor.close()

    with app.app_context():
        event.listen(db.engine, "connect", on_connect)
