"""results.json → table.md (printed too) and scaling.png.

python bench/report.py            # re-render from bench/results/results.json
python bench/report.py funder     # bench/results/funder.json → funder.md
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import machine  # noqa: E402

# Kept here as well as in run.py so the report renders without running anything.
TARGETS = {  # scenario: (headline N, ratio limit, target text, memory limit MB)
    "status": (10_000, 1.5, "≤ 1.5×", None),
    "sync": (100_000, 3.0, "≤ 3×, ≤ 300 MB", 300),
    "import": (100_000, 3.0, "≤ 3×, ≤ 300 MB", 300),
    "import-rows": (100_000, None, "none (for comparison)", None),
    "check": (100_000, 3.0, "≤ 3×, ≤ 300 MB", 300),
    "digest": (10_000, 2.0, "≤ 2×", None),
    "flow": (10_000, 1.3, "≤ +30%", None),
    "funder-check": (100_000, 3.0, "≤ 3×, ≤ 500 MB, ≤ 100,000 B", 500),
    "funder-digest": (100_000, 2.0, "≤ 2×, ≤ 100,000 B", None),
    "status-table": (100_000, 2.0, "≤ 2× json, ≤ json's memory", None),
    "history-table": (100_000, 2.0, "≤ 2× json, ≤ json's memory", None),
}
#: Scenarios whose memory target is the floor's own peak, not a number of MB.
MEMORY_AT_MOST_FLOOR = ("status-table", "history-table")
FUNDER = ("funder-check", "funder-digest")
MESSAGE_LIMIT = 100_000
FLOORS = {
    "status": "SQLAlchemy reads N rows of a 12-column table and prints them as JSON",
    "sync": "the driver reads N rows and inserts N rows in one transaction (sqlite3 / psycopg)",
    "import": "the csv module reads grants.csv and the driver inserts N rows in one transaction",
    "import-rows": "the csv module reads grants.csv and the driver writes the rows a first sync"
    " writes (milestones, dependencies, an event each) into the monitor's own schema, in one"
    " transaction",
    "check": "the driver reads N rows and inserts N rows in one transaction (sqlite3 / psycopg)",
    "digest": "smtplib sends the same R messages (captured bytes) over one connection",
    "flow": "a no-op Prefect flow in its own process, same Prefect server",
    "funder-check": "the check floor, then smtplib sends the same messages (captured bytes)"
    " over one connection, in one process",
    "funder-digest": "smtplib sends the same R messages (captured bytes) over one connection",
    "status-table": "`status --format json` of the same database (the monitor's own reading"
    " and evaluation; the table adds only its formatting)",
    "history-table": "`history --format json` of the same database (the monitor's own reading"
    " of the 2N events; the table adds only its formatting)",
}
ORDER = list(TARGETS)


def _median(samples: list[dict]) -> float | None:
    return statistics.median(s["seconds"] for s in samples) if samples else None


def _peak(samples: list[dict]) -> float | None:
    return max(s["max_rss_mb"] for s in samples) if samples else None


def rows(results: list[dict]) -> list[dict]:
    out = []
    for r in results:
        m, f = _median(r["monitor"]), _median(r["floor"])
        mem = _peak(r["monitor"])
        n_head, limit, text, mem_limit = TARGETS[r["scenario"]]
        ratio = m / f if m and f else None
        met = None
        if ratio is not None and r["ok"] and limit is not None:
            met = ratio <= limit and (mem_limit is None or mem <= mem_limit)
            if r["scenario"] in MEMORY_AT_MOST_FLOOR:
                met = met and mem <= _peak(r["floor"])
            largest = r.get("stats", {}).get("largest_message_bytes")
            if largest is not None:
                met = met and largest <= MESSAGE_LIMIT
        out.append(
            {
                **r,
                "t": m,
                "floor_t": f,
                "ratio": ratio,
                "mem": mem,
                "floor_mem": _peak(r["floor"]),
                "headline": r["n"] == n_head,
                "target": text,
                "limit": limit,
                "met": met,
            }
        )
    out.sort(key=lambda x: (ORDER.index(x["scenario"]), x["backend"] != "sqlite", x["n"]))
    return out


def _fmt(x: float | None, unit: str = "s", digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}{unit}"


def _verdict(row: dict) -> str:
    if row["limit"] is None and row["ok"]:
        return "— (no target)"
    if row["met"] is None:
        return row["note"].strip() or "no result"
    return "**yes**" if row["met"] else "**NO**"


def headline_table(rs: list[dict]) -> str:
    lines = [
        "| scenario | backend | N | R | runs | measured (median) | floor (median) | ratio "
        "| target | met? | peak RSS monitor / floor |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|---|--:|",
    ]
    for r in rs:
        if not r["headline"]:
            continue
        lines.append(
            f"| {r['scenario']} | {r['backend']} | {r['n']:,} | {r['r']:,} | {r['k']} "
            f"| {_fmt(r['t'])} | {_fmt(r['floor_t'])} | {_fmt(r['ratio'], '×')} "
            f"| {r['target']} | {_verdict(r)} "
            f"| {_fmt(r['mem'], ' MB', 0)} / {_fmt(r['floor_mem'], ' MB', 0)} |"
        )
    return "\n".join(lines)


def linear_fit(points: list[tuple[int, float]]) -> tuple[float, float, float] | None:
    """t = a + b·N by least squares; returns (a, b, worst relative residual)."""
    if len(points) < 3:
        return None
    ns, ts = [p[0] for p in points], [p[1] for p in points]
    mean_n, mean_t = statistics.fmean(ns), statistics.fmean(ts)
    b = sum((n - mean_n) * (t - mean_t) for n, t in points) / sum((n - mean_n) ** 2 for n in ns)
    a = mean_t - b * mean_n
    worst = max(abs(a + b * n - t) / t for n, t in points)
    return a, b, worst


def sweep_table(rs: list[dict]) -> str:
    lines = [
        "| scenario | backend | "
        + " | ".join(f"N={n:,}" for n in (100, 1_000, 10_000, 100_000))
        + " | fixed cost a | per 1,000 milestones b | worst residual | growth 10k→100k |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    keys = sorted(
        {(r["scenario"], r["backend"]) for r in rs if r["scenario"] not in FUNDER},
        key=lambda k: (ORDER.index(k[0]), k[1] != "sqlite"),
    )
    for scenario, backend in keys:
        for side, label in (("t", scenario), ("floor_t", "  floor")):
            by_n = {
                r["n"]: r[side]
                for r in rs
                if (r["scenario"], r["backend"]) == (scenario, backend) and r[side] is not None
            }
            cells = [
                _fmt(by_n.get(n), "s", 3 if (by_n.get(n) or 1) < 1 else 2)
                for n in (100, 1_000, 10_000, 100_000)
            ]
            fit = linear_fit(sorted(by_n.items()))
            fixed = _fmt(fit[0]) if fit else "—"
            per_k = _fmt(fit[1] * 1000, "s", 3) if fit else "—"
            resid = f"{fit[2]:.0%}" if fit else "—"
            growth = (
                f"×{by_n[100_000] / by_n[10_000]:.1f}"
                if 10_000 in by_n and 100_000 in by_n
                else "—"
            )
            lines.append(
                f"| {label} | {backend} | "
                + " | ".join(cells)
                + f" | {fixed} | {per_k} | {resid} | {growth} |"
            )
    return "\n".join(lines)


def _mb(x: int | None) -> str:
    return "—" if x is None else f"{x / 1e6:,.1f} MB"


def funder_table(rs: list[dict]) -> str:
    """The funder's runs: time against floor, memory, and what each run left behind."""
    lines = [
        "| scenario | backend | N | R | runs | measured (median) | floor (median) | ratio "
        "| peak RSS monitor / floor | messages | largest message | ledger rows written "
        "| transitions written | database growth (before) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rs:
        if r["scenario"] not in FUNDER:
            continue
        st = r.get("stats", {})
        largest = st.get("largest_message_bytes")
        big = "—" if largest is None else f"{largest:,} B"
        lines.append(
            f"| {r['scenario']} | {r['backend']} | {r['n']:,} | {r['r']:,} | {r['k']} "
            f"| {_fmt(r['t'])} | {_fmt(r['floor_t'])} | {_fmt(r['ratio'], '×')} "
            f"| {_fmt(r['mem'], ' MB', 0)} / {_fmt(r['floor_mem'], ' MB', 0)} "
            f"| {st.get('messages', '—'):,} | {big} "
            f"| {st.get('deliveries_rows_written', '—'):,} "
            f"| {st.get('transitions_rows_written', '—'):,} "
            f"| {_mb(st.get('db_growth_bytes'))} ({_mb(st.get('db_before_bytes'))}) |"
        )
    return "\n".join(lines)


def plot(rs: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = [s for s in ORDER if s not in FUNDER and any(r["scenario"] == s for r in rs)]
    if not scenarios:
        return
    fig, axes = plt.subplots(1, len(scenarios), figsize=(4.2 * len(scenarios), 4.2), squeeze=False)
    colours = {"sqlite": "tab:blue", "postgresql": "tab:orange"}
    for ax, scenario in zip(axes[0], scenarios, strict=True):
        for backend, colour in colours.items():
            pts = sorted(
                (r["n"], r["t"], r["floor_t"])
                for r in rs
                if r["scenario"] == scenario and r["backend"] == backend and r["t"]
            )
            if not pts:
                continue
            ns = [p[0] for p in pts]
            ax.plot(ns, [p[1] for p in pts], "o-", color=colour, label=f"{backend}")
            fl = [(p[0], p[2]) for p in pts if p[2]]
            if fl:
                ax.plot(
                    [p[0] for p in fl],
                    [p[1] for p in fl],
                    "s--",
                    color=colour,
                    alpha=0.6,
                    label=f"{backend} floor",
                )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(scenario)
        ax.set_xlabel("milestones N")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("wall time per process, s (median)")
    fig.suptitle("ukjp-monitor: time against N (solid) and the floor for the same work (dashed)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results_dir: Path, name: str = "results") -> str:
    """``name``.json → table.md and scaling.png (``results``), or ``name``.md (others)."""
    data = json.loads((results_dir / f"{name}.json").read_text())
    rs = rows(data["results"])
    present = {r["scenario"] for r in rs}
    parts = [
        f"Machine: {machine.markdown(data['machine'])}. Measured {data['finished']}, "
        f"every command as of {data['as_of']}.",
        "### Against the floor (headline sizes)",
        headline_table(rs),
        "Floors: " + "; ".join(f"**{k}**: {v}" for k, v in FLOORS.items() if k in present) + ".",
    ]
    if present - set(FUNDER):
        parts += [
            "### Growth in N (median wall time per process; fit t = a + b·N over the points)",
            sweep_table(rs),
        ]
    if present & set(FUNDER):
        parts += [
            "### A funder's size (every row; ledger rows, transitions and growth from one run)",
            funder_table(rs),
        ]
    text = "\n\n".join(parts) + "\n"
    notes = [
        f"- {r['scenario']}/{r['backend']}/N={r['n']:,}: {r['note'].strip()}"
        for r in rs
        if r["note"].strip()
    ]
    if notes:
        text += "\nNotes:\n\n" + "\n".join(notes) + "\n"
    if name == "results":
        (results_dir / "table.md").write_text(text)
        plot(rs, results_dir / "scaling.png")
    else:
        (results_dir / f"{name}.md").write_text(text)
    print(text)
    return text


if __name__ == "__main__":
    write(HERE / "results", sys.argv[1] if len(sys.argv) > 1 else "results")
