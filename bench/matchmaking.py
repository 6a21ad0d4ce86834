"""Benchmark of the meeting scheduler: seeded instances, an independent check, one JSON report.

Run: ``.venv/bin/python bench/matchmaking.py [--repeat 5] [--quick]`` from the project root.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.matchmaking.scheduler import (  # noqa: E402
    greedy_baseline,
    parse_problem,
    place_one,
    schedule,
    upper_bound,
)

SCENARIOS: dict[str, dict[str, Any]] = {
    "1k_people_5k_requests_free_tables": {
        "people": 1000,
        "requests": 5000,
        "tables": None,
        "seed": 1,
    },
    "1k_people_5k_requests_150_tables": {
        "people": 1000,
        "requests": 5000,
        "tables": 150,
        "seed": 2,
    },
    "5k_people_30k_requests_free_tables": {
        "people": 5000,
        "requests": 30000,
        "tables": None,
        "seed": 3,
    },
}
TARGETS = {
    "1k_people_5k_requests_free_tables": {"seconds": 1.0, "ratio_to_bound": 0.985},
    "1k_people_5k_requests_150_tables": {"seconds": 1.0, "scheduled": 2400},
    "5k_people_30k_requests_free_tables": {"seconds": 3.0, "ratio_to_bound": 0.96},
    "place_one": {"seconds": 0.010},
}


def make_problem(
    people: int,
    requests: int,
    tables: int | None,
    seed: int,
    *,
    slots: int = 16,
    unavailable: float = 0.2,
    per_person: int = 15,
    priority_share: float = 0.05,
) -> dict[str, Any]:
    """A random problem: distinct pairs, at most ``per_person`` each, random unavailability."""
    rng = np.random.default_rng(seed)
    slot_ids = [f"s{i:02d}" for i in range(slots)]
    off = rng.random((people, slots)) < unavailable
    vip = rng.random(people) < priority_share
    participants = {
        f"p{i}": {
            "unavailable": [slot_ids[s] for s in np.nonzero(off[i])[0]],
            "priority": 1 if vip[i] else 0,
        }
        for i in range(people)
    }
    degree = [0] * people
    pairs: set[tuple[int, int]] = set()
    meetings: list[dict[str, Any]] = []
    while len(meetings) < requests:
        for a, b in rng.integers(0, people, size=(2 * requests, 2)).tolist():
            if len(meetings) == requests:
                break
            key = (min(a, b), max(a, b))
            if a == b or key in pairs or degree[a] >= per_person or degree[b] >= per_person:
                continue
            pairs.add(key)
            degree[a] += 1
            degree[b] += 1
            meetings.append({"id": len(meetings) + 1, "a": f"p{a}", "b": f"p{b}"})
    # "Not limiting": every participant could meet in every slot at once.
    count = people // 2 if tables is None else tables
    return {"slots": slot_ids, "tables": count, "participants": participants, "meetings": meetings}


def independent_check(problem: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """Check a JSON result against a JSON problem without the scheduler's own verify()."""
    slots = [str(s) for s in problem["slots"]]
    tables = problem["tables"]
    per_slot = {s: tables if isinstance(tables, int) else tables[s] for s in slots}
    off = {
        p: {str(s) for s in spec.get("unavailable", [])}
        for p, spec in problem["participants"].items()
    }
    meetings = {str(m["id"]): (str(m["a"]), str(m["b"])) for m in problem["meetings"]}
    errors: list[str] = []
    seen: set[str] = set()
    busy: set[tuple[str, str]] = set()
    used: set[tuple[str, int]] = set()
    load = dict.fromkeys(slots, 0)
    covered: set[str] = set()
    for a in result["assignments"]:
        key, slot, table = str(a["meeting"]), str(a["slot"]), a["table"]
        if key not in meetings or key in seen or slot not in per_slot:
            errors.append(f"bad assignment {a}")
            continue
        seen.add(key)
        load[slot] += 1
        if not 1 <= table <= per_slot[slot] or (slot, table) in used:
            errors.append(f"bad table {a}")
        used.add((slot, table))
        for p in meetings[key]:
            if (p, slot) in busy or slot in off[p]:
                errors.append(f"participant {p} double-booked or unavailable in {slot}")
            busy.add((p, slot))
            covered.add(p)
    errors += [f"slot {s} over capacity" for s, k in load.items() if k > per_slot[s]]
    waiting = {str(u["meeting"]) for u in result["unscheduled"]}
    if waiting & seen or (waiting | seen) != set(meetings):
        errors.append("meetings missing or listed twice")
    schedulable: set[str] = set()
    for a, b in meetings.values():
        if any(s not in off[a] and s not in off[b] and per_slot[s] > 0 for s in slots):
            schedulable |= {a, b}
    return {
        "errors": errors[:5],
        "scheduled": len(seen),
        "uncovered": len(schedulable - covered),
    }


