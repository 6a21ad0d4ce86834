"""The meeting scheduler: invariants, guarantees, determinism, incremental placement, CLI."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.matchmaking.scheduler import (
    REASONS,
    ProblemError,
    Result,
    greedy_baseline,
    parse_problem,
    place_one,
    schedule,
    upper_bound,
    verify,
)

ROOT = Path(__file__).resolve().parents[2]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- problem generator


@st.composite
def problems(
    draw: st.DrawFn, max_slots: int = 5, max_people: int = 7, max_meetings: int = 12
) -> dict[str, Any]:
    """A random valid JSON problem, mixing int and string ids, tables and fixed tables."""
    slot_ids = draw(
        st.lists(
            st.one_of(st.integers(0, 50), st.text(alphabet="st", min_size=1, max_size=3)),
            max_size=max_slots,
            unique_by=str,
        )
    )
    if draw(st.booleans()):
        tables: int | dict[str, int] = draw(st.integers(0, 4))
    else:
        tables = {str(s): draw(st.integers(0, 4)) for s in slot_ids}
    counts = [tables] * len(slot_ids) if isinstance(tables, int) else list(tables.values())
    n_people = draw(st.integers(2, max_people))
    pids = [str(i) for i in range(n_people)]
    participants: dict[str, Any] = {}
    for pid in pids:
        spec: dict[str, Any] = {}
        if slot_ids and draw(st.booleans()):
            spec["unavailable"] = draw(st.lists(st.sampled_from(slot_ids), unique_by=str))
        if draw(st.booleans()):
            spec["priority"] = draw(st.sampled_from([0, 1, 2.5, -1]))
        participants[pid] = spec
    fixed: dict[str, int] = {}
    if max(counts, default=0) >= 1 and draw(st.booleans()):
        for pid in draw(st.lists(st.sampled_from(pids), max_size=2, unique=True)):
            fixed[pid] = draw(st.integers(1, max(counts)))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_people - 1), st.integers(0, n_people - 1)).filter(
                lambda ab: ab[0] != ab[1]
            ),
            max_size=max_meetings,
        )
    )
    meetings = []
    for i, (a, b) in enumerate(pairs):
        if fixed.get(str(a)) and fixed.get(str(b)) and fixed[str(a)] != fixed[str(b)]:
            continue  # hosts pinned to different tables cannot meet: an invalid problem
        mid: int | str = i if i % 3 else f"m{i}"
        meetings.append({"id": mid, "a": a if i % 2 else str(a), "b": str(b)})
    problem = {
        "slots": slot_ids,
        "tables": tables,
        "participants": participants,
        "meetings": meetings,
    }
    if fixed:
        problem["fixed_tables"] = fixed
    return problem


# --------------------------------------------------------------------------- independent checks


def _slot_tables(raw: dict[str, Any]) -> dict[str, int]:
    tables = raw["tables"]
    return {str(s): tables if isinstance(tables, int) else tables[str(s)] for s in raw["slots"]}


def _common_slots(raw: dict[str, Any], a: str, b: str) -> list[str]:
    """Slots where both can meet, with a table (their fixed one, if any)."""
    fixed = raw.get("fixed_tables", {})
    need = fixed.get(a) or fixed.get(b) or 1
    off = {
        p: {str(s) for s in spec.get("unavailable", [])} for p, spec in raw["participants"].items()
    }
    return [s for s, t in _slot_tables(raw).items() if t >= need and s not in off[a] | off[b]]


def assert_hard_invariants(raw: dict[str, Any], out: dict[str, Any]) -> None:
    """The invariants, re-derived here without the module's verify()."""
    tables = _slot_tables(raw)
    fixed = raw.get("fixed_tables", {})
    meetings = {str(m["id"]): (str(m["a"]), str(m["b"])) for m in raw["meetings"]}
    off = {
        p: {str(s) for s in spec.get("unavailable", [])} for p, spec in raw["participants"].items()
    }
    listed = [str(a["meeting"]) for a in out["assignments"]] + [
        str(u["meeting"]) for u in out["unscheduled"]
    ]
    assert sorted(listed) == sorted(meetings), "every meeting exactly once"
    booked: set[tuple[str, str]] = set()
    used: set[tuple[str, int]] = set()
    load: dict[str, int] = {}
    for a in out["assignments"]:
        slot, table = str(a["slot"]), a["table"]
        assert slot in tables
        assert 1 <= table <= tables[slot]
        assert (slot, table) not in used, "one meeting per table"
        used.add((slot, table))
        load[slot] = load.get(slot, 0) + 1
        for p in meetings[str(a["meeting"])]:
            assert (p, slot) not in booked, "nobody in two meetings at once"
            booked.add((p, slot))
            assert slot not in off[p], "nobody meets when unavailable"
            if p in fixed:
                assert table == fixed[p], "hosts keep their table"
    for slot, k in load.items():
        assert k <= tables[slot]
    for u in out["unscheduled"]:
        assert u["reason"] in REASONS
        a, b = meetings[str(u["meeting"])]
        assert (u["reason"] == "no_common_slot") == (not _common_slots(raw, a, b))
    assert out["upper_bound"] >= len(out["assignments"])


