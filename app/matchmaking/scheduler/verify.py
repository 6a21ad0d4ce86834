"""Scheduler: verify."""

from __future__ import annotations

import math

from .problem import REASONS, Meeting, Problem, Result, _is_int, _show

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


