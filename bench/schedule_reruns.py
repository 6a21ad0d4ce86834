"""What keeping told meetings in place and honouring preferred slots cost the scheduler.

Run: ``.venv/bin/python bench/schedule_reruns.py [--repeat 3]`` (prints JSON). On the 1,000-person /
5,000-request / 16-slot instance family (`--tables 150` for short tables):
- re-run: 90 % of the requests are accepted and planned first; then the last 10 % arrive. The
  organisers' normal re-run (`scheduler.extend`, nobody moves) is compared with a full batch
  (the best schedule, which moves told meetings): meetings held and time, medians of the runs.
- preferences: half the requests name two preferred slots; the batch honouring them where it can
  is compared with the batch ignoring them (the same problem otherwise), and we count how many
  placed meetings sit in a preferred slot.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.matchmaking.scheduler import (  # noqa: E402
    Result,
    extend,
    parse_problem,
    schedule,
    schedule_preferring,
)
from bench.matchmaking import make_problem  # noqa: E402


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tables", type=int, default=None,
                        help="tables per slot (default: never limiting)")
    args = parser.parse_args()
    reruns, prefs = [], []
    for seed in range(1, args.repeat + 1):
        raw = make_problem(1000, 5000, args.tables, seed)
        early = dict(raw, meetings=raw["meetings"][:4500])
        first = schedule(parse_problem(early))
        full = parse_problem(raw)
        kept = Result(first.assignments, [], 0)
        t_keep, keep = timed(lambda full=full, kept=kept: extend(full, kept))
        t_batch, batch = timed(lambda full=full: schedule(full))
        before = {a.meeting: (a.slot, a.table) for a in first.assignments}
        after = {a.meeting: (a.slot, a.table) for a in batch.assignments}
        reruns.append({
            "seed": seed, "bound": batch.upper_bound, "held_before": len(first.assignments),
            "keep_held": len(keep.assignments), "keep_seconds": round(t_keep, 3),
            "batch_held": len(batch.assignments), "batch_seconds": round(t_batch, 3),
            "batch_moves_told_meetings": sum(1 for m, v in before.items() if after.get(m) != v),
        })
        rng = np.random.default_rng(seed)
        slots = raw["slots"]
        wanted = dict(raw, meetings=[
            m | ({"preferred": [slots[i] for i in rng.choice(len(slots), 2, replace=False)]}
                 if rng.random() < 0.5 else {}) for m in raw["meetings"]])
        t_pref, honoured = timed(lambda wanted=wanted: schedule_preferring(parse_problem(wanted)))
        preferred = {m["id"]: set(m["preferred"]) for m in wanted["meetings"] if "preferred" in m}
        in_pref = sum(1 for a in honoured.assignments if a.meeting in preferred
                      and a.slot in preferred[a.meeting])
        plain_in_pref = sum(1 for a in batch.assignments if a.meeting in preferred
                            and a.slot in preferred[a.meeting])
        prefs.append({
            "seed": seed, "with_preferences_held": len(honoured.assignments),
            "without_preferences_held": len(batch.assignments),
            "placed_with_a_preference": sum(1 for a in honoured.assignments if a.meeting in preferred),
            "in_a_preferred_slot": in_pref, "in_a_preferred_slot_if_ignored": plain_in_pref,
            "seconds": round(t_pref, 3),
        })

    def median(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    print(json.dumps({
        "instance": f"1000 people, 5000 requests, 16 slots, tables {args.tables or 'not limiting'}; "
                    f"seeds 1..{args.repeat}",
        "rerun": {"runs": reruns, "median": {k: median(reruns, k) for k in reruns[0] if k != "seed"},
                  "keep_vs_batch_held_ratio": round(median(reruns, "keep_held")
                                                    / median(reruns, "batch_held"), 4)},
        "preferences": {"runs": prefs,
                        "median": {k: median(prefs, k) for k in prefs[0] if k != "seed"},
                        "held_ratio": round(median(prefs, "with_preferences_held")
                                            / median(prefs, "without_preferences_held"), 4)},
    }, indent=1))


if __name__ == "__main__":
    main()