def brute_force_optimum(raw: dict[str, Any]) -> int:
    """Largest number of meetings any valid schedule holds, by exhaustive search."""
    tables = _slot_tables(raw)
    fixed = raw.get("fixed_tables", {})
    items = []
    for m in raw["meetings"]:
        a, b = str(m["a"]), str(m["b"])
        items.append((a, b, fixed.get(a) or fixed.get(b), _common_slots(raw, a, b)))
    best = 0

    def walk(
        i: int, placed: int, busy: set[tuple[str, str]], load: dict[str, int], pinned: set
    ) -> None:
        nonlocal best
        if placed + len(items) - i <= best:
            return
        if i == len(items):
            best = placed
            return
        a, b, table, slots = items[i]
        for s in slots:
            if (a, s) in busy or (b, s) in busy or load.get(s, 0) >= tables[s]:
                continue
            if table and (s, table) in pinned:
                continue
            busy |= {(a, s), (b, s)}
            load[s] = load.get(s, 0) + 1
            if table:
                pinned.add((s, table))
            walk(i + 1, placed + 1, busy, load, pinned)
            busy -= {(a, s), (b, s)}
            load[s] -= 1
            pinned.discard((s, table))
        walk(i + 1, placed, busy, load, pinned)

    walk(0, 0, set(), {}, set())
    return best


# --------------------------------------------------------------------------- properties


@FAST
@given(problems())
def test_batch_schedule_keeps_every_invariant_and_guarantee(raw: dict[str, Any]) -> None:
    problem = parse_problem(raw)
    result = schedule(problem)
    assert verify(problem, result) == []
    out = result.to_json()
    assert_hard_invariants(raw, out)
    assert json.loads(json.dumps(out)) == out


@FAST
@given(problems(max_slots=3, max_people=5, max_meetings=7))
def test_upper_bound_is_at_least_the_true_optimum(raw: dict[str, Any]) -> None:
    problem = parse_problem(raw)
    scheduled = len(schedule(problem).assignments)
    optimum = brute_force_optimum(raw)
    assert scheduled <= optimum <= upper_bound(problem)


@FAST
@given(problems())
def test_schedule_is_deterministic(raw: dict[str, Any]) -> None:
    first = json.dumps(schedule(parse_problem(raw)).to_json())
    second = json.dumps(schedule(parse_problem(json.loads(json.dumps(raw)))).to_json())
    assert first == second


@FAST
@given(problems())
def test_greedy_baseline_keeps_the_hard_invariants(raw: dict[str, Any]) -> None:
    problem = parse_problem(raw)
    result = greedy_baseline(problem)
    assert verify(problem, result, guarantees=False) == []
    assert_hard_invariants(raw, result.to_json())


