"""Bilateral-meeting scheduler: place accepted meeting requests into time slots and tables.

Pure Python plus numpy, no Flask or database, deterministic for the same input.
The algorithm, its guarantees and the measured figures are in docs/scheduler.md.
Command line: ``python -m app.matchmaking.scheduler < problem.json > result.json``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from operator import attrgetter
from typing import Any

import numpy as np

Id = str | int

REASONS = ("no_common_slot", "tables_full", "conflicts")

_TOP_KEYS = ("slots", "tables", "participants", "meetings", "fixed_tables")
_PARTICIPANT_KEYS = ("unavailable", "priority")
_MEETING_KEYS = ("id", "a", "b")
_MEETING_OPTIONAL = ("preferred",)

# Effort of the batch repair: longest ejection chain and search-tree nodes per meeting.
# Tuned with bench/matchmaking.py; node counts (not clocks) keep the result deterministic.
_REPAIR_DEPTH = 3
_REPAIR_NODES = 20
_REPAIR_PASSES = 4
_SWAP_DEPTH = 2
_SWAP_NODES = 10
_SWAP_LEVELS = 3
_SWAP_BUDGET = 100
_KEMPE_LENGTH = 64
# Incremental placement may search harder: it is one meeting, and moves are capped by the caller.
_PLACE_NODES = 150


class ProblemError(ValueError):
    """An invalid scheduling problem; the message is a single line."""


# --------------------------------------------------------------------------- public data types


@dataclass(frozen=True)
class Participant:
    """A participant: slots they cannot meet in, their priority and an optional fixed table."""

    pid: str
    unavailable: tuple[Id, ...] = ()
    priority: float = 0
    fixed_table: int | None = None


@dataclass(frozen=True)
class Meeting:
    """An accepted request: one bilateral meeting between participants ``a`` and ``b``."""

    id: Id
    a: str
    b: str
    preferred: tuple[Id, ...] = ()  # slots the requester asked for; honoured where possible


@dataclass(frozen=True)
class Problem:
    """A scheduling problem; ``tables[i]`` is the number of tables in ``slots[i]``."""

    slots: tuple[Id, ...]
    tables: tuple[int, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]

    def __post_init__(self) -> None:
        _check_problem(self)

    @cached_property
    def _index(self) -> _Index:
        return _Index(self)

    def to_json(self) -> dict[str, Any]:
        """The problem in the command's input format."""
        fixed = {p.pid: p.fixed_table for p in self.participants if p.fixed_table}
        out: dict[str, Any] = {
            "slots": list(self.slots),
            "tables": {str(s): t for s, t in zip(self.slots, self.tables, strict=True)},
            "participants": {
                p.pid: {"unavailable": list(p.unavailable), "priority": p.priority}
                for p in self.participants
            },
            "meetings": [{"id": m.id, "a": m.a, "b": m.b}
                         | ({"preferred": list(m.preferred)} if m.preferred else {})
                         for m in self.meetings],
        }
        if fixed:
            out["fixed_tables"] = fixed
        return out


@dataclass(frozen=True)
class Assignment:
    """A scheduled meeting: its slot and its 1-based table."""

    meeting: Id
    slot: Id
    table: int


@dataclass(frozen=True)
class Unscheduled:
    """A meeting left waiting, and why (one of ``REASONS``)."""

    meeting: Id
    reason: str


