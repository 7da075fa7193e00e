"""Travel every Python process the end-to-end tests start to the suite's day.

This folder is put on PYTHONPATH (tests/e2e/stack.py) when TEST_TODAY is set,
so Python imports this module at start-up in the sites, workers and crons the
tests start, and in any process those start in turn (the sync supervisor's
per-peer workers), which a launcher in front of the command line would miss.
Without TEST_TODAY it does nothing.
"""
import datetime as dt
import os
import sys
import time


def travel() -> None:
    value = os.environ.get("TEST_TODAY")
    if not value:
        return
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        sys.exit(f"sitecustomize: TEST_TODAY={value!r} is not a date (YYYY-MM-DD)")
    import time_machine

    offset = os.environ.get("TEST_CLOCK_OFFSET")
    if offset:
        # The test process's clock exactly: travelled = real + offset.
        destination = dt.datetime.fromtimestamp(time.time() + float(offset)).astimezone()
    else:
        destination = dt.datetime.combine(day, dt.time(10, 0)).astimezone()
    # Started for the life of the process: never stopped.
    time_machine.travel(destination, tick=True).start()



travel()
