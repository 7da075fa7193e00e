"""The baseline job: RQ's own cost per job, with no work inside it."""


def noop() -> None:
    return None
