"""Deterministic synthetic portfolios for the benchmark.

    python bench/generate.py OUT_DIR --milestones 10000 --recipients 1000 [--seed 2026]

writes OUT_DIR/milestones.yaml and OUT_DIR/monitor.yaml: N milestones spread
over ~24 workstreams in every target form (day, month, quarter in both
spellings, half in both spellings, year, FY, explicit window in both
spellings, TBC), with acyclic dependencies (each milestone may depend only on
milestones generated before it), some completed, some with a lead_days
override; and R recipients, each following 1–3 workstreams or all of them.

With --owners (a funder's grant holders, DESIGN §12) each milestone's owner
is one of R grant holders instead ("Grant holder 1" … "Grant holder R"), and
recipient j is grant holder j following only their own grants (`owners:`),
so the R recipients are R distinct audiences. Everything else (ids, titles,
targets, dependencies) is the same as without --owners; without it the
files are byte for byte what they always were.

With --csv the same milestones go to OUT_DIR/grants.csv, as a grants
system would export them (an explicit window written ``start..end``,
dependencies separated by semicolons), and milestones.yaml imports it
(``milestones: {file: grants.csv}``).

The same (N, R, seed) always gives byte-identical files, so every run of the
benchmark (and both backends) measure the same work. Dates spread over
2025–2028 around the benchmark's as-of date (AS_OF), so every status occurs.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

AS_OF = date(2026, 11, 24)  # the benchmark evaluates every command as of this day
WORKSTREAMS = 24
SEED = 2026

_TOPICS = [
    "quantum",
    "life-sciences",
    "connectivity",
    "space",
    "governance",
    "ai",
    "semiconductors",
    "fusion",
    "clean-energy",
    "biotech",
    "materials",
    "robotics",
    "climate",
    "oceans",
    "health-data",
    "genomics",
    "agritech",
    "cyber",
    "telecoms",
    "photonics",
    "batteries",
    "hydrogen",
    "nuclear",
    "mobility",
    "defence-science",
    "education",
    "skills",
    "infrastructure",
    "water",
    "finance",
]
_VERBS = [
    "Grant awarded for",
    "Interim report on",
    "Final report on",
    "Workshop on",
    "Pilot of",
    "Review of",
    "Data release for",
    "Launch of",
    "Procurement of",
    "Field trial of",
]
_OBJECTS = [
    "sensor network",
    "screening programme",
    "testbed",
    "fellowship cohort",
    "joint call",
    "consortium agreement",
    "prototype",
    "open dataset",
    "training course",
    "feasibility study",
    "demonstrator",
    "roadmap",
]


def workstream_ids(count: int = WORKSTREAMS) -> list[str]:
    return [_TOPICS[i] if i < len(_TOPICS) else f"stream-{i}" for i in range(count)]


def _target(rng: random.Random, form: int) -> str | None:
    """One target in the given form (0..11); None means TBC."""
    year = rng.choice([2025, 2026, 2026, 2027, 2027, 2028])
    if form == 0:  # day
        day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        return day.isoformat()
    if form == 1:  # month
        return f"{year}-{rng.randint(1, 12):02d}"
    if form == 2:  # quarter, ISO spelling
        return f"{year}-Q{rng.randint(1, 4)}"
    if form == 3:  # quarter, spoken spelling
        return f"Q{rng.randint(1, 4)} {year}"
    if form == 4:  # half, ISO spelling
        return f"{year}-H{rng.randint(1, 2)}"
    if form == 5:  # half, spoken spelling
        return f"H{rng.randint(1, 2)} {year}"
    if form == 6:  # year
        return str(year)
    if form == 7:  # financial year
        return f"FY{year}"
    if form in (8, 9):  # explicit window, both spellings
        start = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        end = start + timedelta(days=rng.randint(7, 200))
        if form == 8:
            return f"{{from: {start.isoformat()}, to: {end.isoformat()}}}"
        return f"{start.isoformat()}..{end.isoformat()}"
    return None  # 10, 11: TBC (about 1 in 6)


_NOTE = "Synthetic note spanning more than one line of YAML so the folded form is exercised too."


def portfolio(
    n: int, seed: int = SEED, workstreams: int = WORKSTREAMS, holders: int | None = None
) -> Iterator[dict]:
    """The N milestones as plain data, in the order written; ``holders=R``
    makes every owner one of R grant holders."""
    rng = random.Random(seed)
    ws = workstream_ids(workstreams)
    for i in range(n):
        form = i % 12  # every form in equal measure, TBC as forms 10 and 11
        m = {"id": f"m{i:06d}-{ws[i % len(ws)]}", "target": _target(rng, form)}
        m["title"] = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {i}"
        m["workstream"] = ws[i % len(ws)]
        # The same draw either way, so the rest of the portfolio stays the same.
        owner = rng.randrange(1, 5000)
        if holders is not None:
            owner = owner % holders + 1
        m["owner"] = f"Grant holder {owner}"
        # Dependencies only point backwards, so the graph is acyclic by construction.
        if i >= 5 and rng.random() < 0.3:
            deps = sorted({rng.randrange(max(0, i - 200), i) for _ in range(rng.randint(1, 2))})
            m["depends_on"] = [f"m{d:06d}-{ws[d % len(ws)]}" for d in deps]
        if rng.random() < 0.05:
            m["lead_days"] = rng.choice([7, 14, 60, 90])
        if rng.random() < 0.1:
            m["completed_on"] = (AS_OF - timedelta(days=rng.randrange(1, 400))).isoformat()
        if rng.random() < 0.02:
            m["notes"] = _NOTE
        yield m


def _programme(ws: list[str]) -> list[str]:
    out = [
        "# Synthetic portfolio generated by bench/generate.py; do not edit.",
        "programme:",
        "  name: Synthetic Research Funder Portfolio",
        "  timezone: Europe/London",
        "  source: https://example.org/portfolio",
        "workstreams:",
    ]
    for w in ws:
        out += [f"  - id: {w}", f"    name: {w.replace('-', ' ').capitalize()}"]
    return out


def milestones_yaml(
    n: int, seed: int = SEED, workstreams: int = WORKSTREAMS, holders: int | None = None
) -> str:
    """The milestones file; ``holders=R`` makes every owner one of R grant holders."""
    out = [*_programme(workstream_ids(workstreams)), "milestones:"]
    for m in portfolio(n, seed, workstreams, holders):
        target = m["target"]
        out += [
            f"  - id: {m['id']}",
            f"    title: {m['title']}",
            f"    workstream: {m['workstream']}",
            f"    target: {target if target is not None else 'TBC'}",
            f"    owner: {m['owner']}",
        ]
        if "depends_on" in m:
            out.append(f"    depends_on: [{', '.join(m['depends_on'])}]")
        if "lead_days" in m:
            out.append(f"    lead_days: {m['lead_days']}")
        if "completed_on" in m:
            out.append(f"    completed_on: {m['completed_on']}")
        if "notes" in m:
            out.append("    notes: >-")
            out.append("      Synthetic note spanning more than one line of YAML so the")
            out.append("      folded form is exercised too.")
    return "\n".join(out) + "\n"


#: The columns of the CSV export of the same portfolio (README: a funder's portfolio).
CSV_COLUMNS = ("id", "title", "workstream", "target", "owner", "depends_on", "lead_days")
CSV_COLUMNS += ("completed_on", "notes")


def write_grants_csv(path: Path, n: int, seed: int = SEED, workstreams: int = WORKSTREAMS) -> None:
    """The same N milestones as a grants system's CSV export, one row each."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for m in portfolio(n, seed, workstreams):
            target = m["target"]
            if target is not None and target.startswith("{from: "):
                # A cell holds no mapping: the same window in its other spelling.
                start, end = target[7:17], target[23:33]
                target = f"{start}..{end}"
            m["target"] = target if target is not None else "TBC"
            m["depends_on"] = ";".join(m.get("depends_on", []))
            writer.writerow([m.get(c, "") for c in CSV_COLUMNS])


