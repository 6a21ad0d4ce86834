"""Scheduler: incremental."""

from __future__ import annotations

from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any

import numpy as np

from .batch import _fill_order, _reason, _stats, schedule
from .bound import _Index
from .problem import (
    _PLACE_NODES,
    _REPAIR_DEPTH,
    _REPAIR_NODES,
    Assignment,
    Id,
    Problem,
    ProblemError,
    Result,
    Unscheduled,
    _is_id,
    _is_int,
    _show,
)
from .state import _State

# --------------------------------------------------------------------------- incremental


def place_one(problem: Problem, current: Result, meeting_id: Id, max_moves: int = 3) -> Result:
    """Fit one meeting into an existing schedule, moving at most ``max_moves`` other meetings."""
    ix = problem._index
    m = _lookup(ix.meeting_at, meeting_id)
    if m is None:
        raise ProblemError(f"meeting {_show(meeting_id)} is not in the problem")
    if not _is_int(max_moves) or max_moves < 0:
        raise ProblemError(f"max_moves must be a non-negative integer (got {_show(max_moves)})")
    st, rows = _state_from(ix, current)
    extra: dict[str, Any] = {"meeting": problem.meetings[m].id, "moved": []}
    if st.slot[m] >= 0:
        return _incremental_result(st, current, rows, {}, m, None, extra)
    reason = _reason(st, m)
    moved = None
    if ix.lists[m]:
        moved = st.insert(m, max_moves, _PLACE_NODES)
        if moved is None and max_moves:
            moved = st.kempe(m, max_moves)
    if moved is None:
        return _incremental_result(st, current, rows, {}, m, reason, extra)
    tables, retabled = _place_tables(st, rows, [m, *moved])
    touched = [*moved, *retabled]
    if len(touched) > max_moves:
        # Re-numbering a table counts as touching a meeting; over budget, the request waits.
        for x in [m, *moved]:
            st.unassign(x)
        for x in moved:
            st.assign(x, int(rows.slot[rows.pos(x)]))
        return _incremental_result(st, current, rows, {}, m, reason, extra)
    extra["moved"] = [problem.meetings[x].id for x in sorted(touched, key=rows.pos)]
    return _incremental_result(st, current, rows, tables, m, None, extra)


def schedule_preferring(problem: Problem, around: Result | None = None) -> Result:
    """A schedule in preferred slots where it can, then the rest wherever they still fit.

    The first pass (a batch, or `extend` ``around`` kept meetings) narrows each meeting to its
    preferred slots when one is common; meetings it leaves out then go in any common slot around
    it (`extend` again), so a preference costs a meeting only when the first pass already used
    the room it needed. The upper bound is the one without preferences.
    """
    first = schedule(problem) if around is None else extend(problem, around)
    if not any(m.preferred for m in problem.meetings):
        return first
    plain = Problem(problem.slots, problem.tables, problem.participants,
                    tuple(replace(m, preferred=()) for m in problem.meetings))
    if first.unscheduled:
        return extend(plain, first)
    return Result(first.assignments, first.unscheduled, plain._index.bound, first.stats)


def extend(problem: Problem, current: Result) -> Result:
    """Place the meetings ``current`` lacks where they fit, never moving a meeting it holds.

    For re-runs after people were told where they meet: every meeting of ``current`` keeps its
    slot and table; pending meetings go in by priority, directly or by ejection chains that move
    only other newly placed meetings. Costs at most what a batch run costs.
    """
    ix = problem._index
    st, rows = _state_from(ix, current)
    st.pinned = frozenset(int(x) for x in rows.meeting.tolist())
    st.init_demand()
    for m in st.pinned:
        st._demand(m, -1)
    added: list[int] = []
    for m in _fill_order(ix):
        if st.slot[m] < 0 and st.insert(m, _REPAIR_DEPTH, _REPAIR_NODES) is not None:
            added.append(m)
    while True:
        placed = [m for m in added if st.slot[m] >= 0]
        tables, retabled = _place_tables(st, rows, placed)
        if not retabled:
            break
        # A new host meeting wants its fixed table where a kept meeting sits: it waits instead.
        for y in retabled:
            s, held = st.slot[y], rows.source[rows.pos(y)].table
            for m in placed:
                if st.slot[m] == s and ix.mtable[m] == held:
                    st.unassign(m)
    assignments = list(current.assignments) + [
        Assignment(problem.meetings[m].id, problem.slots[st.slot[m]], tables[m]) for m in placed]
    unscheduled = [Unscheduled(problem.meetings[m].id, _reason(st, m))
                   for m, s in enumerate(st.slot) if s < 0]
    extra = {"kept": len(current.assignments), "added": len(placed)}
    return Result(assignments, unscheduled, ix.bound, _stats(st, len(assignments), ix.bound, extra))