@FAST
@given(problems(), st.integers(0, 3), st.integers(1, 3))
def test_place_one_moves_at_most_max_moves(raw: dict[str, Any], max_moves: int, late: int) -> None:
    late = min(late, len(raw["meetings"]))
    early = dict(raw, meetings=raw["meetings"][: len(raw["meetings"]) - late])
    problem = parse_problem(raw)
    current = schedule(parse_problem(early))
    for meeting in raw["meetings"][len(raw["meetings"]) - late :]:
        before = {str(a.meeting): a for a in current.assignments}
        result = place_one(problem, current, meeting["id"], max_moves=max_moves)
        moved = result.stats["moved"]
        assert len(moved) <= max_moves
        after = {str(a.meeting): a for a in result.assignments}
        changed = [k for k, a in before.items() if after[k] != a]
        assert sorted(changed) == sorted(str(x) for x in moved)
        key = str(meeting["id"])
        waiting = [u for u in result.unscheduled if str(u.meeting) == key]
        assert (key in after) != bool(waiting)
        assert result.stats["placed"] == (key in after)
        current = result
    assert verify(problem, current, guarantees=False) == []
    assert_hard_invariants(raw, current.to_json())


# --------------------------------------------------------------------------- guarantees


def _meetings_of(result: Result, raw: dict[str, Any]) -> dict[str, int]:
    ends = {str(m["id"]): (str(m["a"]), str(m["b"])) for m in raw["meetings"]}
    count = dict.fromkeys(raw["participants"], 0)
    for a in result.assignments:
        for p in ends[str(a.meeting)]:
            count[p] += 1
    return count


@pytest.mark.parametrize("order", [[0, 1, 2], [1, 0, 2], [1, 2, 0]])
def test_everyone_gets_a_meeting_before_anyone_gets_a_second(order: list[int]) -> None:
    # Two tables in all: {a-b, c-d} covers everyone, while a-c would leave b or d out.
    meetings = [
        {"id": 1, "a": "a", "b": "c"},
        {"id": 2, "a": "a", "b": "b"},
        {"id": 3, "a": "c", "b": "d"},
    ]
    raw = {
        "slots": ["s1", "s2"],
        "tables": 1,
        "participants": {p: {} for p in "abcd"},
        "meetings": [meetings[i] for i in order],
    }
    result = schedule(parse_problem(raw))
    assert all(k >= 1 for k in _meetings_of(result, raw).values())
    assert {u.meeting for u in result.unscheduled} == {1}


def test_coverage_reaches_a_star_centre_partners_first() -> None:
    # The hub could fill every slot with the first partners listed; coverage forbids it.
    raw = {
        "slots": ["s1", "s2", "s3"],
        "tables": 1,
        "participants": {p: {} for p in ["hub", "x", "y", "z", "w", "v"]},
        "meetings": [
            {"id": 1, "a": "hub", "b": "x"},
            {"id": 2, "a": "hub", "b": "y"},
            {"id": 3, "a": "hub", "b": "z"},
            {"id": 4, "a": "w", "b": "v"},
        ],
    }
    result = schedule(parse_problem(raw))
    count = _meetings_of(result, raw)
    # Three tables for four meetings: w and v must not be the ones left out.
    assert count["w"] == count["v"] == 1
    assert sum(1 for k in count.values() if k == 0) == 1


def test_priority_participants_are_served_first_when_tables_are_short() -> None:
    raw = {
        "slots": ["s1"],
        "tables": 1,
        "participants": {"a": {}, "b": {}, "c": {"priority": 5}, "d": {}},
        "meetings": [{"id": 1, "a": "a", "b": "b"}, {"id": 2, "a": "c", "b": "d"}],
    }
    result = schedule(parse_problem(raw))
    assert [a.meeting for a in result.assignments] == [2]
    assert [(u.meeting, u.reason) for u in result.unscheduled] == [(1, "tables_full")]


