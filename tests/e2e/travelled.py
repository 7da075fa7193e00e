"""Run a Python module or code as `python -m …` / `python -c …` would, but on
the day in $TEST_TODAY (YYYY-MM-DD, 10:00 local time, the clock ticking), so
that the app processes the end-to-end tests start see the same "today" as the
tests (`pytest --today`). Without TEST_TODAY it only runs the target.

    python tests/e2e/travelled.py -m flask --app run run --port 5000
    python tests/e2e/travelled.py -c "import datetime; print(datetime.date.today())"

Only Python processes travel: Redis and PostgreSQL keep the real clock
(libfaketime breaks redis-server). Processes these fork inherit the travel.
"""
import datetime as dt
import os
import runpy
import sys
import time

USAGE = "usage: travelled.py -m MODULE [ARG ...] | -c CODE [ARG ...]"


def travel() -> None:
    value = os.environ.get("TEST_TODAY")
    if not value:
        return
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        sys.exit(f"travelled.py: TEST_TODAY={value!r} is not a date (YYYY-MM-DD)")
    import time_machine

    offset = os.environ.get("TEST_CLOCK_OFFSET")
    if offset:
        # The test process's clock exactly: travelled = real + offset.
        destination = dt.datetime.fromtimestamp(time.time() + float(offset)).astimezone()
    else:
        destination = dt.datetime.combine(day, dt.time(10, 0)).astimezone()
    # Started for the life of the process: never stopped.
    time_machine.travel(destination, tick=True).start()


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] not in ("-m", "-c"):
        sys.exit(USAGE)
    mode, target, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    travel()
    if mode == "-m":
        # As `python -m`: the current directory first on the path, argv[0] the module's file.
        sys.path[0] = os.getcwd()
        sys.argv = [target, *args]
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    else:
        sys.path[0] = ""
        sys.argv = ["-c", *args]
        exec(compile(target, "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})


if __name__ == "__main__":
    main()
