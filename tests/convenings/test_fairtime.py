"""Fair start times: the pure proposer and the organiser's page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.convenings.fairtime import NIGHT_COST, Group, evaluate, propose, slot_cost
from app.core.permissions import Role


def test_slot_costs():
    day = datetime(2027, 1, 4)
    assert slot_cost(day.replace(hour=9)) == 0
    assert slot_cost(day.replace(hour=19, minute=30)) == 0
    assert 0 < slot_cost(day.replace(hour=21)) < slot_cost(day.replace(hour=6, minute=30))
    assert slot_cost(day.replace(hour=3)) == NIGHT_COST


def test_single_zone_gets_working_hours():
    proposals = propose([Group("Uzbekistan", "Asia/Tashkent")], date(2027, 1, 4), date(2027, 1, 4),
                        timedelta(hours=2))
    assert len(proposals) == 3
    assert len({p.start.time() for p in proposals}) == 3
    for proposal in proposals:
        assert proposal.burden == 0
        local = proposal.times[0].local_start
        assert local.hour >= 8 and (local + timedelta(hours=2)).hour <= 20


def test_spread_zones_balance_the_burden():
    groups = [Group("Mexico", "America/Mexico_City"), Group("Kenya", "Africa/Nairobi"),
              Group("Japan", "Asia/Tokyo")]
    best = propose(groups, date(2027, 1, 4), date(2027, 1, 6), timedelta(hours=1))[0]
    every = [evaluate(groups, datetime(2027, 1, 4, tzinfo=UTC) + timedelta(minutes=30 * i),
                      timedelta(hours=1)) for i in range(48)]
    assert best.burden == min(p.burden for p in every)
    # Three zones eight hours apart: nobody is asked to meet in the deep night.
    assert all(t.band != "night" for t in best.times)
    worst_known = evaluate(groups, datetime(2027, 1, 4, 20, tzinfo=UTC), timedelta(hours=1))
    assert best.burden < worst_known.burden
    assert best.start.minute in (0, 30)


def test_nothing_to_propose_for_bad_ranges():
    assert propose([], date(2027, 1, 4), date(2027, 1, 4), timedelta(hours=1)) == []
    assert propose([Group("x", "UTC")], date(2027, 1, 5), date(2027, 1, 4), timedelta(hours=1)) == []


def test_fair_times_page(login_as, make_user, nation):
    make_user(Role.AMBASSADOR, nation_id=nation("KE").id, timezone="Africa/Nairobi")
    client, _ = login_as(Role.ORGANISER)
    page = client.get("/convenings/fair-times?nations=KE&nations=MX&regions=142"
                      "&first_day=2027-01-04&last_day=2027-01-05&duration=90")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('class="card spaced proposal"') == 3
    assert "Africa/Nairobi" in html and "America/Mexico_City" in html
    bad = client.get("/convenings/fair-times?nations=KE&first_day=2027-01-04&last_day=2027-01-04"
                     "&duration=-5").get_data(as_text=True)
    assert "between 15 and 720" in bad


def test_fair_times_for_organisers_only(login_as):
    client, _ = login_as(Role.AMBASSADOR)
    assert client.get("/convenings/fair-times").status_code == 403
