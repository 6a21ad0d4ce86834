"""Scheduler: bound."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import numpy as np

from .problem import Id, Participant, Problem

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


