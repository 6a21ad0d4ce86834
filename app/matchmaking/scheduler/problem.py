"""Bilateral-meeting scheduler: place accepted meeting requests into time slots and tables.

Pure Python plus numpy, no Flask or database, deterministic for the same input.
The algorithm, its guarantees and the measured figures are in docs/scheduler.md.
Command line: ``python -m app.matchmaking.scheduler < problem.json > result.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bound import _Index

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
        from .bound import _Index  # noqa: PLC0415  (bound imports this module)

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


