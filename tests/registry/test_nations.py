"""The committed reference data: 193 members, 2 observers, groupings right for any date."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.registry.models import Grouping, Nation
from app.registry.services import load_nations, members_of, nation_choices


def test_every_un_member_and_observer_state_is_loaded(session) -> None:
    statuses = dict(session.execute(select(Nation.un_status, func.count(Nation.id))
                                    .group_by(Nation.un_status)).all())
    assert statuses == {"member": 193, "observer": 2}
    observers = set(session.scalars(select(Nation.iso2).where(Nation.un_status == "observer")))
    assert observers == {"VA", "PS"}


def test_codes_are_consistent(session, nation) -> None:
    uzbekistan = nation("UZ")
    assert (uzbekistan.iso3, uzbekistan.m49, uzbekistan.region, uzbekistan.subregion) == ("UZB", "860", "142", "143")
    assert nation("BR").intermediate_region == "005"


@pytest.mark.parametrize("day, expected", [(date(2025, 6, 1), 44), (date(2026, 11, 23), 44),
                                           (date(2026, 11, 24), 41), (date(2027, 12, 13), 40)])
def test_least_developed_countries_on_a_given_day(session, day: date, expected: int) -> None:
    assert len(members_of(Grouping.LDC, day)) == expected


def test_bangladesh_lao_and_nepal_graduate_on_24_november_2026(session, nation) -> None:
    for iso2 in ("BD", "LA", "NP"):
        state = nation(iso2)
        assert "LDC" in state.groupings_on(date(2026, 11, 23))
        assert "LDC" not in state.groupings_on(date(2026, 11, 24))
    assert nation("AF").groupings_on(date(2026, 11, 27)) == ["LDC", "LLDC"]


def test_landlocked_and_small_island_groupings(session) -> None:
    assert len(members_of(Grouping.LLDC, date(2026, 6, 1))) == 32
    # UN-OHRLLS counts 39 SIDS States; Cook Islands and Niue are not UN members or observers.
    assert len(members_of(Grouping.SIDS, date(2026, 6, 1))) == 37


def test_every_grouping_names_its_source(session) -> None:
    nations = session.scalars(select(Nation)).all()
    assert all(m.source for n in nations for m in n.groupings)


def test_loading_again_changes_nothing(session) -> None:
    report = load_nations()
    assert (report.created, report.updated, report.groupings) == (0, 0, 0)


def test_choices_are_named_in_the_viewers_language(app, session) -> None:
    with app.test_request_context("/?lang=ru"):
        names = dict(nation_choices())
    assert names["UZ"] == "Узбекистан" and names["FR"] == "Франция"
    assert len(names) == 195