def _lookup(table: dict[Id, int], key: object) -> Any:
    """Index of an id given as in the problem or as its string; None when unknown."""
    if not _is_id(key):
        return None
    found = table.get(key)  # type: ignore[call-overload]
    return table.get(str(key)) if found is None else found


@dataclass
class _Rows:
    """The assignments of a current result as arrays: meeting, slot and table per row."""

    meeting: np.ndarray
    slot: np.ndarray
    source: list[Assignment]  # tables are read from here only for the few slots that change

    def pos(self, m: int) -> int:
        """Row of meeting m."""
        return int(np.flatnonzero(self.meeting == m)[0])


def _state_from(ix: _Index, current: Result) -> tuple[_State, _Rows]:
    """Rebuild the search state of an existing schedule, in bulk with numpy."""
    rows = current.assignments
    try:
        # map() with attrgetter runs in C: this loop over every stored meeting dominates.
        ms = list(map(ix.meeting_at.__getitem__, map(attrgetter("meeting"), rows)))
        ss = list(map(ix.slot_at.__getitem__, map(attrgetter("slot"), rows)))
    except (KeyError, TypeError):
        # The slow path tolerates ids whose JSON type changed (1 versus "1").
        ms = [_lookup(ix.meeting_at, a.meeting) for a in rows]
        ss = [_lookup(ix.slot_at, a.slot) for a in rows]
        if None in ms or None in ss:
            raise ProblemError("current schedule names an unknown meeting or slot") from None
    n, n_slots = len(ix.avail), ix.n_slots
    mi = np.array(ms, dtype=np.intp)
    si = np.array(ss, dtype=np.intp)
    a, b = ix.ea_np[mi], ix.eb_np[mi]
    st = _State(ix)
    slot = np.full(len(ix.ea), -1, dtype=np.intp)
    slot[mi] = si
    st.slot = slot.tolist()
    st.deg = (np.bincount(a, minlength=n) + np.bincount(b, minlength=n)).tolist()
    st.count = np.bincount(si, minlength=n_slots).tolist()
    st.full = sum(1 << s for s in range(n_slots) if st.count[s] >= ix.tables[s])
    # Participant-slot cells; each may hold one meeting (checked below).
    cells = np.concatenate([a * n_slots + si, b * n_slots + si])
    st.at = _SlotLookup(st)
    if n_slots <= 64:
        occupied = np.zeros(n * n_slots, dtype=np.uint64)
        occupied[cells] = 1
        weights = np.left_shift(np.uint64(1), np.arange(n_slots, dtype=np.uint64))
        st.busy = (occupied.reshape(n, n_slots) * weights).sum(axis=1, dtype=np.uint64).tolist()
    else:
        busy = [0] * n
        for cell in cells.tolist():
            busy[cell // n_slots] |= 1 << (cell % n_slots)
        st.busy = busy
    hosts = np.nonzero(ix.mtable_np[mi])[0].tolist() if ix.host_tables else []
    for row in hosts:
        m, s = ms[row], ss[row]
        t = ix.mtable[m]
        st.tused[t] = st.tused.get(t, 0) | 1 << s
        st.holder[t * n_slots + s] = m
    _check_current(ix, st, mi, si, cells, len(hosts))
    return st, _Rows(mi, si, rows)


class _SlotLookup(dict[int, int]):
    """A state's participant-and-slot to meeting map, read from its slot list on demand."""

    # Building the full map for a large stored schedule costs more than the incremental search
    # that uses it, so lookups scan the participant's few meetings instead; writes are no-ops.

    def __init__(self, st: _State) -> None:
        super().__init__()
        self.st = st

    def __setitem__(self, key: int, value: int) -> None:
        pass

    def __delitem__(self, key: int) -> None:
        pass

    def __getitem__(self, key: int) -> int:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: int, default: Any = None) -> Any:  # type: ignore[override]
        ix = self.st.ix
        p, s = divmod(key, ix.n_slots)
        slot = self.st.slot
        for m in ix.inc[p]:
            if slot[m] == s:
                return m
        return default


