"""Top-10 recommendations for every participant of a convening: vectorised versus a plain loop.

Run: .venv/bin/python bench/recommendations.py [--repeat 5]
Prints JSON: for 1,000 and 10,000 participants, the median time of `recommend.top_k` over every
participant, the target, whether it is met, and a plain-Python-loop baseline of the same formula
measured in the same run (on a sample of rows, scaled to all rows: the full loop at 10,000 would
take many minutes).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.matchmaking import recommend  # noqa: E402

# The shapes of the platform's vocabularies: 10 themes + 16 finer tags, 30 spoken languages.
TOPICS, LANGUAGES, DELEGATIONS = 26, 30, 193
TARGETS = {1_000: 0.050, 10_000: 2.0}
LOOP_SAMPLE = 40


def synthetic(n: int, seed: int) -> tuple[recommend.Pool, dict[str, list]]:
    """A convening's pool: 2-4 topics offered and sought, 1-3 languages, a few requests each."""
    rng = np.random.default_rng(seed)

    def picks(width: int, low: int, high: int) -> list[list[int]]:
        return [rng.choice(width, int(rng.integers(low, high + 1)), replace=False).tolist()
                for _ in range(n)]

    raw = {"offers": picks(TOPICS, 2, 4), "seeks": picks(TOPICS, 2, 4),
           "languages": picks(LANGUAGES, 1, 3),
           "delegation": rng.integers(0, DELEGATIONS, n).tolist(),
           "priority": (rng.random(n) < 0.35).tolist(), "incoming": rng.poisson(1.5, n).tolist(),
           "opted_in": (rng.random(n) < 0.95).tolist(),
           "excluded": [tuple(p) for p in rng.integers(0, n, (3 * n, 2)).tolist()]}
    pool = recommend.build_pool(raw["offers"], raw["seeks"], raw["languages"], TOPICS, LANGUAGES,
                                delegation=raw["delegation"], priority=raw["priority"],
                                incoming=raw["incoming"], opted_in=raw["opted_in"],
                                excluded=raw["excluded"])
    return pool, raw


def loop_top_k(raw: dict[str, list], i: int, k: int = 10) -> list[int]:
    """The same formula for one participant, pair by pair in plain Python."""
    offers, seeks, languages = raw["offer_sets"], raw["seek_sets"], raw["language_sets"]
    excluded = raw["excluded_set"]
    scored = []
    for j in range(len(offers)):
        if (j == i or not raw["opted_in"][j] or (i, j) in excluded or (j, i) in excluded
                or raw["delegation"][i] == raw["delegation"][j]):
            continue
        need = len(seeks[i] & offers[j]) * (1 + recommend.PRIORITY * raw["priority"][i])
        give = len(offers[i] & seeks[j]) * (1 + recommend.PRIORITY * raw["priority"][j])
        shared = len((offers[i] | seeks[i]) & (offers[j] | seeks[j]))
        relevance = recommend.W_NEED * need + recommend.W_GIVE * give + recommend.W_SHARED * shared
        if relevance > 0:
            bonus = 1 + recommend.W_LANG * bool(languages[i] & languages[j])
            scored.append((relevance * bonus / (1 + math.log1p(raw["incoming"][j])), j))
    scored.sort(reverse=True)
    return [j for _, j in scored[:k]]


def measure(n: int, repeat: int) -> dict[str, object]:
    pool, raw = synthetic(n, seed=n)
    raw["excluded_set"] = set(raw["excluded"])
    for name in ("offer", "seek", "language"):
        raw[f"{name}_sets"] = [set(x) for x in raw[f"{name}s"]]
    recommend.top_k(pool)  # warm-up: first-call allocations are not what a server pays
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        best, _scores = recommend.top_k(pool, k=10)
        times.append(time.perf_counter() - start)
    rows = np.linspace(0, n - 1, LOOP_SAMPLE).astype(int)
    start = time.perf_counter()
    for i in rows:
        loop_top_k(raw, int(i))
    loop_per_row = (time.perf_counter() - start) / len(rows)
    median = statistics.median(times)
    return {"participants": n, "median_seconds": round(median, 4),
            "min_seconds": round(min(times), 4), "target_seconds": TARGETS[n],
            "target_met": median <= TARGETS[n],
            "loop_baseline_seconds_estimated": round(loop_per_row * n, 2),
            "loop_rows_measured": len(rows),
            "speed_up": round(loop_per_row * n / median, 1),
            "rows_with_10_suggestions": int((best >= 0).all(axis=1).sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = [measure(n, args.repeat) for n in TARGETS]
    print(json.dumps({"benchmark": "matchmaking recommendations, top 10 for everyone",
                      "python": platform.python_version(), "numpy": np.__version__,
                      "results": results}, indent=2))


if __name__ == "__main__":
    main()