def csv_milestones_yaml(workstreams: int = WORKSTREAMS) -> str:
    return (
        "\n".join([*_programme(workstream_ids(workstreams)), "milestones:", "  file: grants.csv"])
        + "\n"
    )


def monitor_yaml(r: int, seed: int = SEED, workstreams: int = WORKSTREAMS) -> str:
    rng = random.Random(seed + 1)
    ws = workstream_ids(workstreams)
    out = [
        "# Synthetic monitor settings generated by bench/generate.py; do not edit.",
        "lead_days: 30",
        "schedules:",
        '  check: "0 7 * * mon-fri"',
        '  digest: "0 8 * * mon"',
        "mail:",
        '  from: "Portfolio Monitor <monitor@example.org>"',
        '  subject_prefix: "[Portfolio]"',
        "recipients:",
    ]
    for j in range(r):
        out += [f"  - email: person{j:05d}@example.org", f"    name: Person {j}"]
        if j % 20 == 0:  # 5% follow everything
            out.append("    workstreams: all")
        else:
            follows = rng.sample(ws, rng.randint(1, 3))
            out.append(f"    workstreams: [{', '.join(follows)}]")
    return "\n".join(out) + "\n"


def holders_monitor_yaml(r: int) -> str:
    """R grant holders, each following only the milestones they own."""
    out = [
        "# Synthetic monitor settings generated by bench/generate.py --owners; do not edit.",
        "lead_days: 30",
        "schedules:",
        '  check: "0 7 * * mon-fri"',
        '  digest: "0 8 * * mon"',
        "mail:",
        '  from: "Portfolio Monitor <monitor@example.org>"',
        '  subject_prefix: "[Portfolio]"',
        "recipients:",
    ]
    for j in range(1, r + 1):
        out += [
            f"  - email: holder{j:05d}@example.org",
            f"    name: Grant holder {j}",
            f"    owners: [Grant holder {j}]",
        ]
    return "\n".join(out) + "\n"


