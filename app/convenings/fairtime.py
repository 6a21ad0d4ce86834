"""Fair start times for online convenings: spread the burden of odd hours across delegations.

Pure functions, no Flask, no database: the view gathers each group's time zone and weight.
Each 30-minute slot of the meeting costs a group nothing inside 08:00–20:00 local time, a little
at the edges of the day (07:00–08:00, 20:00–22:00), more early (06:00–07:00) and most at night
(22:00–06:00). A proposal's burden is the sum over groups, weighted by how many participants
each group brings, plus a penalty for the worst-off group so that no one is always the one
dialling in at 03:00.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

STEP = timedelta(minutes=30)
NIGHT_COST = 6
EARLY_COST = 3
EDGE_COST = 1
WORST_WEIGHT = 2


@dataclass(frozen=True)
class Group:
    """A delegation or region taking part: a label, its time zone, how many people.

    `assumed` says the zone is the State's main zone because no member confirmed their own.
    """

    label: str
    timezone: str
    weight: int = 1
    assumed: bool = False


@dataclass(frozen=True)
class GroupTime:
    """How a proposal falls for one group."""

    group: Group
    local_start: datetime
    local_end: datetime
    cost: int
    worst_slot: int

    @property
    def band(self) -> str:
        """'day', 'edge' or 'night', for the worst slot of the meeting."""
        if self.worst_slot == 0:
            return "day"
        return "night" if self.worst_slot >= NIGHT_COST else "edge"


@dataclass(frozen=True)
class Proposal:
    """A candidate start time with its burden."""

    start: datetime  # aware UTC
    end: datetime
    burden: int
    times: tuple[GroupTime, ...]

    @property
    def comfortable(self) -> list[GroupTime]:
        return [t for t in self.times if t.cost == 0]

    @property
    def burdened(self) -> list[GroupTime]:
        return [t for t in self.times if t.cost > 0]


def slot_cost(local: datetime) -> int:
    """The cost of being in a meeting during the 30 minutes starting at `local`."""
    hour = local.hour + local.minute / 60
    if 8 <= hour < 20:
        return 0
    if 7 <= hour < 8 or 20 <= hour < 22:
        return EDGE_COST
    if 6 <= hour < 7:
        return EARLY_COST
    return NIGHT_COST


def group_time(group: Group, start: datetime, duration: timedelta) -> GroupTime:
    """How the meeting from `start` lasting `duration` falls for `group`."""
    zone = ZoneInfo(group.timezone)
    slots = max(1, -(-duration // STEP))
    costs = [slot_cost((start + STEP * i).astimezone(zone)) for i in range(slots)]
    return GroupTime(group, start.astimezone(zone), (start + duration).astimezone(zone),
                     sum(costs), max(costs))


def evaluate(groups: Sequence[Group], start: datetime, duration: timedelta) -> Proposal:
    """The burden of one start time for all groups."""
    times = tuple(group_time(g, start, duration) for g in groups)
    total = sum(t.cost * t.group.weight for t in times)
    worst = max((t.cost for t in times), default=0)
    return Proposal(start, start + duration, total + WORST_WEIGHT * worst * len(times), times)


def propose(groups: Sequence[Group], first_day: date, last_day: date, duration: timedelta,
            count: int = 3) -> list[Proposal]:
    """The `count` least burdensome start times (UTC, on 30-minute steps) between two days.

    Proposals are distinct times of day, so the organiser sees real alternatives rather than the
    same hour on three dates; ties go to the earliest date.
    """
    if not groups or last_day < first_day or duration <= timedelta(0):
        return []
    candidates: list[Proposal] = []
    moment = datetime.combine(first_day, time(), UTC)
    stop = datetime.combine(last_day + timedelta(days=1), time(), UTC)
    while moment < stop:
        candidates.append(evaluate(groups, moment, duration))
        moment += STEP
    candidates.sort(key=lambda p: (p.burden, p.start))
    chosen: list[Proposal] = []
    seen_times: set[time] = set()
    for proposal in candidates:
        if proposal.start.time() in seen_times:
            continue
        seen_times.add(proposal.start.time())
        chosen.append(proposal)
        if len(chosen) == count:
            break
    return chosen
