"""Scheduler: state."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .bound import _bit_matrix, _bits, _Index

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
                from .batch import _levels  # noqa: PLC0415  (batch imports this module)

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