@dataclass
class Result:
    """A schedule: assignments, meetings left waiting, the upper bound and statistics."""

    assignments: list[Assignment]
    unscheduled: list[Unscheduled]
    upper_bound: int
    stats: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The result in the command's output format."""
        return {
            "assignments": [
                {"meeting": a.meeting, "slot": a.slot, "table": a.table} for a in self.assignments
            ],
            "unscheduled": [{"meeting": u.meeting, "reason": u.reason} for u in self.unscheduled],
            "upper_bound": self.upper_bound,
            "stats": self.stats,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Result:
        """Rebuild a result from its JSON form (e.g. a stored schedule)."""
        try:
            return cls(
                [Assignment(a["meeting"], a["slot"], a["table"]) for a in obj["assignments"]],
                [Unscheduled(u["meeting"], u["reason"]) for u in obj["unscheduled"]],
                int(obj["upper_bound"]),
                dict(obj.get("stats", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ProblemError(f"malformed result: {_one_line(exc)}") from exc


# --------------------------------------------------------------------------- parsing


def _one_line(value: object) -> str:
    """The text of ``value`` on one line."""
    return " ".join(str(value).split())


def _show(value: object) -> str:
    """A short JSON rendering of a value for messages."""
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_id(value: object) -> bool:
    """True for a string or integer id."""
    # bool is an int subclass, but true/false are never meant as identifiers.
    return isinstance(value, str | int) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    """True for an integer that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _need(cond: bool, template: str, *values: object) -> None:
    """Raise ProblemError unless ``cond``; the message is only built on failure (hot loops)."""
    if not cond:
        raise ProblemError(template.format(*(_show(v) for v in values)))


def parse_problem(obj: Any) -> Problem:
    """Validate a JSON problem and build a Problem; raise ProblemError with a one-line reason."""
    _need(isinstance(obj, dict), "the problem must be a JSON object")
    for key in obj:
        _need(key in _TOP_KEYS, "unknown key {} in the problem", key)
    for key in _TOP_KEYS[:4]:
        _need(key in obj, "missing key {}", key)
    slots = _parse_slots(obj["slots"])
    by_name = {str(s): s for s in slots}
    tables = _parse_tables(obj["tables"], slots)
    fixed = _parse_fixed(obj.get("fixed_tables", {}), obj["participants"])
    participants = _parse_participants(obj["participants"], by_name, fixed)
    meetings = _parse_meetings(obj["meetings"])
    return Problem(slots, tables, participants, meetings)


def _parse_slots(raw: Any) -> tuple[Id, ...]:
    """The slot ids."""
    _need(isinstance(raw, list), "slots must be a list")
    for s in raw:
        _need(_is_id(s), "slot id {} must be a string or an integer", s)
    return tuple(raw)


def _parse_tables(raw: Any, slots: tuple[Id, ...]) -> tuple[int, ...]:
    """Tables per slot, in slot order."""
    if _is_int(raw):
        _need(raw >= 0, "tables must not be negative (got {})", raw)
        return (raw,) * len(slots)
    _need(isinstance(raw, dict), "tables must be an integer or an object of slot to integer")
    names = {str(s) for s in slots}
    for key, value in raw.items():
        _need(key in names, "tables names unknown slot {}", key)
        _need(_is_int(value), "tables of slot {} must be an integer", key)
        _need(value >= 0, "tables of slot {} must not be negative (got {})", key, value)
    for s in slots:
        _need(str(s) in raw, "tables has no entry for slot {}", s)
    return tuple(raw[str(s)] for s in slots)


def _parse_fixed(raw: Any, participants: Any) -> dict[str, int]:
    """Fixed table per participant id."""
    _need(isinstance(raw, dict), "fixed_tables must be an object of participant to table")
    for pid, table in raw.items():
        known = isinstance(participants, dict) and pid in participants
        _need(known, "fixed_tables names unknown participant {}", pid)
        _need(_is_int(table), "fixed table of participant {} must be an integer", pid)
    return dict(raw)


def _parse_participants(
    raw: Any, by_name: dict[str, Id], fixed: dict[str, int]
) -> tuple[Participant, ...]:
    """The participants, with their unavailable slots in slot order."""
    _need(isinstance(raw, dict), "participants must be an object of participant id to object")
    out = []
    for pid, spec in raw.items():
        _need(isinstance(spec, dict), "participant {} must be an object", pid)
        for key in spec:
            _need(key in _PARTICIPANT_KEYS, "unknown key {} for participant {}", key, pid)
        unavailable = spec.get("unavailable", [])
        _need(isinstance(unavailable, list), "unavailable of participant {} must be a list", pid)
        for s in unavailable:
            _need(_is_id(s) and str(s) in by_name, "participant {}: unknown slot {}", pid, s)
        priority = spec.get("priority", 0)
        number = isinstance(priority, int | float) and not isinstance(priority, bool)
        _need(number, "priority of participant {} must be a number", pid)
        # Slot ids are kept in the problem's slot order so that output never depends on hashing.
        names = {str(s) for s in unavailable}
        ordered = tuple(s for name, s in by_name.items() if name in names) if names else ()
        out.append(Participant(pid, ordered, priority, fixed.get(pid)))
    return tuple(out)


def _parse_meetings(raw: Any) -> tuple[Meeting, ...]:
    """The meetings, with participant ids as strings."""
    _need(isinstance(raw, list), "meetings must be a list")
    out = []
    for item in raw:
        _need(isinstance(item, dict), "meeting {} must be an object", item)
        _need(
            all(k in item for k in _MEETING_KEYS)
            and all(k in _MEETING_KEYS or k in _MEETING_OPTIONAL for k in item),
            "meeting {} must have id, a and b (and optionally preferred)",
            item,
        )
        mid, a, b = item["id"], item["a"], item["b"]
        _need(
            _is_id(mid) and _is_id(a) and _is_id(b),
            "meeting {}: ids must be strings or integers",
            item,
        )
        preferred = item.get("preferred", [])
        _need(isinstance(preferred, list) and all(_is_id(x) for x in preferred),
              "meeting {}: preferred must be a list of slot ids", item)
        out.append(Meeting(mid, str(a), str(b), tuple(preferred)))
    return tuple(out)


def _check_problem(p: Problem) -> None:
    """Cross-check a problem's references; also guards Problems built without parse_problem."""
    _need(len(p.tables) == len(p.slots), "tables must give one count per slot")
    slot_names: set[str] = set()
    for s in p.slots:
        _need(_is_id(s), "slot id {} must be a string or an integer", s)
        _need(str(s) not in slot_names, "duplicate slot id {}", s)
        slot_names.add(str(s))
    for t in p.tables:
        _need(_is_int(t) and t >= 0, "tables must be non-negative integers (got {})", t)
    most = max(p.tables, default=0)
    fixed: dict[str, int | None] = {}
    for part in p.participants:
        pid = part.pid
        _need(isinstance(pid, str), "participant id {} must be a string", pid)
        _need(pid not in fixed, "duplicate participant {}", pid)
        fixed[pid] = part.fixed_table
        for s in part.unavailable:
            _need(str(s) in slot_names, "participant {}: unknown slot {}", pid, s)
        prio = part.priority
        number = isinstance(prio, int | float) and not isinstance(prio, bool)
        _need(number and math.isfinite(prio), "priority of {} must be a finite number", pid)
        t = part.fixed_table
        if t is not None:
            _need(_is_int(t) and t >= 1, "fixed table of participant {} must be 1 or more", pid)
            _need(t <= most, "fixed table {} of participant {} exceeds every slot's tables", t, pid)
    ids: set[str] = set()
    for m in p.meetings:
        key = str(m.id)
        _need(_is_id(m.id), "meeting id {} must be a string or an integer", m.id)
        _need(key not in ids, "duplicate meeting id {}", m.id)
        ids.add(key)
        _need(m.a in fixed, "meeting {}: unknown participant {}", m.id, m.a)
        _need(m.b in fixed, "meeting {}: unknown participant {}", m.id, m.b)
        _need(m.a != m.b, "meeting {}: a participant cannot meet themselves", m.id)
        for slot in m.preferred:
            _need(str(slot) in slot_names, "meeting {}: unknown preferred slot {}", m.id, slot)
        ta, tb = fixed[m.a], fixed[m.b]
        clash = bool(ta and tb and ta != tb)
        _need(not clash, "meeting {} joins participants fixed to tables {} and {}", m.id, ta, tb)


# --------------------------------------------------------------------------- integer view


def _bits(mask: int) -> Iterator[int]:
    """Indices of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Index:
    """Integer view of a problem: indices for everything, sets of slots as int bitmasks."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.n_slots = n_slots = len(problem.slots)
        self.tables = list(problem.tables)
        self.slot_at: dict[Id, int] = {}
        for s, slot in enumerate(problem.slots):
            self.slot_at[slot] = s
            self.slot_at[str(slot)] = s
        self.pid_at = {p.pid: i for i, p in enumerate(problem.participants)}
        # Meetings are found by their id as given or by str(id); parse rejects ids that collide.
        self.meeting_at: dict[Id, int] = {}
        for i, m in enumerate(problem.meetings):
            self.meeting_at[m.id] = i
            self.meeting_at[str(m.id)] = i
        self.ea = [self.pid_at[m.a] for m in problem.meetings]
        self.eb = [self.pid_at[m.b] for m in problem.meetings]
        self.prio = [float(p.priority) for p in problem.participants]
        self.ptable = [p.fixed_table or 0 for p in problem.participants]
        self.mtable = [
            self.ptable[a] or self.ptable[b] for a, b in zip(self.ea, self.eb, strict=True)
        ]
        self.mprio = [
            max(self.prio[a], self.prio[b]) for a, b in zip(self.ea, self.eb, strict=True)
        ]
        self.host_tables = sorted({t for t in self.ptable if t})
        self.avail = [self._avail(p) for p in problem.participants]
        self.lists = self._lists()
        self.inc: list[list[int]] = [[] for _ in problem.participants]
        for m, (a, b) in enumerate(zip(self.ea, self.eb, strict=True)):
            self.inc[a].append(m)
            self.inc[b].append(m)
        self.all_slots = (1 << n_slots) - 1

    def _avail(self, p: Participant) -> int:
        """Slots in which p can meet: available, with a table, and with p's fixed table."""
        need = p.fixed_table or 1
        mask = 0
        for s, t in enumerate(self.tables):
            if t >= need:
                mask |= 1 << s
        for slot in p.unavailable:
            mask &= ~(1 << self.slot_at[slot])
        return mask

    def _lists(self) -> list[int]:
        """Common slots of each meeting, narrowed to its preferred slots where one is common.

        numpy does it in one pass when a slot set fits 64 bits. A preference that no common
        slot meets is dropped rather than leaving the meeting out.
        """
        if self.n_slots <= 64 and self.ea:
            avail = np.array(self.avail, dtype=np.uint64)
            lists = (avail[self.ea_np] & avail[self.eb_np]).tolist()
        else:
            lists = [self.avail[a] & self.avail[b] for a, b in zip(self.ea, self.eb, strict=True)]
        for m, meeting in enumerate(self.problem.meetings):
            if meeting.preferred:
                wanted = sum(1 << self.slot_at[slot] for slot in meeting.preferred)
                if lists[m] & wanted:
                    lists[m] &= wanted
        return lists

    @cached_property
    def mtable_np(self) -> np.ndarray:
        """Fixed table per meeting (0 for none) as an array."""
        return np.array(self.mtable, dtype=np.int64)

    @cached_property
    def lists_np(self) -> np.ndarray:
        """Common slots per meeting as uint64 (only when slots fit 64 bits)."""
        return np.array(self.lists, dtype=np.uint64)

    @cached_property
    def ea_np(self) -> np.ndarray:
        """First participant per meeting as an array."""
        return np.array(self.ea, dtype=np.intp)

    @cached_property
    def eb_np(self) -> np.ndarray:
        """Second participant per meeting as an array."""
        return np.array(self.eb, dtype=np.intp)

    @cached_property
    def schedulable(self) -> list[int]:
        """Meetings with at least one common slot, in input order."""
        return [m for m, mask in enumerate(self.lists) if mask]

    @cached_property
    def n_sched(self) -> list[int]:
        """Per participant, the number of their meetings that have a common slot."""
        counts = [0] * len(self.avail)
        for m in self.schedulable:
            counts[self.ea[m]] += 1
            counts[self.eb[m]] += 1
        return counts

    @cached_property
    def lowest_priority(self) -> float:
        """The lowest meeting priority (a meeting's is the higher of its two participants')."""
        return min(self.mprio, default=0.0)

    @cached_property
    def bound(self) -> int:
        """The upper bound, computed once per problem."""
        return _upper_bound(self)

    def other(self, m: int, p: int) -> int:
        """The participant of meeting m who is not p."""
        return self.eb[m] if self.ea[m] == p else self.ea[m]


# --------------------------------------------------------------------------- upper bound


def upper_bound(problem: Problem) -> int:
    """A number of meetings no schedule can exceed (see docs/scheduler.md for why)."""
    return problem._index.bound


def _upper_bound(ix: _Index) -> int:
    """Minimum of three valid bounds: meetings, participants' capacities, slots' capacities."""
    sched = ix.schedulable
    by_meetings = len(sched)
    by_participants = sum(_participant_cap(ix, p) for p in range(len(ix.avail))) // 2
    by_slots = _slot_bound(ix)
    return min(by_meetings, by_participants, by_slots)


def _participant_cap(ix: _Index, p: int) -> int:
    """Most meetings p can attend at once: a maximum matching of p's meetings to slots."""
    lists = sorted(ix.lists[m] for m in ix.inc[p] if ix.lists[m])
    owner: dict[int, int] = {}
    used = 0
    stuck = []
    # Greedy first (most constrained meeting, lowest slot); augmenting paths only for the rest.
    for i, mask in enumerate(lists):
        free = mask & ~used
        if free:
            low = free & -free
            used |= low
            owner[low.bit_length() - 1] = i
        else:
            stuck.append(i)
    matched = len(lists) - len(stuck)
    union = 0
    for mask in lists:
        union |= mask
    for i in stuck:
        if matched == union.bit_count():
            break
        if _augment(i, lists[i], lists, owner, 0):
            matched += 1
    return matched


def _augment(i: int, mask: int, lists: list[int], owner: dict[int, int], seen: int) -> bool:
    """Kuhn's augmenting path for meeting i; ``seen`` holds slots already on the path."""
    free = mask & ~seen
    # Prefer an unmatched slot first: most meetings match without any recursion.
    for s in _bits(free):
        if s not in owner:
            owner[s] = i
            return True
    for s in _bits(free):
        j = owner[s]
        seen |= 1 << s
        if _augment(j, lists[j], lists, owner, seen):
            owner[s] = i
            return True
    return False


def _slot_bound(ix: _Index) -> int:
    """Sum over slots of min(tables, meetings that fit there, half the participants who can meet)."""
    if not ix.schedulable or ix.n_slots == 0:
        return 0
    reach = [0] * len(ix.avail)
    for m in ix.schedulable:
        mask = ix.lists[m]
        reach[ix.ea[m]] |= mask
        reach[ix.eb[m]] |= mask
    per_meeting = _bit_matrix([ix.lists[m] for m in ix.schedulable], ix.n_slots).sum(axis=0)
    per_participant = _bit_matrix(reach, ix.n_slots).sum(axis=0)
    tables = np.array(ix.tables, dtype=np.int64)
    return int(np.minimum(np.minimum(tables, per_meeting), per_participant // 2).sum())


def _bit_matrix(masks: list[int], n_slots: int) -> np.ndarray:
    """Boolean matrix, one row per mask, one column per slot."""
    if n_slots <= 64:
        arr = np.array(masks, dtype=np.uint64).reshape(-1, 1)
        shifts = np.arange(n_slots, dtype=np.uint64)
        return ((arr >> shifts) & np.uint64(1)).astype(bool)
    # More than 64 slots do not fit a machine word: fall back to Python's big integers.
    return np.array([[(mask >> s) & 1 for s in range(n_slots)] for mask in masks], dtype=bool)


# --------------------------------------------------------------------------- schedule state


@dataclass(frozen=True)
class _Spare:
    """Per slot: the meeting whose eviction uncovers least, the cheapest that uncovers nobody."""

    # Either is -1 when there is none.

    cover: int
    cover_loss: tuple[float, ...]
    quiet: int


class _State:
    """A partial schedule with the bookkeeping the search needs, all updated in O(1)."""

    def __init__(self, ix: _Index) -> None:
        self.ix = ix
        n_slots = ix.n_slots
        self.slot = [-1] * len(ix.ea)
        self.busy = [0] * len(ix.avail)
        self.deg = [0] * len(ix.avail)
        self.at: dict[int, int] = {}  # participant * n_slots + slot -> meeting
        self.count = [0] * n_slots
        self.full = sum(1 << s for s, t in enumerate(ix.tables) if t <= 0)
        self.tused: dict[int, int] = {}  # fixed table -> slots where a meeting holds it
        self.holder: dict[int, int] = {}  # table * n_slots + slot -> meeting holding it
        # Meetings per slot, built on first use: only the rare exchanges need them; from then
        # on every change marks the slots whose summaries (see spare) must be recomputed.
        self._members: list[dict[int, None]] | None = None
        self._dirty = ix.all_slots
        self._spare: list[_Spare] = [_Spare(-1, (), -1)] * n_slots
        self.dem: list[list[int]] | None = None
        self.evicted: list[int] = []
        self._nodes = 0
        self._frozen: set[int] = set()
        self._trail: list[int] = []
        self.pinned: frozenset[int] = frozenset()  # meetings no move may touch (see extend)

    # ----- elementary moves

    def members(self, s: int) -> dict[int, None]:
        """Meetings in slot s, as an insertion-ordered dict (iteration order is deterministic)."""
        if self._members is None:
            self._members = [{} for _ in range(self.ix.n_slots)]
            for m, at in enumerate(self.slot):
                if at >= 0:
                    self._members[at][m] = None
        return self._members[s]

    def spare(self, s: int) -> _Spare:
        """The meetings of full slot s that are cheapest to evict, for coverage and priority."""
        self.members(s)
        if self._dirty >> s & 1:
            ix, deg = self.ix, self.deg
            cover, cover_key, quiet = -1, (math.inf,), -1
            for e in self.members(s):
                sole = [x for x in (ix.ea[e], ix.eb[e]) if deg[x] == 1]
                key = _levels(ix, sole)
                if key < cover_key:
                    cover, cover_key = e, key
                if not sole and (quiet < 0 or ix.mprio[e] < ix.mprio[quiet]):
                    quiet = e
            self._spare[s] = _Spare(cover, cover_key, quiet)
            self._dirty &= ~(1 << s)
        return self._spare[s]

    def assign(self, m: int, s: int) -> None:
        """Put meeting m in slot s (the caller has checked that it fits)."""
        ix = self.ix
        a, b, bit = ix.ea[m], ix.eb[m], 1 << s
        busy, deg, at, count = self.busy, self.deg, self.at, self.count
        self.slot[m] = s
        busy[a] |= bit
        busy[b] |= bit
        deg[a] += 1
        deg[b] += 1
        at[a * ix.n_slots + s] = m
        at[b * ix.n_slots + s] = m
        count[s] += 1
        if count[s] >= ix.tables[s]:
            self.full |= bit
        t = ix.mtable[m]
        if t:
            self.tused[t] = self.tused.get(t, 0) | bit
            self.holder[t * ix.n_slots + s] = m
        if self._members is not None:
            self._members[s][m] = None
            self._dirty |= busy[a] | busy[b]

    def unassign(self, m: int) -> int:
        """Take meeting m out of its slot and return that slot."""
        ix = self.ix
        s = self.slot[m]
        a, b, bit = ix.ea[m], ix.eb[m], 1 << s
        busy, deg, at = self.busy, self.deg, self.at
        self.slot[m] = -1
        busy[a] &= ~bit
        busy[b] &= ~bit
        deg[a] -= 1
        deg[b] -= 1
        del at[a * ix.n_slots + s]
        del at[b * ix.n_slots + s]
        self.count[s] -= 1
        self.full &= ~bit
        t = ix.mtable[m]
        if t:
            self.tused[t] &= ~bit
            del self.holder[t * ix.n_slots + s]
        if self._members is not None:
            del self._members[s][m]
            self._dirty |= busy[a] | busy[b] | bit
        return s

    def free_slots(self, m: int) -> int:
        """Slots where m fits right now: both free, a table left, its fixed table unused."""
        ix = self.ix
        blocked = self.busy[ix.ea[m]] | self.busy[ix.eb[m]] | self.full
        t = ix.mtable[m]
        if t:
            blocked |= self.tused.get(t, 0)
        return ix.lists[m] & ~blocked

    def best_slot(self, m: int, free: int) -> int:
        """Of the free slots, the one the two participants' other pending meetings need least."""
        if free & (free - 1) == 0:
            return free.bit_length() - 1
        count = self.count
        best, best_key = -1, -1
        if self.dem is None:
            # Without demand counts (incremental placement) fill the least-loaded slot.
            for s in _bits(free):
                if best < 0 or count[s] < best_key:
                    best, best_key = s, count[s]
            return best
        da, db = self.dem[self.ix.ea[m]], self.dem[self.ix.eb[m]]
        scale = len(self.slot) + 1
        for s in _bits(free):
            key = (da[s] + db[s]) * scale + count[s]
            if best < 0 or key < best_key:
                best, best_key = s, key
        return best

    # ----- demand: per participant and slot, pending meetings that could use the slot

    def init_demand(self) -> None:
        """Count, for every participant and slot, the unplaced meetings that could go there."""
        ix = self.ix
        dem = np.zeros((len(ix.avail), ix.n_slots), dtype=np.int64)
        if ix.schedulable:
            rows = _bit_matrix([ix.lists[m] for m in ix.schedulable], ix.n_slots).astype(np.int64)
            sched = np.array(ix.schedulable, dtype=np.intp)
            np.add.at(dem, ix.ea_np[sched], rows)
            np.add.at(dem, ix.eb_np[sched], rows)
        self.dem = dem.tolist()

    def placed(self, m: int, s: int) -> None:
        """Place m for the first time in slot s, updating demand."""
        self.assign(m, s)
        self._demand(m, -1)

    def evict(self, m: int) -> None:
        """Drop m from the schedule; it goes back to the pending pool."""
        self.unassign(m)
        self._demand(m, 1)
        self.evicted.append(m)

    def _demand(self, m: int, delta: int) -> None:
        """Add ``delta`` to the demand of m's participants for m's common slots."""
        if self.dem is None:
            return
        da, db = self.dem[self.ix.ea[m]], self.dem[self.ix.eb[m]]
        for s in _bits(self.ix.lists[m]):
            da[s] += delta
            db[s] += delta

    # ----- ejection chains

    def insert(self, m: int, depth: int, nodes: int) -> list[int] | None:
        """Place m, moving at most ``depth`` placed meetings along one chain; return those moved."""
        free = self.free_slots(m)
        if free:
            self.placed(m, self.best_slot(m, free))
            return []
        self._nodes = nodes
        self._frozen = {m}
        self._trail = []
        for limit in range(1, depth + 1):
            if self._eject(m, limit):
                self._demand(m, -1)
                return list(self._trail)
            if self._nodes <= 0:
                break
        return None

    def _eject(self, m: int, depth: int) -> bool:
        """Depth-limited search: take a slot whose only obstacle is one meeting, re-place that one."""
        free = self.free_slots(m)
        if free:
            self.assign(m, self.best_slot(m, free))
            return True
        if depth <= 0 or self._nodes <= 0:
            return False
        self._nodes -= 1
        for s, e, room in self._blockers(m):
            if depth == 1 and not room:
                break  # the rest cannot move straight away either (they are sorted)
            self.unassign(e)
            self.assign(m, s)
            self._frozen.add(e)
            self._trail.append(e)
            if self._eject(e, depth - 1):
                return True
            self._trail.pop()
            self._frozen.discard(e)
            self.unassign(m)
            self.assign(e, s)
            if self._nodes <= 0:
                return False
        return False

    # ----- Kempe chains

    def kempe(self, m: int, limit: int) -> list[int] | None:
        """Place m by swapping two slots along an alternating path; return the meetings moved."""
        ix = self.ix
        lst = ix.lists[m]
        for u, v in ((ix.ea[m], ix.eb[m]), (ix.eb[m], ix.ea[m])):
            free_v = lst & ~self.busy[v]
            # alpha: u is free there but v is not; swapping alpha and beta along v's path frees v.
            for alpha in _bits(lst & ~self.busy[u] & self.busy[v]):
                for beta in _bits(free_v):
                    path = self._kempe_path(m, u, v, alpha, beta, limit)
                    if path is not None:
                        self._swap(path, alpha, beta)
                        self.assign(m, alpha)
                        self._demand(m, -1)
                        return path
        return None

    def _kempe_path(
        self, m: int, u: int, v: int, alpha: int, beta: int, limit: int
    ) -> list[int] | None:
        """The alpha/beta alternating path from v, if swapping it is allowed and makes room."""
        ix = self.ix
        n_slots = ix.n_slots
        both = 1 << alpha | 1 << beta
        path: list[int] = []
        x, colour, other = v, alpha, beta
        while True:
            e = self.at.get(x * n_slots + colour)
            if e is None:
                break
            if len(path) == limit or ix.lists[e] & both != both:
                return None
            path.append(e)
            x = ix.other(e, x)
            if x == u:
                return None
            colour, other = other, colour
        k = len(path)
        # Path edges alternate alpha, beta, ...; after the swap m also takes an alpha table.
        gain_alpha = 1 if k % 2 == 0 else 0
        gain_beta = k % 2
        if self.count[alpha] + gain_alpha > ix.tables[alpha]:
            return None
        if self.count[beta] + gain_beta > ix.tables[beta]:
            return None
        if not self._kempe_tables_ok(m, path, alpha, beta):
            return None
        return path

    def _kempe_tables_ok(self, m: int, path: list[int], alpha: int, beta: int) -> bool:
        """Fixed tables stay unique after the swap and m's own fixed table is free in alpha."""
        ix = self.ix
        n_slots = ix.n_slots
        on_path = set(path)
        for i, e in enumerate(path):
            t = ix.mtable[e]
            target = beta if i % 2 == 0 else alpha
            h = self.holder.get(t * n_slots + target) if t else None
            if h is not None and h not in on_path:
                return False
        t = ix.mtable[m]
        if not t:
            return True
        h = self.holder.get(t * n_slots + alpha)
        # After the swap alpha's holder of t is the path edge that was in beta, if any.
        moved_in = [e for i, e in enumerate(path) if i % 2 == 1 and ix.mtable[e] == t]
        return not moved_in and (h is None or h in on_path)

    def _swap(self, path: list[int], alpha: int, beta: int) -> None:
        """Exchange the two slots of every meeting on the path."""
        for e in path:
            self.unassign(e)
        for i, e in enumerate(path):
            self.assign(e, beta if i % 2 == 0 else alpha)

    def _blockers(self, m: int) -> list[tuple[int, int, int]]:
        """(slot, meeting, its free slots) where one meeting alone keeps m out, most mobile first."""
        ix = self.ix
        n_slots = ix.n_slots
        a, b = ix.ea[m], ix.eb[m]
        busy_a, busy_b = self.busy[a], self.busy[b]
        t = ix.mtable[m]
        held = self.tused.get(t, 0) if t else 0
        options = []
        # Exactly one of the two busy: moving that one meeting also frees its table.
        for s in _bits(ix.lists[m] & (busy_a ^ busy_b)):
            x = a if busy_a >> s & 1 else b
            e = self.at[x * n_slots + s]
            if e in self._frozen or e in self.pinned:
                continue
            if held >> s & 1 and self.holder[t * n_slots + s] != e:
                continue
            y = ix.other(e, x)
            te = ix.mtable[e]
            room = ix.lists[e] & ~(self.busy[x] | self.busy[y] | self.full)
            if te:
                room &= ~self.tused.get(te, 0)
            # Blockers that can move straight away come first, then the most flexible ones.
            key = -room.bit_count() if room else n_slots + 1 - ix.lists[e].bit_count()
            options.append((key, s, e, room))
        options.sort()
        return [(s, e, room) for _, s, e, room in options]


# --------------------------------------------------------------------------- batch schedule


def schedule(problem: Problem) -> Result:
    """Schedule every meeting of the problem from scratch (see docs/scheduler.md)."""
    ix = problem._index
    st = _State(ix)
    st.init_demand()
    people = _coverage_order(ix)
    queue = _fill_order(ix)
    phases = {"coverage": 0, "fill": 0, "repair": 0, "exchanges": 0}
    rank = {m: i for i, m in enumerate(queue)}

    for p in people:
        if not st.deg[p] and _cover(st, p):
            phases["coverage"] += 1
    for m in queue:
        if st.slot[m] < 0:
            free = st.free_slots(m)
            if free:
                st.placed(m, st.best_slot(m, free))
                phases["fill"] += 1
    for _ in range(_REPAIR_PASSES):
        gained = _repair(st, queue)
        phases["repair"] += gained
        if not gained:
            break
    # Settle the guarantees: repeat until no improving exchange is left. Every move raises
    # (coverage per priority level, meetings held per priority level) lexicographically, a
    # bounded quantity, so this ends; see the docs.
    while True:
        changed = _coverage_pass(st, people, phases)
        changed = _priority_pass(st, queue, phases) or changed
        if st.evicted:
            pending = sorted(set(st.evicted), key=rank.__getitem__)
            st.evicted.clear()
            phases["repair"] += _repair(st, pending)
        if not changed:
            break
    return _result(st, ix.bound, {"phases": phases})


def _coverage_order(ix: _Index) -> list[int]:
    """Participants with a schedulable meeting: priority first, then the most constrained."""
    people = [p for p, k in enumerate(ix.n_sched) if k]
    return sorted(people, key=lambda p: (-ix.prio[p], ix.n_sched[p], ix.avail[p].bit_count(), p))


def _fill_order(ix: _Index) -> list[int]:
    """Schedulable meetings: higher priority first, then fewest common slots."""
    return sorted(
        ix.schedulable,
        key=lambda m: (-ix.mprio[m], ix.lists[m].bit_count(), m),
    )


def _cover(st: _State, p: int) -> bool:
    """Give uncovered p a meeting, directly or through an ejection chain; True on success."""
    ix = st.ix
    best, best_key, best_free = -1, (0, 0, 0), 0
    pending = [m for m in ix.inc[p] if st.slot[m] < 0 and ix.lists[m]]
    for m in pending:
        free = st.free_slots(m)
        if not free:
            continue
        q = ix.other(m, p)
        # An uncovered partner is covered by the same meeting, which saves tables when short.
        key = (1 if st.deg[q] else 0, free.bit_count(), m)
        if best < 0 or key < best_key:
            best, best_key, best_free = m, key, free
    if best >= 0:
        st.placed(best, st.best_slot(best, best_free))
        return True
    if st.full & ix.all_slots == ix.all_slots:
        return False  # every table is taken: no chain can add a meeting
    pending.sort(key=lambda m: (ix.lists[m].bit_count(), m))
    return any(st.insert(m, _REPAIR_DEPTH, _REPAIR_NODES) is not None for m in pending)


def _repair(st: _State, queue: list[int]) -> int:
    """Try every pending meeting of the queue with the improving moves; return how many got in."""
    placed = 0
    every = st.ix.all_slots
    for m in queue:
        if st.full & every == every:
            break  # every table is taken: no move can add a meeting
        if st.slot[m] < 0 and _gain(st, m):
            placed += 1
    return placed


def _gain(st: _State, m: int) -> bool:
    """Place pending m by an ejection chain, a Kempe chain or a swap, cheapest first."""
    if st.insert(m, _REPAIR_DEPTH, _REPAIR_NODES) is not None:
        return True
    if st.kempe(m, _KEMPE_LENGTH) is not None:
        return True
    return _swap_in(st, m)


def _swap_in(st: _State, m: int) -> bool:
    """Put m in the slot of a meeting e of one participant, and refill e's other participant."""
    # Nobody loses a meeting: the shared participant trades e for m, the other trades e for a
    # pending meeting of theirs (placed directly, by a chain, or by a further swap), so no
    # participant's count of meetings drops, two rise, and coverage is untouched.
    return _swap(st, m, _SWAP_LEVELS, [_SWAP_BUDGET], frozenset())


def _swap(st: _State, m: int, levels: int, budget: list[int], kept: frozenset[int]) -> bool:
    """One level of _swap_in; ``kept`` holds meetings placed by outer levels (never removed)."""
    ix = st.ix
    n_slots = ix.n_slots
    t = ix.mtable[m]
    for d, p in ((ix.ea[m], ix.eb[m]), (ix.eb[m], ix.ea[m])):
        for s in _bits(ix.lists[m] & ~st.busy[d] & st.busy[p]):
            e = st.at[p * n_slots + s]
            if e in kept:
                continue
            if t and st.tused.get(t, 0) >> s & 1 and st.holder[t * n_slots + s] != e:
                continue
            q = ix.other(e, p)
            refill = [x for x in ix.inc[q] if st.slot[x] < 0 and x != m and ix.lists[x]]
            if not refill or budget[0] <= 0:
                continue
            budget[0] -= 1
            st.unassign(e)
            st.assign(m, s)
            if _refill(st, refill, levels, budget, kept | {m}):
                st._demand(m, -1)
                st._demand(e, 1)
                return True
            st.unassign(m)
            st.assign(e, s)
    return False


def _refill(
    st: _State, refill: list[int], levels: int, budget: list[int], kept: frozenset[int]
) -> bool:
    """Place one of the pending meetings, by chain or (levels left) by a further swap."""
    for x in refill:
        if st.insert(x, _SWAP_DEPTH, _SWAP_NODES) is not None:
            return True
    if levels > 1:
        return any(_swap(st, x, levels - 1, budget, kept) for x in refill if st.slot[x] < 0)
    return False


def _coverage_pass(st: _State, people: list[int], phases: dict[str, int]) -> bool:
    """Cover uncovered participants by chains, else by an exchange that improves coverage."""
    changed = False
    for p in people:
        if st.deg[p]:
            continue
        if _cover(st, p):
            phases["coverage"] += 1
            changed = True
            continue
        exchange = _cover_exchange(st, p)
        if exchange is not None:
            m, s, out = exchange
            for e in out:
                st.evict(e)
            st.placed(m, s)
            phases["exchanges"] += 1
            changed = True
    return changed


def _cover_exchange(st: _State, p: int) -> tuple[int, int, list[int]] | None:
    """An insertion of one of p's meetings, evicting its blockers, that improves coverage."""
    ix = st.ix
    n_slots = ix.n_slots
    fallback = None
    for m in ix.inc[p]:
        if st.slot[m] >= 0 or not ix.lists[m]:
            continue
        q = ix.other(m, p)
        gained = _levels(ix, [x for x in (p, q) if st.deg[x] == 0])
        held = st.tused.get(ix.mtable[m], 0) if ix.mtable[m] else 0
        for s in _bits(ix.lists[m]):
            if q * n_slots + s not in st.at and not held >> s & 1 and st.full >> s & 1:
                # Nothing blocks m itself but the slot is full: one meeting must go, and the
                # one whose loss weighs least decides (the order on losses is total).
                spare = st.spare(s)
                if spare.cover < 0 or gained <= spare.cover_loss:
                    continue
                out, clean = [spare.cover], not spare.cover_loss
            else:
                out = _blockers_at(st, m, s)
                lost = _coverage_change(st, m, out)[1]
                if gained <= _levels(ix, lost):
                    continue
                clean = not lost
            # Prefer an exchange that uncovers nobody; else the first improving one.
            if clean:
                return m, s, out
            if fallback is None:
                fallback = (m, s, out)
    return fallback


def _blockers_at(st: _State, m: int, s: int) -> list[int]:
    """Meetings that keep m out of slot s: its participants' there, the holder of its table."""
    ix = st.ix
    n_slots = ix.n_slots
    out: list[int] = []
    for x in (ix.ea[m], ix.eb[m]):
        e = st.at.get(x * n_slots + s)
        if e is not None and e not in out:
            out.append(e)
    t = ix.mtable[m]
    if t and st.tused.get(t, 0) >> s & 1:
        h = st.holder[t * n_slots + s]
        if h not in out:
            out.append(h)
    return out


def _coverage_change(st: _State, m: int, out: list[int]) -> tuple[list[int], list[int]]:
    """Participants covered and uncovered by evicting ``out`` and placing m."""
    ix = st.ix
    ends = (ix.ea[m], ix.eb[m])
    gained = [x for x in ends if st.deg[x] == 0]
    loss: dict[int, int] = {}
    for e in out:
        for x in (ix.ea[e], ix.eb[e]):
            if x not in ends:
                loss[x] = loss.get(x, 0) + 1
    lost = [x for x, k in loss.items() if st.deg[x] == k]
    return gained, lost


def _levels(ix: _Index, people: list[int]) -> tuple[float, ...]:
    """Priorities, highest first: comparing two of these compares coverage level by level."""
    return tuple(sorted((ix.prio[x] for x in people), reverse=True))


def _priority_pass(st: _State, queue: list[int], phases: dict[str, int]) -> bool:
    """Give a short table to a pending meeting of higher priority than one holding it."""
    ix = st.ix
    changed = False
    for m in queue:
        if st.slot[m] >= 0:
            continue
        both_free = ix.lists[m] & ~(st.busy[ix.ea[m]] | st.busy[ix.eb[m]])
        if not both_free:
            continue
        free = st.free_slots(m)
        if free:
            st.placed(m, st.best_slot(m, free))
            phases["fill"] += 1
            changed = True
            continue
        if ix.mprio[m] <= ix.lowest_priority:
            continue  # nothing placed has lower priority, so there is nobody to displace
        for s in _bits(both_free):
            out = _priority_eviction(st, m, s)
            if out is not None:
                for e in out:
                    st.evict(e)
                st.placed(m, s)
                phases["exchanges"] += 1
                changed = True
                break
    return changed


def _priority_eviction(st: _State, m: int, s: int) -> list[int] | None:
    """Lower-priority meetings whose eviction lets m into slot s without uncovering anyone."""
    ix = st.ix
    out = _blockers_at(st, m, s)
    if any(ix.mprio[e] >= ix.mprio[m] for e in out):
        return None
    if st.count[s] - len(out) >= ix.tables[s]:
        spare = st.spare(s)
        if spare.quiet < 0 or ix.mprio[spare.quiet] >= ix.mprio[m]:
            return None
        out = [spare.quiet]
    return None if _coverage_change(st, m, out)[1] else out


# --------------------------------------------------------------------------- results


def _reason(st: _State, m: int) -> str:
    """Why meeting m is left waiting, judged on the final schedule."""
    ix = st.ix
    if not ix.lists[m]:
        return "no_common_slot"
    if ix.lists[m] & ~(st.busy[ix.ea[m]] | st.busy[ix.eb[m]]):
        return "tables_full"
    return "conflicts"


def _table_orders(ix: _Index) -> Iterator[int]:
    """Table numbers for meetings without a fixed table: hosts' numbers last."""
    hosts = set(ix.host_tables)
    t = 1
    while True:
        if t not in hosts:
            yield t
        t += 1


def _assign_tables(st: _State) -> list[int]:
    """Number the tables: fixed ones first, the rest avoid hosts' numbers while they can."""
    ix = st.ix
    tables = [0] * len(st.slot)
    used: list[set[int]] = [set() for _ in range(ix.n_slots)]
    for m, s in enumerate(st.slot):
        if s >= 0 and ix.mtable[m]:
            tables[m] = ix.mtable[m]
            used[s].add(ix.mtable[m])
    free_iters: list[Iterator[int] | None] = [None] * ix.n_slots
    spare: list[list[int]] = [[] for _ in range(ix.n_slots)]
    for m, s in enumerate(st.slot):
        if s < 0 or ix.mtable[m]:
            continue
        it = free_iters[s]
        if it is None:
            it = free_iters[s] = _table_orders(ix)
            spare[s] = [t for t in ix.host_tables if t not in used[s] and t <= ix.tables[s]]
        t = next(it)
        if t > ix.tables[s]:
            # Only hosts' numbers are left in this slot; ones no host uses here are free.
            t = spare[s].pop(0)
        tables[m] = t
    return tables


def _result(st: _State, bound: int, extra: dict[str, Any]) -> Result:
    """Build the public result from a final state."""
    ix = st.ix
    problem = ix.problem
    tables = _assign_tables(st)
    assignments = [
        Assignment(problem.meetings[m].id, problem.slots[s], tables[m])
        for m, s in enumerate(st.slot)
        if s >= 0
    ]
    unscheduled = [
        Unscheduled(problem.meetings[m].id, _reason(st, m)) for m, s in enumerate(st.slot) if s < 0
    ]
    return Result(assignments, unscheduled, bound, _stats(st, len(assignments), bound, extra))


def _stats(st: _State, scheduled: int, bound: int, extra: dict[str, Any]) -> dict[str, Any]:
    """Deterministic figures about a schedule (no clock readings, so equal input, equal JSON)."""
    ix = st.ix
    problem = ix.problem
    uncovered = [
        problem.participants[p].pid for p, k in enumerate(ix.n_sched) if k and not st.deg[p]
    ]
    stats: dict[str, Any] = {
        "meetings": len(st.slot),
        "schedulable_meetings": len(ix.schedulable),
        "scheduled": scheduled,
        "ratio_to_bound": round(scheduled / bound, 6) if bound else 1.0,
        "participants": len(st.deg),
        "schedulable_participants": sum(1 for k in ix.n_sched if k),
        "covered": sum(1 for d in st.deg if d),
        "uncovered": uncovered,
        "capacity": sum(ix.tables),
    }
    stats.update(extra)
    return stats


# --------------------------------------------------------------------------- baseline


def greedy_baseline(problem: Problem) -> Result:
    """Plain greedy for comparison: most constrained meeting first, into its first free slot."""
    ix = problem._index
    st = _State(ix)
    for m in sorted(ix.schedulable, key=lambda m: (ix.lists[m].bit_count(), m)):
        free = st.free_slots(m)
        if free:
            st.assign(m, (free & -free).bit_length() - 1)
    return _result(st, ix.bound, {"algorithm": "greedy_baseline"})


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


# --------------------------------------------------------------------------- independent check


def verify(problem: Problem, result: Result, *, guarantees: bool = True) -> list[str]:
    """List the invariants ``result`` breaks (empty when fine), re-derived from the problem."""
    # The hard invariants always apply; ``guarantees`` adds the batch guarantees (maximality,
    # priority for short tables, coverage), which place_one results need not meet.
    v = _Verifier(problem, result)
    v.check_listing()
    v.check_hard()
    v.check_reasons()
    if result.upper_bound < len(v.where):
        v.fail(f"upper bound {result.upper_bound} is below the {len(v.where)} meetings scheduled")
    if guarantees and not v.errors:
        v.check_maximal_and_priority()
        v.check_coverage()
    return v.errors


class _Verifier:
    """Plain dict-and-set re-derivation of a schedule, sharing no state with the scheduler."""

    def __init__(self, problem: Problem, result: Result) -> None:
        self.problem = problem
        self.result = result
        self.errors: list[str] = []
        self.slot_no = {str(s): i for i, s in enumerate(problem.slots)}
        self.people = {p.pid: p for p in problem.participants}
        self.off = {p.pid: {str(s) for s in p.unavailable} for p in problem.participants}
        self.meetings = {str(m.id): m for m in problem.meetings}
        self.where: dict[str, tuple[str, int]] = {}  # meeting -> (slot name, table)
        self.waiting: dict[str, str] = {}  # meeting -> reason
        self.booked: dict[tuple[str, str], str] = {}  # (participant, slot name) -> meeting
        self.in_slot: dict[str, list[str]] = {str(s): [] for s in problem.slots}
        self.count: dict[str, int] = {}  # participant -> meetings scheduled
        self._cheapest: dict[str, tuple[str | None, list[str], str | None]] = {}

    def fail(self, message: str) -> None:
        """Record a broken invariant."""
        self.errors.append(message)

    def common(self, key: str) -> list[str]:
        """Slot names where both participants of the meeting could meet."""
        m = self.meetings[key]
        need = self.table_of(key) or 1
        return [
            str(s)
            for s, tables in zip(self.problem.slots, self.problem.tables, strict=True)
            if tables >= need and str(s) not in self.off[m.a] and str(s) not in self.off[m.b]
        ]

    def table_of(self, key: str) -> int | None:
        """The fixed table a meeting must use, if either participant has one."""
        m = self.meetings[key]
        return self.people[m.a].fixed_table or self.people[m.b].fixed_table

    def priority(self, key: str) -> float:
        """A meeting's priority: the higher of its participants'."""
        m = self.meetings[key]
        return max(self.people[m.a].priority, self.people[m.b].priority)

    def check_listing(self) -> None:
        """Every meeting appears once, as scheduled or as waiting, with known ids."""
        listed: set[str] = set()
        for a in self.result.assignments:
            key = str(a.meeting)
            if key not in self.meetings:
                self.fail(f"assignment of unknown meeting {_show(a.meeting)}")
            elif key in listed:
                self.fail(f"meeting {_show(a.meeting)} is listed twice")
            elif str(a.slot) not in self.slot_no:
                self.fail(f"meeting {_show(a.meeting)} is in unknown slot {_show(a.slot)}")
            else:
                listed.add(key)
                self.where[key] = (str(a.slot), a.table)
        for u in self.result.unscheduled:
            key = str(u.meeting)
            if key not in self.meetings:
                self.fail(f"unknown meeting {_show(u.meeting)} reported as waiting")
            elif key in listed:
                self.fail(f"meeting {_show(u.meeting)} is listed twice")
            elif u.reason not in REASONS:
                self.fail(f"meeting {_show(u.meeting)} has unknown reason {_show(u.reason)}")
            else:
                listed.add(key)
                self.waiting[key] = u.reason
        for m in self.problem.meetings:
            if str(m.id) not in listed:
                self.fail(f"meeting {_show(m.id)} is neither scheduled nor waiting")

    def check_hard(self) -> None:
        """No double booking, no unavailable slot, tables within range, unique and fixed."""
        at_table: set[tuple[str, int]] = set()
        for key, (slot, table) in self.where.items():
            m = self.meetings[key]
            tables = self.problem.tables[self.slot_no[slot]]
            if not _is_int(table) or not 1 <= table <= tables:
                self.fail(f"meeting {_show(m.id)} at table {_show(table)} of slot {_show(slot)}")
            elif (slot, table) in at_table:
                self.fail(f"two meetings at table {table} in slot {_show(slot)}")
            at_table.add((slot, table))
            self.in_slot[slot].append(key)
            for x in (m.a, m.b):
                self.count[x] = self.count.get(x, 0) + 1
                if (x, slot) in self.booked:
                    self.fail(f"participant {_show(x)} has two meetings in slot {_show(slot)}")
                self.booked[(x, slot)] = key
                if slot in self.off[x]:
                    self.fail(f"participant {_show(x)} meets in unavailable slot {_show(slot)}")
                fixed = self.people[x].fixed_table
                if fixed and table != fixed:
                    self.fail(f"participant {_show(x)} is fixed to table {fixed}, not {table}")
        for slot, keys in self.in_slot.items():
            if len(keys) > self.problem.tables[self.slot_no[slot]]:
                self.fail(f"slot {_show(slot)} holds more meetings than tables")

    def free(self, key: str, slot: str) -> bool:
        """Both participants of the meeting are free in the slot."""
        m = self.meetings[key]
        return (m.a, slot) not in self.booked and (m.b, slot) not in self.booked

    def check_reasons(self) -> None:
        """Each reason is true of the final schedule."""
        for key, reason in self.waiting.items():
            common = self.common(key)
            some_free = any(self.free(key, s) for s in common)
            expected = (
                "no_common_slot" if not common else "tables_full" if some_free else "conflicts"
            )
            if reason != expected:
                self.fail(f"meeting {_show(self.meetings[key].id)} is {reason}, not {expected}")

    def fixed_holder(self, key: str, slot: str) -> str | None:
        """The meeting holding the fixed table the given meeting needs in the slot."""
        need = self.table_of(key)
        if not need:
            return None
        for other in self.in_slot[slot]:
            if self.table_of(other) == need:
                return other
        return None

    def blockers(self, key: str, slot: str) -> list[str]:
        """Meetings that keep the meeting out of the slot: its participants' and its table's."""
        m = self.meetings[key]
        out: list[str] = []
        for x in (m.a, m.b):
            other = self.booked.get((x, slot))
            if other is not None and other not in out:
                out.append(other)
        holder = self.fixed_holder(key, slot)
        if holder is not None and holder not in out:
            out.append(holder)
        return out

    def room_without(self, slot: str, out: list[str]) -> bool:
        """A table is free in the slot once ``out`` has left."""
        return len(self.in_slot[slot]) - len(out) < self.problem.tables[self.slot_no[slot]]

    def cheapest(self, slot: str) -> tuple[str | None, list[str], str | None]:
        """Cheapest evictions in a slot: least coverage lost (and whose), and lowest priority."""
        # The second is the lowest-priority meeting whose eviction leaves nobody uncovered.
        if slot not in self._cheapest:
            cover, cover_lost, quiet = None, [], None
            worst = (math.inf,)
            for other in self.in_slot[slot]:
                o = self.meetings[other]
                sole = [x for x in (o.a, o.b) if self.count.get(x, 0) == 1]
                rank = tuple(sorted((self.people[x].priority for x in sole), reverse=True))
                if rank < worst:
                    cover, cover_lost, worst = other, sole, rank
                if not sole and (quiet is None or self.priority(other) < self.priority(quiet)):
                    quiet = other
            self._cheapest[slot] = (cover, cover_lost, quiet)
        return self._cheapest[slot]

    def left_without(self, key: str, out: list[str]) -> list[str]:
        """Participants other than the meeting's own whom evicting ``out`` leaves with nothing."""
        m = self.meetings[key]
        lose: dict[str, int] = {}
        for other in out:
            o = self.meetings[other]
            for x in (o.a, o.b):
                if x not in (m.a, m.b):
                    lose[x] = lose.get(x, 0) + 1
        return [x for x, k in lose.items() if self.count.get(x, 0) == k]

    def check_maximal_and_priority(self) -> None:
        """No waiting meeting fits as is, or by taking a lower-priority meeting's table."""
        for key in self.waiting:
            name = _show(self.meetings[key].id)
            mine = self.priority(key)
            for slot in self.common(key):
                if not self.free(key, slot):
                    continue
                out = self.blockers(key, slot)
                if not self.room_without(slot, out):
                    # Still full (so nothing else blocks): the cheapest lower meeting must go.
                    quiet = self.cheapest(slot)[2]
                    out = [quiet] if quiet is not None and self.priority(quiet) < mine else []
                    if not out:
                        continue
                if not out:
                    self.fail(f"meeting {name} fits in slot {_show(slot)} but waits")
                    return
                lower = all(self.priority(o) < mine for o in out)
                if lower and not self.left_without(key, out):
                    self.fail(f"meeting {name} waits while lower priority holds slot {slot}")
                    return

    def check_coverage(self) -> None:
        """No uncovered participant could be covered by an exchange that improves coverage."""
        mine: dict[str, list[Meeting]] = {}
        for m in self.problem.meetings:
            for x in (m.a, m.b):
                if not self.count.get(x, 0):
                    mine.setdefault(x, []).append(m)
        for p in self.problem.participants:
            for m in mine.get(p.pid, []):
                key = str(m.id)
                gained = [x for x in (m.a, m.b) if not self.count.get(x, 0)]
                for slot in self.common(key):
                    out = self.blockers(key, slot)
                    if self.room_without(slot, out):
                        lost = self.left_without(key, out)
                    else:
                        # Full and nothing else in the way: the least costly eviction decides.
                        cover, lost, _ = self.cheapest(slot)
                        if cover is None:
                            continue
                    if self._better(gained, lost):
                        self.fail(f"participant {_show(p.pid)} could be covered by {_show(m.id)}")
                        return

    def _better(self, gained: list[str], lost: list[str]) -> bool:
        """Coverage per priority level, compared from the highest level down, goes up."""
        delta: dict[float, int] = {}
        for x in gained:
            level = self.people[x].priority
            delta[level] = delta.get(level, 0) + 1
        for x in lost:
            level = self.people[x].priority
            delta[level] = delta.get(level, 0) - 1
        levels = [level for level, d in delta.items() if d]
        return bool(levels) and delta[max(levels)] > 0


# --------------------------------------------------------------------------- command line


def main(stdin: Any = None, stdout: Any = None, stderr: Any = None) -> int:
    """Read a problem on stdin, write the result on stdout; 2 and one line on stderr if invalid."""
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        problem = parse_problem(json.loads(stdin.read()))
    except (ValueError, RecursionError) as exc:
        # ProblemError, JSONDecodeError and UnicodeDecodeError are all ValueErrors.
        kind = "" if isinstance(exc, ProblemError) else "malformed JSON: "
        print(f"invalid problem: {kind}{_one_line(exc)}", file=stderr)
        return 2
    json.dump(schedule(problem).to_json(), stdout)
    stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