def test_every_short_table_goes_to_a_priority_participant() -> None:
    vips = [f"v{i}" for i in range(10)]
    people: dict[str, Any] = {v: {"priority": 2} for v in vips}
    people |= {f"n{j}": {} for j in range(30)}
    meetings = [{"id": f"n{j}-n{j + 1}", "a": f"n{j}", "b": f"n{j + 1}"} for j in range(29)]
    for i, v in enumerate(vips):
        meetings += [{"id": f"{v}-{k}", "a": v, "b": f"n{k}"} for k in (i, i + 10)]
    raw = {"slots": ["s1", "s2", "s3"], "tables": 2, "participants": people, "meetings": meetings}
    problem = parse_problem(raw)
    result = schedule(problem)
    assert verify(problem, result) == []
    # Six tables in all, each taken by a meeting of a different priority participant.
    assert len(result.assignments) == 6
    hosts = {str(a.meeting).split("-")[0] for a in result.assignments}
    assert len(hosts) == 6 and hosts <= set(vips)


def test_priority_decides_second_meetings_once_everyone_is_covered() -> None:
    # Four tables: two cover everyone, the other two go to the priority participant's meetings.
    people = {p: {} for p in "abcd"}
    people["a"] = {"priority": 1}
    raw = {
        "slots": ["s1", "s2", "s3"],
        "tables": {"s1": 2, "s2": 1, "s3": 1},
        "participants": people,
        "meetings": [
            {"id": "bc", "a": "b", "b": "c"},
            {"id": "bd", "a": "b", "b": "d"},
            {"id": "cd", "a": "c", "b": "d"},
            {"id": "ab", "a": "a", "b": "b"},
            {"id": "ac", "a": "a", "b": "c"},
            {"id": "ad", "a": "a", "b": "d"},
        ],
    }
    result = schedule(parse_problem(raw))
    count = _meetings_of(result, raw)
    assert count["a"] == 3
    assert all(count[p] >= 1 for p in "bcd")


def test_fixed_tables_are_honoured_and_other_meetings_avoid_them() -> None:
    raw = {
        "slots": ["s1", "s2"],
        "tables": {"s1": 3, "s2": 1},
        "participants": {p: {} for p in ["host", "a", "b", "c", "d"]},
        "fixed_tables": {"host": 2},
        "meetings": [
            {"id": 1, "a": "host", "b": "a"},
            {"id": 2, "a": "host", "b": "b"},
            {"id": 3, "a": "c", "b": "d"},
        ],
    }
    problem = parse_problem(raw)
    result = schedule(problem)
    assert verify(problem, result) == []
    tables = {a.meeting: (a.slot, a.table) for a in result.assignments}
    # s2 has one table, fewer than the host's number 2: the host can only meet in s1.
    assert tables[1] == ("s1", 2)
    assert tables[3][1] != 2
    assert [(u.meeting, u.reason) for u in result.unscheduled] == [(2, "conflicts")]


def test_reasons_name_the_obstacle() -> None:
    raw = {
        "slots": ["s1", "s2"],
        "tables": {"s1": 1, "s2": 0},
        "participants": {"a": {"unavailable": ["s1"]}, "b": {}, "c": {}, "d": {}, "e": {}},
        "meetings": [
            {"id": "never", "a": "a", "b": "b"},
            {"id": "first", "a": "b", "b": "c"},
            {"id": "clash", "a": "b", "b": "d"},
            {"id": "full", "a": "d", "b": "e"},
        ],
    }
    result = schedule(parse_problem(raw))
    reasons = {u.meeting: u.reason for u in result.unscheduled}
    assert reasons["never"] == "no_common_slot"
    assert len(result.assignments) == 1
    assert set(reasons.values()) <= set(REASONS)


def test_many_slots_use_the_big_integer_path() -> None:
    slots = [f"s{i}" for i in range(70)]
    people = {str(i): {"unavailable": slots[i : i + 60]} for i in range(12)}
    meetings = [
        {"id": n, "a": str(a), "b": str(b)}
        for n, (a, b) in enumerate(itertools.combinations(range(12), 2))
    ]
    raw = {"slots": slots, "tables": 2, "participants": people, "meetings": meetings}
    problem = parse_problem(raw)
    result = schedule(problem)
    assert verify(problem, result) == []
    assert_hard_invariants(raw, result.to_json())
    assert len(result.assignments) <= upper_bound(problem)


