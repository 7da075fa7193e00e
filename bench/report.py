"""The results as Markdown: printed, and put between the markers in
docs/benchmarks.md (the hand-written text around them stays as it is)."""
import datetime as dt
import math
import shlex
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
START = "<!-- sync-bench results: start (written by bench/sync_bench.py) -->"
END = "<!-- sync-bench results: end -->"
P99_AIM_S = 1.0
RATIO_AIM = 0.5


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(pct / 100 * len(ordered)) - 1, 0)]


def render(results: dict, machine: dict, server: str, args, elapsed_s: float) -> str:
    parts = [_header(machine, args, elapsed_s), _main_table(results, server, args),
             _aims(results, args), _servers(results["servers"], args),
             _detail(results)]
    return "\n\n".join(part for part in parts if part)


def _header(machine: dict, args, elapsed_s: float) -> str:
    command = ".venv/bin/python bench/sync_bench.py " + " ".join(
        shlex.quote(a) for a in _given_args(args))
    return "\n".join([
        f"Run of {dt.date.today().isoformat()}, {elapsed_s / 60:.1f} min in all.",
        "",
        f"- Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['os']}",
        f"- Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"redis-server {machine['redis']}, RQ {machine['rq']}",
        f"- Command: `{command.strip()}`"])


def _given_args(args) -> list[str]:
    return ["--messages", str(args.messages), "--rate", str(args.rate)] + (
        ["--duration", str(args.duration)] if args.duration != 20 else []) + (
        ["--server", args.server] if args.server != "gunicorn-4" else []) + (
        ["--no-compare"] if not args.compare_servers else []) + (
        ["--sqlite-wal"] if args.sqlite_wal else [])


def _main_table(results: dict, server: str, args) -> str:
    raw, sync, load = results["raw"], results["sync"], results["load"]
    n = args.messages
    rows = [
        ("Raw RQ no-op jobs/s (steady)", lambda w: f"{raw[w].steady_per_s:.0f}"),
        (f"Sync messages/s, backlog of {n} (steady)",
         lambda w: f"{sync[w].drain.steady_per_s:.1f}"),
        ("**Sync / raw RQ**", lambda w: f"**{_ratio(results, w):.3f}**"),
        (f"Sync wall-clock for {n} (incl. worker start-up)",
         lambda w: f"{sync[w].drain.wall_s:.1f} s ({n / sync[w].drain.wall_s:.1f}/s)"),
        ("Sync jobs run / job run time, mean (a job delivers a batch)",
         lambda w: f"{sync[w].drain.jobs} / {sync[w].drain.mean_job_ms:.1f} ms"),
        (f"Producer: commit + enqueue of the {n}, per message",
         lambda w: f"{1000 * sync[w].produce_s / n:.2f} ms"),
        ("Raw RQ wall-clock (incl. worker start-up)", lambda w: f"{raw[w].wall_s:.1f} s"),
        ("CPU per message / per no-op job (all our processes, incl. start-up)",
         lambda w: f"{sync[w].drain.cpu_ms_per_job:.1f} ms / {raw[w].cpu_ms_per_job:.2f} ms"),
        (f"Backlog commit→applied p50 / p99 (queue wait of the {n})",
         lambda w: _p50_p99(sync[w].latencies)),
        (f"**Commit→applied p50 / p99 at {args.rate} msg/s offered**",
         lambda w: f"**{_p50_p99(load[w].latencies)}**"),
        ("Offered rate achieved by the producer",
         lambda w: f"{load[w].achieved:.1f} msg/s ({len(load[w].latencies)} msgs)"),
        ("Messages needing a retry (backlog / at load)",
         lambda w: f"{sync[w].retried} / {load[w].retried}"),
        ("CPU taken by other processes meanwhile (raw / backlog / at load)",
         lambda w: f"{raw[w].others_cpu:.0%} / {sync[w].drain.others_cpu:.0%} / "
                   f"{load[w].others_cpu:.0%}"),
    ]
    journal = "WAL (what-if)" if args.sqlite_wal else "the default rollback journal"
    deployed = " (as deployed, docs/deployment.md)" if server == "gunicorn-4" else ""
    lines = [f"Trading site served by **{server}**{deployed}; SQLite in {journal}.", "",
             "| | 1 worker | 2 workers |", "|---|---:|---:|"]
    lines += [f"| {label} | {cell(1)} | {cell(2)} |" for label, cell in rows]
    return "\n".join(lines)


def _ratio(results: dict, workers: int) -> float:
    return results["sync"][workers].drain.steady_per_s / results["raw"][workers].steady_per_s


def _p50_p99(values: list[float]) -> str:
    return f"{_ms(percentile(values, 50))} / {_ms(percentile(values, 99))}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _aims(results: dict, args) -> str:
    lines = ["Aims:", ""]
    for workers in (1, 2):
        p99 = percentile(results["load"][workers].latencies, 99)
        verdict = ("met" if p99 < P99_AIM_S else
                   f"**missed** by {_ms(p99 - P99_AIM_S)} ({p99 / P99_AIM_S:.1f}× the aim)")
        lines.append(f"- p99 < 1 s at {args.rate} msg/s, {_workers(workers)}: "
                     f"{_ms(p99)} — {verdict}")
    for workers in (1, 2):
        ratio = _ratio(results, workers)
        verdict = ("met" if ratio >= RATIO_AIM else
                   f"**missed**: {ratio / RATIO_AIM:.2f} of the aim, "
                   f"{RATIO_AIM / ratio:.1f}× too slow")
        lines.append(f"- throughput ≥ 0.5 × raw RQ, {_workers(workers)}: "
                     f"{ratio:.3f} × raw — {verdict}")
    return "\n".join(lines)


def _workers(count: int) -> str:
    return f"{count} worker" + ("s" if count != 1 else "")


def _servers(tried: dict, args) -> str:
    if not tried:
        return ""
    lines = [f"Trading site server, backlog of {args.compare_messages} messages drained by "
             "2 workers:", "",
             "| Server | messages/s (steady) | job run time, mean | other processes' CPU |",
             "|---|---:|---:|---:|"]
    lines += [f"| {kind} | {run.drain.steady_per_s:.1f} | {run.drain.mean_job_ms:.1f} ms "
              f"| {run.drain.others_cpu:.0%} |" for kind, run in tried.items()]
    return "\n".join(lines)


def _detail(results: dict) -> str:
    load = results["load"]
    return "\n".join(["Latency at the offered load, more percentiles:", "",
                      "| Workers | min | p50 | p90 | p99 | max |", "|---|---:|---:|---:|---:|---:|"]
                     + [f"| {w} | {_ms(min(load[w].latencies))} | "
                        + " | ".join(_ms(percentile(load[w].latencies, q)) for q in (50, 90, 99))
                        + f" | {_ms(max(load[w].latencies))} |" for w in (1, 2)])


def update_docs(text: str) -> None:
    """Replace the text between the markers (or append them with the text)."""
    block = f"{START}\n\n{text}\n\n{END}"
    current = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if START in current and END in current:
        head, rest = current.split(START, 1)
        current = head + block + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(current)
