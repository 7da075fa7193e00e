"""How much of the machine other processes took while we measured.

Results on a shared machine swing with whatever else runs; each scenario
reports the share of all CPUs used meanwhile by processes outside this
benchmark's process tree (Linux /proc; 0 elsewhere).
"""
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Sample:
    at: float
    machine_busy: float  # CPU-seconds the machine was not idle (incl. steal)
    ours: float          # CPU-seconds of this process and its descendants


def sample() -> Sample:
    return Sample(time.monotonic(), _machine_busy(), _tree_cpu(os.getpid()))


def _machine_busy() -> float:
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return 0.0
    _user, _nice, _system, idle, iowait, *_rest = ticks
    return (sum(ticks) - idle - iowait) / TICK


def _tree_cpu(root: int) -> float:
    """CPU of `root` and all live descendants, with the time of children they
    have already reaped (cutime/cstime), so exited workers still count."""
    children, cpu = {}, {}
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
        if entry.name.isdigit():
            stat = _read_stat(entry.name)
            if stat:
                pid, (ppid, ticks) = int(entry.name), stat
                children.setdefault(ppid, []).append(pid)
                cpu[pid] = ticks
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0)
        todo += children.get(pid, [])
    return total / TICK


def _read_stat(pid: str):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    except (OSError, IndexError, ValueError):
        return None


class Watch:
    """`with Watch() as w: …` then `w.others`: share of all CPUs (0–1) used by
    processes not ours during the block; `w.ours_s`: CPU-seconds we used."""

    others = 0.0
    ours_s = 0.0

    def __enter__(self):
        self.start = sample()
        return self

    def __exit__(self, *exc):
        end = sample()
        capacity = (end.at - self.start.at) * (os.cpu_count() or 1)
        self.ours_s = end.ours - self.start.ours
        theirs = (end.machine_busy - self.start.machine_busy) - self.ours_s
        self.others = max(theirs, 0.0) / capacity if capacity else 0.0
        return False


def model() -> str:
    """The CPU's model name, for the results' machine line."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