# --------------------------------------------------------------------------- incremental API


def _small() -> dict[str, Any]:
    return {
        "slots": [1, 2, 3],
        "tables": 2,
        "participants": {p: {} for p in "abcde"},
        "meetings": [
            {"id": 1, "a": "a", "b": "b"},
            {"id": 2, "a": "a", "b": "c"},
            {"id": 3, "a": "b", "b": "c"},
        ],
    }


def test_place_one_puts_a_new_request_into_the_schedule() -> None:
    raw = _small()
    current = schedule(parse_problem(raw))
    raw["meetings"].append({"id": 4, "a": "d", "b": "e"})
    problem = parse_problem(raw)
    result = place_one(problem, current, 4)
    assert result.stats["placed"] is True
    assert result.stats["moved"] == []
    assert verify(problem, result) == []
    again = place_one(problem, result, "4")
    assert again.to_json()["assignments"] == result.to_json()["assignments"]


def test_place_one_moves_a_meeting_to_make_room() -> None:
    # a-b sits in the only slot that a-c can use; a-b can move to s2.
    raw = {
        "slots": ["s1", "s2"],
        "tables": 5,
        "participants": {"a": {}, "b": {}, "c": {"unavailable": ["s2"]}},
        "meetings": [{"id": "ab", "a": "a", "b": "b"}],
    }
    current = Result.from_json(
        {
            "assignments": [{"meeting": "ab", "slot": "s1", "table": 1}],
            "unscheduled": [],
            "upper_bound": 1,
        }
    )
    raw["meetings"].append({"id": "ac", "a": "a", "b": "c"})
    problem = parse_problem(raw)
    assert place_one(problem, current, "ac", max_moves=0).stats["placed"] is False
    waiting = place_one(problem, current, "ac", max_moves=0).unscheduled
    assert [(u.meeting, u.reason) for u in waiting] == [("ac", "conflicts")]
    result = place_one(problem, current, "ac", max_moves=1)
    assert result.stats["moved"] == ["ab"]
    assert {a.meeting: a.slot for a in result.assignments} == {"ab": "s2", "ac": "s1"}
    assert verify(problem, result, guarantees=False) == []


def test_place_one_refuses_unknown_meetings_and_broken_schedules() -> None:
    problem = parse_problem(_small())
    current = schedule(problem)
    with pytest.raises(ProblemError, match="not in the problem"):
        place_one(problem, current, 99)
    clash = Result.from_json(
        {
            "assignments": [
                {"meeting": 1, "slot": 1, "table": 1},
                {"meeting": 2, "slot": 1, "table": 2},
            ],
            "unscheduled": [],
            "upper_bound": 3,
        }
    )
    with pytest.raises(ProblemError, match="two meetings in one slot"):
        place_one(problem, clash, 3)


def test_verify_reports_broken_invariants() -> None:
    problem = parse_problem(_small())
    bad = Result.from_json(
        {
            "assignments": [
                {"meeting": 1, "slot": 1, "table": 1},
                {"meeting": 2, "slot": 1, "table": 1},
            ],
            "unscheduled": [{"meeting": 3, "reason": "tables_full"}],
            "upper_bound": 1,
        }
    )
    errors = verify(problem, bad)
    assert any("two meetings in slot" in e for e in errors)
    assert any("two meetings at table" in e for e in errors)
    assert any("upper bound" in e for e in errors)
    assert all("\n" not in e for e in errors)


