"""The organisers' registration list: search, filters, sorting, paging, export and bulk actions."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, insert, select

from app.accounts.models import User
from app.convenings import lists, services
from app.convenings.models import Convening, Registration
from app.core.audit import AuditEvent
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid
from app.core.permissions import Role
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token

STATUSES = ("confirmed", "waitlisted", "pending", "cancelled")


@pytest.fixture
def bulk_register(session, nation) -> Callable[..., list[int]]:
    """Insert `count` members and their registrations in two statements; returns registration ids."""
    serial = iter(range(1, 10_000_000))

    def build(convening: Convening, count: int, *, status: str | None = None,
              states: tuple[str, ...] = ("UZ", "AF", "FJ", "FR"), **fields) -> list[int]:
        nation_ids = [nation(code).id for code in states]
        first = next(serial)
        for _ in range(count - 1):
            next(serial)
        users = [{"email": f"bulk{first + n}@example.org", "display_name": f"Delegate {first + n:07d}",
                  "role": ("ambassador", "observer", "partner")[n % 3],
                  "locale": ("en", "ar", "fr")[n % 3], "timezone": "UTC",
                  "nation_id": nation_ids[n % len(nation_ids)], **fields} for n in range(count)]
        user_ids = list(session.scalars(insert(User).returning(User.id), users))
        now = utcnow()
        rows = [{"convening_id": convening.id, "user_id": uid,
                 "status": status or STATUSES[n % len(STATUSES)], "created_at": now,
                 "queued_at": now, "updated_at": now} for n, uid in enumerate(user_ids)]
        ids = list(session.scalars(insert(Registration).returning(Registration.id), rows))
        session.commit()
        return ids

    return build


def page_of(organiser, convening, **args) -> lists.RegistrationPage:
    return lists.registration_page(organiser, convening, lists.parse_query(args))


def test_search_folds_case_accents_and_scripts(session, organiser, make_user, make_convening):
    convening = make_convening()
    names = ["Zoë Müller", "مُحَمَّد العلي", "Ｗｉｄｅ Name", "张伟", "Plain Person"]
    for name in names:
        services.register(make_user(Role.AMBASSADOR, display_name=name), convening)
    session.commit()

    def found(text: str) -> list[str]:
        return [r.user.display_name for r in page_of(organiser, convening, search=text).rows]

    assert found("ZOE MULLER") == ["Zoë Müller"]
    assert found("محمد") == ["مُحَمَّد العلي"]
    assert found("wide") == ["Ｗｉｄｅ Name"]
    assert found("张") == ["张伟"]
    assert found("nobody") == []


def test_filters_combine_and_follow_the_reference_data(session, organiser, make_convening,
                                                       bulk_register):
    convening = make_convening()
    bulk_register(convening, 24)
    everyone = page_of(organiser, convening)
    assert everyone.total == 24
    ldc = page_of(organiser, convening, grouping="LDC")
    assert ldc.total == 6 and {r.user.nation.iso2 for r in ldc.rows} == {"AF"}
    sids = page_of(organiser, convening, grouping="SIDS")
    assert {r.user.nation.iso2 for r in sids.rows} == {"FJ"}
    europe = page_of(organiser, convening, region="150")
    assert {r.user.nation.iso2 for r in europe.rows} == {"FR"}
    arabic_confirmed = page_of(organiser, convening, language="ar", status="confirmed")
    assert arabic_confirmed.rows and all(
        r.user.locale == "ar" and r.status == "confirmed" for r in arabic_confirmed.rows)
    uz_partners = page_of(organiser, convening, state="uz", role="partner")
    assert uz_partners.rows and all(
        r.user.nation.iso2 == "UZ" and r.user.role == "partner" for r in uz_partners.rows)


def test_sorting_and_paging(session, organiser, make_convening, bulk_register):
    convening = make_convening()
    bulk_register(convening, 120)
    first = page_of(organiser, convening, sort="name")
    assert (first.total, first.pages, len(first.rows)) == (120, 3, lists.PAGE_SIZE)
    names = [r.user.display_name for r in first.rows]
    assert names == sorted(names)
    last = page_of(organiser, convening, sort="-name", page="3")
    assert len(last.rows) == 20 and last.rows[-1].user.display_name == names[0]
    assert page_of(organiser, convening, page="99").page == 3
    searched = page_of(organiser, convening, search="Delegate", page="3")
    assert (searched.total, searched.page, len(searched.rows)) == (120, 3, 20)


@pytest.mark.parametrize("args", [{"status": "lost"}, {"sort": "email"}, {"page": "0"},
                                  {"page": "abc"}, {"state": "Uzbekistan"}, {"grouping": "G77"},
                                  {"language": "xx"}, {"search": "x" * 101}])
def test_bad_filters_are_refused(app_ctx, args):
    with pytest.raises(Invalid):
        lists.parse_query(args)


def test_only_organisers_see_the_list(session, make_user, make_convening):
    convening = make_convening()
    with pytest.raises(Forbidden):
        lists.registration_page(make_user(Role.AMBASSADOR), convening, lists.RegistrationQuery())


def test_manage_page_queries_do_not_grow_with_registrations(login_as, make_convening, bulk_register,
                                                            query_counter):
    convening = make_convening()
    client, _ = login_as(Role.ORGANISER)
    bulk_register(convening, 10)

    def measure(**args) -> int:
        db.session.expire_all()  # each request starts from the same cold session
        with query_counter() as counter:
            response = client.get(f"/convenings/{convening.id}/manage", query_string=args)
            assert response.status_code == 200
        return counter.count

    few, few_searched = measure(), measure(search="delegate", grouping="LDC")
    bulk_register(convening, 3000)
    assert measure() == few
    assert measure(search="delegate", grouping="LDC") == few_searched
    assert measure(sort="state", page="7") == few


def test_manage_page_filters_pages_and_keeps_filters_in_links(login_as, make_convening,
                                                               bulk_register):
    convening = make_convening()
    client, _ = login_as(Role.ORGANISER)
    bulk_register(convening, 240, status="confirmed")
    html = client.get(f"/convenings/{convening.id}/manage?language=ar&sort=name").get_data(as_text=True)
    assert "80 registrations found" in html and html.count('name="ids"') == 50
    assert "Page 1 of 2" in html
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "language=ar" in next_link and "sort=name" in next_link
    export = re.search(r'href="([^"]*participants\.csv\?[^"]*)"', html).group(1).replace("&amp;", "&")
    rows = list(csv.DictReader(io.StringIO(client.get(export).get_data(as_text=True))))
    assert len(rows) == 80 and {row["language"] for row in rows} == {"ar"}


def test_bad_filter_on_the_page_is_a_clear_error(login_as, make_convening):
    convening = make_convening()
    client, _ = login_as(Role.ORGANISER)
    response = client.get(f"/convenings/{convening.id}/manage?status=lost")
    assert response.status_code == 400
    assert "This filter value is not recognised: lost" in response.get_data(as_text=True)
    response = client.get(f"/convenings/{convening.id}/participants.csv?page=-1")
    assert response.status_code == 400


def _statuses(session, ids: list[int]) -> list[str]:
    session.expire_all()
    return [session.get(Registration, i).status for i in ids]


def test_bulk_actions_change_every_selected_registration_and_are_audited(
        session, organiser, make_convening, bulk_register):
    convening = make_convening(visibility="invitation", capacity=6)
    pending = bulk_register(convening, 4, status="pending")
    assert lists.bulk_update(organiser, convening, "approve", [str(i) for i in pending[:3]]) == 3
    lists.bulk_update(organiser, convening, "decline", [str(pending[3])])
    assert _statuses(session, pending) == ["confirmed"] * 3 + ["declined"]
    waiting = bulk_register(convening, 2, status="waitlisted")
    lists.bulk_update(organiser, convening, "promote", [str(i) for i in waiting])
    lists.bulk_update(organiser, convening, "attended", [str(i) for i in pending[:2]])
    session.commit()
    assert _statuses(session, waiting) == ["confirmed", "confirmed"]
    assert [session.get(Registration, i).attended for i in pending[:3]] == [True, True, False]
    actions = session.execute(select(AuditEvent.action, func.count(AuditEvent.id))
                              .where(AuditEvent.action.like("convening.registration.%"))
                              .group_by(AuditEvent.action)).all()
    assert dict(actions) == {"convening.registration.decide": 4,
                             "convening.registration.promote": 2,
                             "convening.registration.attendance": 2}


def test_bulk_promote_past_capacity_changes_nothing(session, organiser, make_convening,
                                                    bulk_register):
    convening = make_convening(capacity=1)
    waiting = bulk_register(convening, 2, status="waitlisted")
    with pytest.raises(Conflict):
        lists.bulk_update(organiser, convening, "promote", [str(i) for i in waiting])
    session.rollback()
    assert _statuses(session, waiting) == ["waitlisted", "waitlisted"]


@pytest.mark.parametrize("action, ids, error", [
    ("approve", [], Invalid), ("approve", ["1x"], Invalid), ("explode", None, Invalid),
    ("approve", ["99999999"], Invalid), ("promote", None, Conflict), ("attended", None, Conflict)])
def test_bad_bulk_requests_change_nothing(session, organiser, make_convening, bulk_register,
                                          action, ids, error):
    convening = make_convening(visibility="invitation")
    pending = bulk_register(convening, 2, status="pending")
    other = make_convening(visibility="invitation")
    foreign = bulk_register(other, 1, status="pending")
    selection = [str(i) for i in pending] if ids is None else ids
    with pytest.raises(error):
        lists.bulk_update(organiser, convening, action, selection)
    with pytest.raises(Invalid):
        lists.bulk_update(organiser, convening, "approve", [str(pending[0]), str(foreign[0])])
    session.rollback()
    assert _statuses(session, pending + foreign) == ["pending"] * 3
    assert session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action.like("convening.registration.%"))) == 0


def test_bulk_needs_an_organiser(session, make_user, make_convening, bulk_register):
    convening = make_convening(visibility="invitation")
    pending = bulk_register(convening, 1, status="pending")
    with pytest.raises(Forbidden):
        lists.bulk_update(make_user(Role.AMBASSADOR), convening, "approve", [str(pending[0])])


def test_bulk_form_on_the_manage_page(app_ctx, login_as, make_user, make_convening, bulk_register,
                                      session):
    convening = make_convening(visibility="invitation")
    pending = bulk_register(convening, 3, status="pending")
    client, _ = login_as(Role.ORGANISER)
    base = f"/convenings/{convening.id}"
    token = csrf_token(client, f"{base}/manage")
    response = client.post(f"{base}/registrations/bulk", follow_redirects=True, data={
        "csrf_token": token, "action": "approve", "ids": [str(pending[0]), "abc"],
        "language": "ar"})
    assert "The selection contains an id that is not valid." in response.get_data(as_text=True)
    assert _statuses(session, pending) == ["pending"] * 3
    response = client.post(f"{base}/registrations/bulk", data={
        "csrf_token": token, "action": "approve", "ids": [str(i) for i in pending[:2]],
        "language": "ar"})
    assert response.status_code == 302 and "language=ar" in response.headers["Location"]
    assert "2 registrations updated." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _statuses(session, pending) == ["confirmed", "confirmed", "pending"]
    stranger = make_user(Role.AMBASSADOR)
    other = app_ctx.test_client()
    other.post("/login", data={"email": stranger.email, "password": PASSWORD,
                               "csrf_token": csrf_token(other)})
    response = other.post(f"{base}/registrations/bulk", data={
        "csrf_token": csrf_token(other, "/convenings"), "action": "approve",
        "ids": [str(pending[2])]})
    assert response.status_code == 403
    assert _statuses(session, pending)[2] == "pending"


def test_participants_page_pages_and_searches_names_only(login_as, make_convening, bulk_register,
                                                         session, query_counter):
    convening = make_convening()
    ids = bulk_register(convening, 120, status="confirmed")
    session.execute(Registration.__table__.update().where(Registration.id.in_(ids[:110]))
                    .values(consent_listed=True))
    session.commit()
    client, member = login_as(Role.AMBASSADOR)
    services.register(member, convening)
    session.commit()
    base = f"/convenings/{convening.id}/participants"
    html = client.get(base).get_data(as_text=True)
    assert "110 participants found" in html and "Page 1 of 3" in html
    assert "page=2" in html
    third = client.get(f"{base}?page=3").get_data(as_text=True)
    assert third.count("<tr>") == 10 + 1  # ten rows and the header
    first = session.get(Registration, ids[0]).user
    found = client.get(f"{base}?search={first.display_name.upper()}").get_data(as_text=True)
    assert "1 participant found" in found and first.display_name in found
    assert "0 participants found" in client.get(f"{base}?search={first.email}").get_data(as_text=True)
    assert client.get(f"{base}?page=x").status_code == 400

    def measure(path: str) -> int:
        db.session.expire_all()
        with query_counter() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    few = measure(base)
    bulk_register(convening, 500, status="confirmed")
    assert measure(base) == few
