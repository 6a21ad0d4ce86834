"""Registry rules: signatures, partners, notifications, appointments, exports, commitments."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import Role
from app.registry import services
from app.registry.models import DepositaryNotification, Partner, PartnerStatus, Signature


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- signatures -------------------------------------------------------------------------------

def test_recording_a_signature_notifies_and_audits(session, sign, organiser) -> None:
    signature = sign("UZ")
    assert signature.is_active and signature.is_founding
    notification = session.scalar(select(DepositaryNotification))
    assert notification.kind == "signature" and notification.nation.iso2 == "UZ"
    assert notification.number == f"TDI/DN/{utcnow().year}/0001"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "registry.signature_recorded"))
    assert event.actor_id == organiser.id and event.data["nation"] == "UZ"


def test_notifications_are_numbered_in_sequence(session, sign) -> None:
    sign("UZ")
    sign("FR", date(2026, 1, 5))
    numbers = [n.number for n in services.list_notifications()]
    year = utcnow().year
    assert numbers == [f"TDI/DN/{year}/0002", f"TDI/DN/{year}/0001"]


def test_notifications_are_immutable(session, sign) -> None:
    sign("UZ")
    notification = session.scalar(select(DepositaryNotification))
    notification.kind = "withdrawal"
    with pytest.raises(ValueError, match="immutable"):
        session.flush()
    session.rollback()


def test_one_active_signature_per_state(session, sign) -> None:
    sign("UZ")
    with pytest.raises(Conflict) as error:
        sign("UZ", date(2026, 2, 1))
    assert error.value.code == "already_signed"
    assert count(session, Signature) == 1


@pytest.mark.parametrize("day, code", [
    (date(2025, 10, 31), "date_too_early"),
    (None, "date_required"),
])
def test_signature_dates_out_of_range(session, sign, day, code) -> None:
    with pytest.raises(Invalid) as error:
        sign("UZ", day)
    assert error.value.code == code and error.value.field == "signed_on"
    assert count(session, Signature) == 0


def test_signature_cannot_be_in_the_future(session, sign) -> None:
    with pytest.raises(Invalid) as error:
        sign("UZ", utcnow().date() + timedelta(days=1))
    assert error.value.code == "date_future"


def test_unknown_iso_code_is_refused(session, sign) -> None:
    with pytest.raises(Invalid) as error:
        sign("XX")
    assert error.value.code == "nation_unknown"


@pytest.mark.parametrize("field", ["authority_name", "authority_title", "note_reference", "note"])
def test_markup_is_refused_everywhere(session, sign, field) -> None:
    with pytest.raises(Invalid) as error:
        sign("UZ", **{field: "Jane <script>alert(1)</script>"})
    assert error.value.code == "markup" and error.value.field == field
    assert count(session, Signature) == 0 and count(session, DepositaryNotification) == 0


def test_only_organisers_record_signatures(session, make_user, nation) -> None:
    ambassador = make_user(Role.AMBASSADOR, nation=nation("UZ"))
    with pytest.raises(Forbidden):
        services.record_signature(ambassador, "UZ", signed_on=date(2025, 11, 1),
                                  authority_name="A", authority_title="B", note_reference="C")


def test_correction_keeps_history_in_the_audit_trail(session, sign, organiser) -> None:
    signature = sign("FR", date(2026, 1, 5))
    services.correct_signature(organiser, signature, signed_on=date(2026, 1, 6),
                               authority_name="Jane Minister",
                               authority_title="Minister for Europe and Foreign Affairs",
                               note_reference="NV/FR/1")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "registry.signature_corrected"))
    assert event.data["before"] == {"signed_on": "2026-01-05",
                                    "authority_title": "Minister of Foreign Affairs"}
    assert event.data["after"]["signed_on"] == "2026-01-06"
    assert services.list_notifications()[0].kind == "correction"


def test_withdrawal_keeps_the_entry_and_allows_a_new_signature(session, sign, organiser) -> None:
    signature = sign("FR", date(2026, 1, 5))
    with pytest.raises(Invalid) as error:
        services.withdraw_signature(organiser, signature, date(2026, 1, 4))
    assert error.value.code == "withdrawal_before_signature"
    services.withdraw_signature(organiser, signature, date(2026, 3, 1))
    assert not signature.is_active and count(session, Signature) == 1
    with pytest.raises(Conflict):
        services.withdraw_signature(organiser, signature, date(2026, 3, 2))
    again = sign("FR", date(2026, 4, 1))
    assert again.is_active
    entries = services.registry_states(services.RegistryFilters())
    assert [e.signature.id for e in entries] == [again.id]


# --- partners ---------------------------------------------------------------------------------

def test_application_confirmation_approval_and_publication(session, apply_partner, organiser,
                                                           mailbox) -> None:
    partner = apply_partner(confirm=False)
    assert partner.status == PartnerStatus.UNCONFIRMED.value
    with pytest.raises(NotFound):
        services.get_public_partner(partner.id)
    with pytest.raises(Conflict):
        services.approve_partner(organiser, partner)
    partner.status = PartnerStatus.PENDING.value
    services.approve_partner(organiser, partner, date(2026, 2, 1))
    assert services.get_public_partner(partner.id).endorsed_on == date(2026, 2, 1)
    assert services.list_notifications()[0].kind == "endorsement"


def test_international_domain_names_are_accepted(session, apply_partner) -> None:
    partner = apply_partner(website="https://münchen-digital.example.de/über")
    assert partner.website_key == "münchen-digital.example.de/über"


def test_confirmation_link_moves_application_to_the_queue(session, organiser) -> None:
    partner, token = services.apply_as_partner(
        name="Université Numérique", category="academia", country="SN",
        website="https://univ.example.sn", contact_name="Awa", contact_email="awa@univ.example.sn",
        statement="Nous soutenons.", locale="fr")
    services.confirm_partner_email(token)
    assert partner.status == PartnerStatus.PENDING.value
    assert partner in services.partner_queue(organiser)
    with pytest.raises(Invalid):
        services.confirm_partner_email(token + "x")


def test_rejection_needs_a_reason(session, apply_partner, organiser) -> None:
    partner = apply_partner()
    with pytest.raises(Invalid):
        services.reject_partner(organiser, partner, "  ")
    services.reject_partner(organiser, partner, "Not an organisation.")
    assert partner.status == PartnerStatus.REJECTED.value
    with pytest.raises(NotFound):
        services.get_public_partner(partner.id)


def test_only_organisers_decide(session, apply_partner, make_user) -> None:
    partner = apply_partner()
    with pytest.raises(Forbidden):
        services.approve_partner(make_user(Role.PARTNER), partner)
    with pytest.raises(Forbidden):
        services.partner_queue(make_user(Role.OBSERVER))


@pytest.mark.parametrize("changes", [
    {"name": "acme  DIGITAL 1!"},
    {"name": "Other", "website": "http://www.ACME1.example.org/"},
])
def test_duplicate_organisations_are_caught(session, apply_partner, changes) -> None:
    apply_partner(name="Acme Digital 1", website="https://acme1.example.org")
    with pytest.raises(Conflict) as error:
        apply_partner(**{"website": "https://new.example.org", **changes})
    assert error.value.code == "partner_duplicate"


@pytest.mark.parametrize("field, value, code", [
    ("website", "javascript:alert(1)", "url_invalid"),
    ("website", "https://localhost", "url_invalid"),
    ("website", "ftp://files.example.org", "url_invalid"),
    ("website", "https://a..b.example.org:99999/", "url_invalid"),
    ("website", "https://[::1", "url_invalid"),
    ("name", "<b>Acme</b>", "markup"),
    ("statement", "x" * 3001, "too_long"),
    ("category", "government", "category_unknown"),
    ("country", "ZZ", "nation_unknown"),
    ("contact_email", "not-an-address", "email_invalid"),
])
def test_bad_applications_store_nothing(session, apply_partner, field, value, code) -> None:
    with pytest.raises(Invalid) as error:
        apply_partner(**{field: value})
    assert error.value.code == code and error.value.field == field
    assert count(session, Partner) == 0


def test_decision_email_goes_out_in_the_applicants_language(app, session, apply_partner, organiser,
                                                           mailbox) -> None:
    partner = apply_partner(locale="fr")
    services.reject_partner(organiser, partner, "Hors du champ.")
    session.commit()
    message = mailbox.to(partner.contact_email)[-1]
    assert "Hors du champ." in message.get_body(("plain",)).get_content()


# --- appointments, subscriptions ---------------------------------------------------------------

def test_appointment_links_the_account_and_notifies(session, organiser, make_user, nation) -> None:
    user = make_user(Role.AMBASSADOR, nation=nation("UZ"))
    appointment = services.appoint_ambassador(
        organiser, "UZ", name="Dilnoza Rashidova", title="Deputy Minister", level="deputy_ministerial",
        appointed_on=date(2025, 12, 1), user_email=user.email)
    assert appointment.user_id == user.id
    assert services.current_appointment(nation("UZ")) == appointment
    assert services.list_notifications()[0].kind == "appointment"
    with pytest.raises(Invalid) as error:
        services.appoint_ambassador(organiser, "UZ", name="X", title="Y", level="king",
                                    appointed_on=date(2025, 12, 1))
    assert error.value.code == "level_unknown"


def test_subscription_confirm_receive_and_unsubscribe(session, sign, mailbox) -> None:
    subscription = services.subscribe("Reader@Example.org", "ru")
    sign("UZ")
    session.commit()
    assert not mailbox.to("reader@example.org")[1:]
    services.confirm_subscription(subscription.token)
    sign("FR", date(2026, 1, 5))
    session.commit()
    messages = mailbox.to("reader@example.org")
    body = messages[-1].get_body(("plain",)).get_content()
    assert len(messages) == 2 and "5 января 2026" in body  # rendered in the subscriber's language
    assert f"/registry/subscriptions/{subscription.token}/unsubscribe" in body
    assert services.unsubscribe(subscription.token) == "reader@example.org"
    with pytest.raises(NotFound):
        services.unsubscribe(subscription.token)


# --- search, filters, exports -----------------------------------------------------------------

def test_search_in_any_interface_language(app, session, sign) -> None:
    sign("UZ")
    sign("FR", date(2026, 1, 5))
    for query in ("Узбекистан", "ouzbekistan", "乌兹别克斯坦", "أوزبكستان", "uzbekistán", "UZ"):
        found = services.registry_states(services.RegistryFilters(q=query))
        assert [e.nation.iso2 for e in found] == ["UZ"], query


def test_filters_by_region_grouping_and_status(session, sign, organiser) -> None:
    sign("UZ")
    sign("FR", date(2026, 1, 5))
    fiji = sign("FJ", date(2026, 2, 5))
    services.withdraw_signature(organiser, fiji, date(2026, 3, 1))
    states = lambda **f: {e.nation.iso2 for e in services.registry_states(services.RegistryFilters(**f))}  # noqa: E731
    assert states(region="150") == {"FR"}
    assert states(subregion="143") == {"UZ"}
    assert states(grouping="LLDC") == {"UZ"}
    assert states(grouping="SIDS") == {"FJ"}
    assert states(grouping="none") == {"FR"}
    assert states(status="withdrawn") == {"FJ"}
    assert states(status="active") == {"UZ", "FR"}


def test_unknown_filter_values_are_refused(session) -> None:
    with pytest.raises(Invalid) as error:
        services.parse_filters({"region": "999"})
    assert error.value.code == "filter_invalid"


def test_partner_filters_and_search(session, apply_partner, organiser) -> None:
    a = apply_partner(name="Tashkent Data Lab", country="UZ", category="civil_society")
    b = apply_partner(name="Paris Code School", country="FR", category="academia")
    apply_partner(name="Unapproved Org", country="FR")
    for partner in (a, b):
        services.approve_partner(organiser, partner)
    names = lambda **f: [p.name for p in services.registry_partners(services.RegistryFilters(**f)).partners]  # noqa: E731
    assert names() == ["Paris Code School", "Tashkent Data Lab"]
    assert names(q="data") == ["Tashkent Data Lab"]
    assert names(q="Узбекистан") == ["Tashkent Data Lab"]  # the country's name, in Russian
    assert names(category="academia") == ["Paris Code School"]
    assert names(region="142", grouping="LLDC") == ["Tashkent Data Lab"]
    assert names(country="FR") == ["Paris Code School"]


def test_csv_export_neutralises_formulas_and_honours_filters(session, apply_partner, organiser,
                                                            sign) -> None:
    sign("UZ")
    for name in ("=HYPERLINK(\"x\")", "+Plus Org", "-Minus Org", "@At Org", "Plain Org"):
        services.approve_partner(organiser, apply_partner(name=name))
    rows = list(csv.DictReader(io.StringIO(services.export_csv(services.RegistryFilters()))))
    assert list(rows[0]) == list(services.EXPORT_COLUMNS)
    state = rows[0]
    assert (state["kind"], state["name"], state["iso3"], state["region"], state["groupings"],
            state["date"], state["status"]) == ("state", "Uzbekistan", "UZB", "142", "LLDC",
                                                 "2025-11-01", "active")
    partner_names = {r["name"] for r in rows if r["kind"] == "partner"}
    assert partner_names == {"'=HYPERLINK(\"x\")", "'+Plus Org", "'-Minus Org", "'@At Org", "Plain Org"}
    only = list(csv.DictReader(io.StringIO(services.export_csv(services.RegistryFilters(kind="states")))))
    assert [r["kind"] for r in only] == ["state"]


def test_counts(session, sign, apply_partner, organiser) -> None:
    sign("UZ")
    services.withdraw_signature(organiser, sign("FR", date(2026, 1, 5)), date(2026, 2, 1))
    services.approve_partner(organiser, apply_partner(category="academia"))
    apply_partner()
    counts = services.registry_counts()
    assert (counts.states, counts.withdrawn, counts.partners) == (1, 1, 1)
    assert counts.by_category["academia"] == 1 and counts.by_category["private_sector"] == 0


# --- commitments ------------------------------------------------------------------------------

def test_ambassador_reports_only_for_their_own_signatory_state(session, sign, make_user,
                                                               nation, organiser) -> None:
    ambassador = make_user(Role.AMBASSADOR, nation=nation("UZ"))
    with pytest.raises(Invalid) as error:
        services.report_progress(ambassador, nation("UZ"), commitment="1.1", status="implemented",
                                 narrative="Appointed.", evidence="")
    assert error.value.code == "not_signatory"
    sign("UZ")
    sign("FR", date(2026, 1, 5))
    with pytest.raises(Forbidden):
        services.report_progress(ambassador, nation("FR"), commitment="1.1", status="implemented",
                                 narrative="Appointed.", evidence="")
    with pytest.raises(Forbidden):
        services.report_progress(organiser, nation("UZ"), commitment="1.1", status="implemented",
                                 narrative="Appointed.", evidence="")
    first = services.report_progress(ambassador, nation("UZ"), commitment="1.1",
                                     status="in_progress", narrative="Decree drafted.",
                                     evidence="https://gov.example.uz/decree")
    second = services.report_progress(ambassador, nation("UZ"), commitment="1.1",
                                      status="implemented", narrative="Decree signed.", evidence=[])
    assert services.latest_reports(nation("UZ"))["1.1"] == second
    assert services.report_history(nation("UZ"), "1.1") == [second, first]
    services.review_report(organiser, first)
    assert first.reviewed_at is not None and first.reviewed_by_id == organiser.id


@pytest.mark.parametrize("fields, code", [
    ({"commitment": "9.9"}, "commitment_unknown"),
    ({"status": "done"}, "status_unknown"),
    ({"narrative": "<img src=x onerror=alert(1)>"}, "markup"),
    ({"narrative": "x" * 5001}, "too_long"),
    ({"evidence": "javascript:alert(1)"}, "url_invalid"),
])
def test_bad_reports_store_nothing(session, sign, make_user, nation, fields, code) -> None:
    sign("UZ")
    ambassador = make_user(Role.AMBASSADOR, nation=nation("UZ"))
    values = {"commitment": "1.1", "status": "implemented", "narrative": "Done.", "evidence": ""}
    values.update(fields)
    with pytest.raises(Invalid) as error:
        services.report_progress(ambassador, nation("UZ"), **values)
    assert error.value.code == code
    assert services.latest_reports(nation("UZ")) == {}


def test_progress_overview(session, sign, make_user, nation, organiser) -> None:
    sign("UZ")
    sign("FR", date(2026, 1, 5))
    services.withdraw_signature(organiser, sign("FJ", date(2026, 2, 1)), date(2026, 3, 1))
    ambassador = make_user(Role.AMBASSADOR, nation=nation("UZ"))
    services.report_progress(ambassador, nation("UZ"), commitment="1.1", status="implemented",
                             narrative="Done.", evidence="")
    overview = services.progress_overview()
    first = overview.by_commitment[0]
    assert first.counts == {"not_started": 1, "in_progress": 0, "implemented": 1}
    developing, rest = overview.by_grouping
    assert developing.counts["implemented"] == 1 and developing.total == 8 and rest.total == 8
    assert overview.over_time == [(date(2025, 11, 1), 1), (date(2026, 1, 5), 2),
                                  (date(2026, 2, 1), 3), (date(2026, 3, 1), 2)]
    assert {n.iso2 for n in overview.signatories} == {"UZ", "FR"}


def test_notifications_are_paged_newest_first(session, sign) -> None:
    for iso2 in ("UZ", "FR", "KE"):
        sign(iso2, date(2026, 1, 5))
    assert [n.nation.iso2 for n in services.list_notifications(limit=2)] == ["KE", "FR"]
    assert [n.nation.iso2 for n in services.list_notifications(limit=2, page=2)] == ["UZ"]
    assert services.notification_pages(limit=2) == 2