def test_verify_reports_a_coverage_or_priority_the_schedule_missed() -> None:
    raw = {
        "slots": ["s1"],
        "tables": 1,
        "participants": {"a": {}, "b": {}, "c": {"priority": 5}, "d": {}},
        "meetings": [{"id": 1, "a": "a", "b": "b"}, {"id": 2, "a": "c", "b": "d"}],
    }
    problem = parse_problem(raw)
    wrong = Result.from_json(
        {
            "assignments": [{"meeting": 1, "slot": "s1", "table": 1}],
            "unscheduled": [{"meeting": 2, "reason": "tables_full"}],
            "upper_bound": 1,
        }
    )
    errors = verify(problem, wrong)
    assert any("could be covered" in e for e in errors)
    assert verify(problem, wrong, guarantees=False) == []
    raw["tables"] = 2
    idle = Result.from_json(
        {
            "assignments": [{"meeting": 2, "slot": "s1", "table": 1}],
            "unscheduled": [{"meeting": 1, "reason": "tables_full"}],
            "upper_bound": 2,
        }
    )
    assert any("fits in slot" in e for e in verify(parse_problem(raw), idle))


# --------------------------------------------------------------------------- command line


def _run(stdin: bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "app.matchmaking.scheduler"],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=60,
    )


def test_command_schedules_a_valid_problem_the_same_way_every_time() -> None:
    raw = _small()
    raw["participants"]["c"] = {"unavailable": [1], "priority": 1}
    first = _run(json.dumps(raw).encode(), PYTHONHASHSEED="1")
    second = _run(json.dumps(raw).encode(), PYTHONHASHSEED="2")
    assert first.returncode == 0, first.stderr
    assert first.stderr == b""
    assert first.stdout == second.stdout
    out = json.loads(first.stdout)
    assert_hard_invariants(raw, out)
    assert verify(parse_problem(raw), Result.from_json(out)) == []


def _invalid(**change: Any) -> bytes:
    raw = _small()
    raw.update(change)
    return json.dumps(raw).encode()


INVALID = {
    "unknown participant": _invalid(meetings=[{"id": 1, "a": "a", "b": "zz"}]),
    "unknown slot": _invalid(participants={"a": {"unavailable": [9]}, "b": {}}),
    "unknown slot in tables": _invalid(tables={"1": 1, "2": 1, "3": 1, "4": 1}),
    "duplicate meeting id": _invalid(
        meetings=[{"id": 1, "a": "a", "b": "b"}, {"id": "1", "a": "a", "b": "c"}]
    ),
    "meeting with oneself": _invalid(meetings=[{"id": 1, "a": "a", "b": "a"}]),
    "negative tables": _invalid(tables=-1),
    "negative tables in a slot": _invalid(tables={"1": 1, "2": -3, "3": 1}),
    "malformed json": b'{"slots": [1, 2',
    "not utf-8": b"\xff\xfe\x00{",
    "not an object": b"[1, 2, 3]",
    "tables as text": _invalid(tables="3"),
    "meetings not a list": _invalid(meetings={"id": 1}),
    "priority as text": _invalid(participants={"a": {"priority": "high"}}),
    "boolean id": _invalid(meetings=[{"id": True, "a": "a", "b": "b"}]),
    "missing key": json.dumps({"slots": [], "tables": 1, "participants": {}}).encode(),
    "unknown key": _invalid(extra=1),
    "fixed tables clash": _invalid(fixed_tables={"a": 1, "b": 2}),
    "fixed table too large": _invalid(fixed_tables={"a": 3}),
}


@pytest.mark.parametrize("stdin", INVALID.values(), ids=INVALID.keys())
def test_command_rejects_an_invalid_problem_with_status_2_and_one_line(stdin: bytes) -> None:
    done = _run(stdin)
    assert done.returncode == 2
    assert done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("invalid problem: ")


@pytest.mark.parametrize("stdin", INVALID.values(), ids=INVALID.keys())
def test_parse_problem_raises_a_one_line_problem_error(stdin: bytes) -> None:
    try:
        obj = json.loads(stdin)
    except ValueError:
        return  # not JSON at all: the command's concern, covered above
    with pytest.raises(ProblemError) as caught:
        parse_problem(obj)
    assert "\n" not in str(caught.value)