def write_config(
    out_dir: Path, n: int, r: int, seed: int = SEED, *, owners: bool = False, csv: bool = False
) -> Path:
    """Write the two files (skipped when already there with the same content).

    ``owners``: R grant holders who each follow their own milestones (see --owners).
    ``csv``: the milestones as grants.csv, which milestones.yaml imports (see --csv).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if csv:
        table = out_dir / "grants.csv"
        if not table.exists():
            write_grants_csv(table, n, seed)
        (out_dir / "milestones.yaml").write_text(csv_milestones_yaml())
        (out_dir / "monitor.yaml").write_text(monitor_yaml(r, seed))
        return out_dir
    files = (
        (
            ("milestones.yaml", milestones_yaml(n, seed, holders=r)),
            ("monitor.yaml", holders_monitor_yaml(r)),
        )
        if owners
        else (
            ("milestones.yaml", milestones_yaml(n, seed)),
            ("monitor.yaml", monitor_yaml(r, seed)),
        )
    )
    for name, text in files:
        path = out_dir / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--milestones", "-n", type=int, required=True)
    parser.add_argument("--recipients", "-r", type=int, default=1)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--owners",
        action="store_true",
        help="recipients are R grant holders, each following their own milestones (owners:)",
    )
    parser.add_argument(
        "--csv",
        action="store_true",
        help="the same milestones as grants.csv, which milestones.yaml imports",
    )
    args = parser.parse_args()
    write_config(
        args.out_dir, args.milestones, args.recipients, args.seed, owners=args.owners, csv=args.csv
    )
    kind = "grant holders following their own" if args.owners else "recipients"
    print(f"{args.out_dir}: {args.milestones} milestones, {args.recipients} {kind}")


if __name__ == "__main__":
    main()
