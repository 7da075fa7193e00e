"""Drop a test run's PostgreSQL databases: `DROP_DATABASES_URL=SERVER_URL
python tests/drop_databases.py NAME…` (tests/conftest.py starts it when a worker's session ends
and does not wait for it).

Each DROP DATABASE waits for a checkpoint, about half a second on a server
the other workers keep busy, and a worker makes a database per writing test:
dropped in the session's teardown, a few hundred of them held the end of the
PostgreSQL run by two to three minutes. Best effort: a database still busy
is left for `.ci/run`'s drop_stale_test_databases, with a line on stderr."""
import os
import sys
import time


def main(server_url: str, names: list[str]) -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    left = []
    with engine.connect() as conn:
        for name in names:
            for attempt in range(3):
                try:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    break
                except DBAPIError as exc:
                    if attempt == 2:
                        left.append(f"{name}: {exc.orig}")
                    time.sleep(1)
    engine.dispose()
    for line in left:
        print(f"could not drop test database {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(os.environ["DROP_DATABASES_URL"], sys.argv[1:]))
