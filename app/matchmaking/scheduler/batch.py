"""Scheduler: batch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .bound import _bits, _Index
from .problem import (
    _KEMPE_LENGTH,
    _REPAIR_DEPTH,
    _REPAIR_NODES,
    _REPAIR_PASSES,
    _SWAP_BUDGET,
    _SWAP_DEPTH,
    _SWAP_LEVELS,
    _SWAP_NODES,
    Assignment,
    Problem,
    Result,
    Unscheduled,
)
from .state import _State

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