def _check_current(
    ix: _Index, st: _State, mi: np.ndarray, si: np.ndarray, cells: np.ndarray, hosts: int
) -> None:
    """Refuse a current schedule that breaks the hard invariants; searching from it would too."""
    if mi.size and np.bincount(mi).max() > 1:
        raise ProblemError("current schedule lists a meeting twice")
    if cells.size and np.bincount(cells).max() > 1:
        raise ProblemError("current schedule has a participant in two meetings in one slot")
    if any(c > t for c, t in zip(st.count, ix.tables, strict=True)):
        raise ProblemError("current schedule holds more meetings in a slot than it has tables")
    if len(st.holder) != hosts:
        raise ProblemError("current schedule gives one fixed table twice in a slot")
    if ix.n_slots <= 64:
        fits = (ix.lists_np[mi] >> si.astype(np.uint64)) & np.uint64(1)
        ok = bool(fits.all())
    else:
        ok = all(ix.lists[m] >> s & 1 for m, s in zip(mi.tolist(), si.tolist(), strict=True))
    if not ok:
        raise ProblemError("current schedule has a meeting in a slot its participants lack")


def _place_tables(st: _State, rows: _Rows, touched: list[int]) -> tuple[dict[int, int], list[int]]:
    """Tables for meetings that got a new slot; untouched meetings keep theirs where possible."""
    ix = st.ix
    moving = set(touched)
    occupied: dict[int, dict[int, int]] = {}
    for s in sorted({st.slot[x] for x in touched}):
        occupied[s] = {}
        for i in np.flatnonzero(rows.slot == s).tolist():
            x, t = int(rows.meeting[i]), rows.source[i].table
            if not _is_int(t):
                raise ProblemError(f"current schedule has table {_show(t)}, not an integer")
            if x not in moving:
                occupied[s][t] = x
    tables: dict[int, int] = {}
    retabled: list[int] = []
    for x in touched:
        s = st.slot[x]
        occ = occupied[s]
        t = ix.mtable[x]
        if t:
            y = occ.get(t)
            if y is not None:
                # A meeting without a fixed table sits at the host's table: give it another.
                new = _free_table(ix, s, occ)
                occ[new] = y
                tables[y] = new
                retabled.append(y)
        else:
            t = _free_table(ix, s, occ)
        occ[t] = x
        tables[x] = t
    return tables, retabled


def _free_table(ix: _Index, s: int, occ: dict[int, int]) -> int:
    """Lowest free table in slot s, hosts' numbers last."""
    hosts = set(ix.host_tables)
    for t in range(1, ix.tables[s] + 1):
        if t not in occ and t not in hosts:
            return t
    for t in ix.host_tables:
        if t <= ix.tables[s] and t not in occ:
            return t
    raise AssertionError("slot over capacity")  # the search keeps count <= tables


def _incremental_result(
    st: _State,
    current: Result,
    rows: _Rows,
    tables: dict[int, int],
    m: int,
    reason: str | None,
    extra: dict[str, Any],
) -> Result:
    """The current result with the moved meetings updated and meeting m placed or waiting."""
    ix = st.ix
    problem = ix.problem
    assignments = list(current.assignments)
    for x, t in tables.items():
        if x == m:
            continue
        assignments[rows.pos(x)] = Assignment(problem.meetings[x].id, problem.slots[st.slot[x]], t)
    if m in tables:
        assignments.append(Assignment(problem.meetings[m].id, problem.slots[st.slot[m]], tables[m]))
    # A reason depends only on its two participants' busy slots: re-judge the waiting meetings
    # of everyone whose slots changed, and leave the rest of the (possibly long) list alone.
    people = {p for x in [m, *tables] for p in (ix.ea[x], ix.eb[x])}
    nearby = {x for p in people for x in ix.inc[p] if st.slot[x] < 0}
    judged = {}
    for x in nearby:
        judged[problem.meetings[x].id] = _reason(st, x)
    dropped = problem.meetings[m].id
    unscheduled = [
        Unscheduled(u.meeting, judged[u.meeting]) if u.meeting in judged else u
        for u in current.unscheduled
        if u.meeting != dropped
    ]
    if reason is not None:
        unscheduled.append(Unscheduled(problem.meetings[m].id, reason))
    extra["placed"] = st.slot[m] >= 0
    stats = dict(current.stats)
    stats.pop("phases", None)
    stats.update(_stats(st, len(assignments), ix.bound, extra))
    return Result(assignments, unscheduled, ix.bound, stats)


