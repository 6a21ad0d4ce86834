"""Fair times with the demo data: real members' zones, the State's main zone when none is known."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from app.accounts import demo as accounts_demo
from app.convenings import demo as convenings_demo
from app.convenings import services
from app.convenings.fairtime import evaluate, propose
from app.core.permissions import Role

FOUR = ["FJ", "MX", "FR", "UZ"]


def test_fiji_mexico_france_uzbekistan_are_not_all_comfortable_at_0800_utc(make_user, session):
    accounts_demo.load("a-long-demo-password-1")
    # 2,000 participants spread over every State, none of whom confirmed a zone.
    convenings_demo._participants("x")
    session.flush()
    organiser = make_user(Role.ORGANISER)
    groups = services.fair_time_groups(organiser, FOUR, [])
    assert {g.timezone for g in groups} == {"Pacific/Fiji", "America/Mexico_City",
                                            "Europe/Paris", "Asia/Tashkent"}
    assert not any(g.assumed for g in groups)
    at_eight = evaluate(groups, datetime(2027, 1, 5, 8, tzinfo=UTC), timedelta(minutes=90))
    assert {t.group.timezone for t in at_eight.burdened} >= {"Pacific/Fiji", "America/Mexico_City"}
    proposals = propose(groups, date(2027, 1, 4), date(2027, 1, 8), timedelta(minutes=90))
    # Fiji and Mexico City are 18 hours apart: no proposal may claim everyone is comfortable.
    assert proposals and all(p.burdened for p in proposals)


def test_delegation_without_a_confirmed_zone_uses_its_states_main_zone(make_user, nation):
    make_user(Role.AMBASSADOR, nation_id=nation("KE").id, timezone="UTC", timezone_confirmed=False)
    make_user(Role.AMBASSADOR, nation_id=nation("MX").id, timezone="America/Tijuana",
              timezone_confirmed=True)
    organiser = make_user(Role.ORGANISER)
    groups = {g.timezone: g for g in services.fair_time_groups(organiser, ["KE", "MX"], [])}
    assert groups["Africa/Nairobi"].assumed and not groups["America/Tijuana"].assumed


def test_page_labels_zones_and_keeps_one_clock(login_as, make_user, nation) -> None:
    make_user(Role.AMBASSADOR, nation_id=nation("FJ").id, timezone="Pacific/Fiji",
              timezone_confirmed=True)
    query = ("/convenings/fair-times?nations=FJ&nations=FR&first_day=2027-01-04"
             "&last_day=2027-01-05&duration=90")
    client, _ = login_as(Role.ORGANISER, timezone="Europe/Zurich", timezone_confirmed=True)
    html = client.get(query).get_data(as_text=True).replace("\u202f", " ")
    assert "Fiji time" in html and "Paris time" in html and "Zurich time" in html
    assert "no member of this delegation has confirmed a zone" in html  # France: nobody known
    local = re.findall(r"<td>(\w{3} [^<]*–[^<]*)</td>", html)
    assert local and all(re.fullmatch(r"\w{3} \d{1,2}:\d{2} [AP]M–(\w{3} )?\d{1,2}:\d{2} [AP]M", t)
                         for t in local), local
    client.post("/language/fr", data={"csrf_token": re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)})
    french = client.get(query).get_data(as_text=True)
    assert "heure de Fidji" in french
    cells = re.findall(r"<td>(\w+\.? [^<]*–[^<]*)</td>", french)
    assert cells and all(re.fullmatch(r"\w+\.? \d{2}:\d{2}–(\w+\.? )?\d{2}:\d{2}", t)
                         for t in cells), cells