def _median_run(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` runs, and the last run's value."""
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def run_batch(name: str, spec: dict[str, Any], repeat: int) -> dict[str, Any]:
    """Time schedule() and greedy_baseline() on one scenario; both include parsing the JSON."""
    raw = make_problem(spec["people"], spec["requests"], spec["tables"], seed=spec["seed"])
    seconds, result = _median_run(lambda: schedule(parse_problem(raw)), repeat)
    base_seconds, base = _median_run(lambda: greedy_baseline(parse_problem(raw)), repeat)
    parse_seconds, _ = _median_run(lambda: parse_problem(raw), repeat)
    out, base_out = result.to_json(), base.to_json()
    check, base_check = independent_check(raw, out), independent_check(raw, base_out)
    bound = result.upper_bound
    same = json.dumps(out, sort_keys=True) == json.dumps(
        schedule(parse_problem(raw)).to_json(), sort_keys=True
    )
    return {
        "people": spec["people"],
        "requests": spec["requests"],
        "tables_per_slot": spec["tables"] or "not limiting",
        "seed": spec["seed"],
        "seconds_median": round(seconds, 4),
        "seconds_parse_only": round(parse_seconds, 4),
        "scheduled": check["scheduled"],
        "upper_bound": bound,
        "ratio_to_bound": round(check["scheduled"] / bound, 4) if bound else 1.0,
        "uncovered_participants": check["uncovered"],
        "errors": check["errors"],
        "deterministic": same,
        "baseline": {
            "seconds_median": round(base_seconds, 4),
            "scheduled": base_check["scheduled"],
            "ratio_to_bound": round(base_check["scheduled"] / bound, 4) if bound else 1.0,
            "uncovered_participants": base_check["uncovered"],
            "errors": base_check["errors"],
        },
        "ratio_vs_baseline": round(check["scheduled"] / max(base_check["scheduled"], 1), 4),
        "target": TARGETS[name],
    }


def run_place_one(people: int, requests: int, repeat: int, late: int = 50) -> dict[str, Any]:
    """Schedule all but ``late`` requests, then place the late ones one at a time."""
    raw = make_problem(people, requests, None, seed=7)
    early = dict(raw, meetings=raw["meetings"][:-late])
    current = schedule(parse_problem(early))
    # A long-lived Problem: its index and upper bound are built once, before timing.
    problem = parse_problem(raw)
    upper_bound(problem)
    warm: list[float] = []
    fresh: list[float] = []
    placed = moves = 0
    for meeting in raw["meetings"][-late:]:
        mid, before = meeting["id"], current
        seconds, _ = _median_run(lambda m=mid, c=before: place_one(problem, c, m), repeat)
        warm.append(seconds)
        # A Problem parsed for this request alone (as a web request would): index and bound too.
        new = parse_problem(raw)
        start = time.perf_counter()
        place_one(new, before, mid)
        fresh.append(time.perf_counter() - start)
        current = place_one(problem, before, mid)
        placed += current.stats["placed"]
        moves += len(current.stats["moved"])
    check = independent_check(raw, current.to_json())
    parse_seconds, _ = _median_run(lambda: parse_problem(raw), repeat)
    return {
        "people": people,
        "requests": requests,
        "late_requests": late,
        "seconds_median": round(statistics.median(warm), 5),
        "seconds_p90": round(sorted(warm)[int(0.9 * len(warm))], 5),
        "seconds_max": round(max(warm), 5),
        "seconds_median_fresh_problem": round(statistics.median(fresh), 5),
        "seconds_parse_problem": round(parse_seconds, 4),
        "placed": placed,
        "meetings_moved": moves,
        "errors": check["errors"],
        "target": TARGETS["place_one"],
    }


def recommendation_figures() -> dict[str, Any]:
    """Hook for the recommendation engine's figures, to be filled in when it exists."""
    return {}


def main() -> None:
    """Run every scenario and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "repeat": args.repeat,
        "scenarios": {},
    }
    for name, spec in SCENARIOS.items():
        if not args.only or args.only in name:
            report["scenarios"][name] = run_batch(name, spec, args.repeat)
    if not args.only or args.only in "place_one":
        report["scenarios"]["place_one"] = {
            "1k_people_5k_requests": run_place_one(1000, 5000, args.repeat),
            "5k_people_30k_requests": run_place_one(5000, 30000, args.repeat),
        }
    report["recommendations"] = recommendation_figures()
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
