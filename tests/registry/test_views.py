"""Registry pages: public list, exports, feed, application form, organiser pages, query bounds."""

from __future__ import annotations

import json
import re
from datetime import date
from xml.etree import ElementTree as ET

from sqlalchemy import select

from app.core.permissions import Role
from app.registry import services
from app.registry.models import Partner, PartnerStatus
from tests.conftest import csrf_token

ATOM = "{http://www.w3.org/2005/Atom}"


def test_public_registry_lists_states_and_partners(client, sign, apply_partner, organiser) -> None:
    sign("UZ")
    services.approve_partner(organiser, apply_partner(name="Samarkand Code Lab", country="UZ"))
    apply_partner(name="Hidden Pending Org")
    html = client.get("/registry").get_data(as_text=True)
    assert "Uzbekistan" in html and "Founding signatory" in html
    assert "Samarkand Code Lab" in html and "Hidden Pending Org" not in html
    assert "ann" not in html.split("<main", 1)[1]  # no contact details


def test_russian_visitor_finds_uzbekistan(client, sign) -> None:
    sign("UZ")
    sign("FR", date(2026, 1, 5))
    html = client.get("/registry?lang=ru&q=Узбекистан&kind=states").get_data(as_text=True)
    assert '<a href="/registry/states/UZ">Узбекистан</a>' in html
    assert "/registry/states/FR" not in html


def test_bad_filter_is_a_clear_400(client) -> None:
    response = client.get("/registry?region=nowhere")
    assert response.status_code == 400 and "Unknown filter value" in response.get_data(as_text=True)


def test_state_and_partner_pages(client, sign, apply_partner, organiser) -> None:
    sign("UZ")
    assert "Jane Minister" in client.get("/registry/states/uz").get_data(as_text=True)
    assert client.get("/registry/states/zz").status_code == 404
    pending = apply_partner()
    assert client.get(f"/registry/partners/{pending.id}").status_code == 404
    services.approve_partner(organiser, pending)
    page = client.get(f"/registry/partners/{pending.id}").get_data(as_text=True)
    assert pending.name in page and pending.contact_email not in page


def test_exports_honour_filters(client, sign, apply_partner, organiser) -> None:
    sign("UZ")
    sign("FR", date(2026, 1, 5))
    services.approve_partner(organiser, apply_partner(name="=cmd|' /C calc'!A0"))
    response = client.get("/registry.csv?region=150")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == ",".join(services.EXPORT_COLUMNS)
    assert len(lines) == 3 and lines[1].startswith("state,France,FR,FRA")
    assert lines[2].startswith("partner,'=cmd")
    data = client.get("/registry.json?kind=states&status=active").get_json()
    assert data["columns"] == list(services.EXPORT_COLUMNS)
    assert {e["iso2"] for e in data["entries"]} == {"UZ", "FR"}


def test_atom_feed_parses_and_lists_notifications(client, sign) -> None:
    sign("UZ")
    response = client.get("/registry/notifications.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text and feed.find(f"{ATOM}updated").text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert re.fullmatch(r"TDI/DN/\d{4}/0001", entries[0].find(f"{ATOM}title").text)
    assert "Uzbekistan" in entries[0].find(f"{ATOM}summary").text


def test_application_form_stores_and_reports_errors(client, session) -> None:
    token = csrf_token(client, "/registry/apply")
    form = {"csrf_token": token, "name": "Open Data Kenya", "category": "civil_society",
            "country": "KE", "website": "https://opendata.example.ke", "contact_name": "Wanjiru",
            "contact_email": "w@opendata.example.ke", "statement": "We endorse it."}
    bad = client.post("/registry/apply", data={**form, "website": "not a url"})
    assert bad.status_code == 400 and "Enter a full web address" in bad.get_data(as_text=True)
    assert session.scalar(select(Partner)) is None
    assert client.post("/registry/apply", data=form).status_code == 200
    partner = session.scalar(select(Partner))
    assert partner.status == PartnerStatus.UNCONFIRMED.value and partner.locale == "en"


def test_organiser_pages_are_for_organisers(client, login_as, nation, apply_partner) -> None:
    assert client.get("/registry/manage").status_code == 302
    amb_client, _ = login_as(Role.AMBASSADOR, nation=nation("UZ"))
    assert amb_client.get("/registry/manage").status_code == 403
    assert amb_client.get("/registry/manage/signatures/new").status_code == 403
    assert amb_client.get("/registry/manage/audit").status_code == 403


def test_organiser_records_a_signature_in_the_browser_flow(client, login_as, session) -> None:
    org_client, _ = login_as(Role.ORGANISER)
    token = csrf_token(org_client, "/registry/manage/signatures/new")
    form = {"csrf_token": token, "nation": "KE", "signed_on": "2026-02-03",
            "authority_name": "Musalia", "authority_title": "Cabinet Secretary",
            "note_reference": "NV/KE/7"}
    future = org_client.post("/registry/manage/signatures/new", data={**form, "signed_on": "2099-01-01"})
    assert future.status_code == 400 and "cannot be in the future" in future.get_data(as_text=True)
    response = org_client.post("/registry/manage/signatures/new", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/registry/states/KE")
    assert "registry.signature_recorded" in org_client.get("/registry/manage/audit").get_data(as_text=True)


def test_ambassador_reports_progress(client, login_as, nation, sign, session) -> None:
    sign("UZ")
    amb_client, _ = login_as(Role.AMBASSADOR, nation=nation("UZ"))
    token = csrf_token(amb_client, "/registry/progress/report")
    response = amb_client.post("/registry/progress/report", data={
        "csrf_token": token, "commitment": "1.1", "status": "implemented",
        "narrative": "Ambassador appointed.", "evidence": "https://gov.example.uz/a"})
    assert response.status_code == 302
    assert "Ambassador appointed." in amb_client.get("/registry/states/UZ").get_data(as_text=True)


def test_one_click_unsubscribe_by_post_without_a_form_token(client, session) -> None:
    subscription = services.subscribe("y@example.org", "en")
    response = client.post(f"/registry/subscriptions/{subscription.token}/unsubscribe",
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "y@example.org" in response.get_data(as_text=True)


def test_subscription_pages(client, session, mailbox) -> None:
    token = csrf_token(client, "/registry/notifications")
    assert client.post("/registry/subscribe", data={"csrf_token": token, "email": "x@example.org"}).status_code == 302
    subscription = services.subscribe("x@example.org", "en")
    assert client.get(f"/registry/subscriptions/{subscription.token}/confirm").status_code == 302
    url = f"/registry/subscriptions/{subscription.token}/unsubscribe"
    # GET (a person, or a link scanner) only asks to confirm; the one-click POST needs no form token.
    confirm = client.get(url)
    assert confirm.status_code == 200 and f'action="{url}"' in confirm.get_data(as_text=True)
    assert "x@example.org" in client.post(url, data={"List-Unsubscribe": "One-Click"}).get_data(as_text=True)
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404


def test_progress_page_renders_charts_tables_and_map(client, sign) -> None:
    sign("UZ")
    html = client.get("/registry/progress").get_data(as_text=True)
    assert html.count("<svg") >= 5 and 'class="signatory"' in html and "<table" in html


def test_registry_page_query_count_does_not_grow(client, sign, apply_partner, organiser,
                                                 query_counter) -> None:
    def measure() -> int:
        with query_counter() as counter:
            assert client.get("/registry").status_code == 200
        return counter.count

    sign("UZ")
    services.approve_partner(organiser, apply_partner())
    few = measure()
    for iso2 in ("FR", "KE", "BR", "JP", "DE"):
        sign(iso2, date(2026, 1, 5))
    for _ in range(10):
        services.approve_partner(organiser, apply_partner())
    assert measure() == few


def test_json_export_is_valid_json(client) -> None:
    assert json.loads(client.get("/registry.json").get_data(as_text=True))["entries"] == []


def test_organiser_corrects_and_withdraws_in_the_pages(login_as, sign, session) -> None:
    signature = sign("FR", date(2026, 1, 5))
    org_client, _ = login_as(Role.ORGANISER)
    path = f"/registry/manage/signatures/{signature.id}"
    token = csrf_token(org_client, path)
    response = org_client.post(path, data={
        "csrf_token": token, "correct-csrf_token": token, "correct-signed_on": "2026-01-06",
        "correct-authority_name": "Jean Ministre", "correct-authority_title": "Minister",
        "correct-note_reference": "NV/FR/1"})
    assert response.status_code == 302 and signature.authority_name == "Jean Ministre"
    early = org_client.post(path, data={"withdraw-csrf_token": token,
                                        "withdraw-withdrawn_on": "2025-01-01"})
    assert early.status_code == 400 and signature.withdrawn_on is None
    org_client.post(path, data={"withdraw-csrf_token": token, "withdraw-withdrawn_on": "2026-03-01"})
    assert signature.withdrawn_on == date(2026, 3, 1)
    page = org_client.get("/registry/states/FR").get_data(as_text=True)
    assert "Withdrawn on" in page


def test_organiser_rejects_with_a_reason(login_as, apply_partner, mailbox, session) -> None:
    partner = apply_partner()
    org_client, _ = login_as(Role.ORGANISER)
    token = csrf_token(org_client, f"/registry/manage/partners/{partner.id}")
    assert partner.contact_email in org_client.get(f"/registry/manage/partners/{partner.id}").get_data(as_text=True)
    empty = org_client.post(f"/registry/manage/partners/{partner.id}/reject",
                            data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 400 and partner.status == PartnerStatus.PENDING.value
    org_client.post(f"/registry/manage/partners/{partner.id}/reject",
                    data={"csrf_token": token, "reason": "Outside the scope."})
    assert partner.status == PartnerStatus.REJECTED.value
    assert "Outside the scope." in mailbox.to(partner.contact_email)[-1].get_body(("plain",)).get_content()


def test_state_page_keeps_report_history(client, sign, make_user, nation) -> None:
    sign("UZ")
    ambassador = make_user(Role.AMBASSADOR, nation=nation("UZ"))
    for status, text in (("in_progress", "Decree drafted."), ("implemented", "Decree signed.")):
        services.report_progress(ambassador, nation("UZ"), commitment="1.2", status=status,
                                 narrative=text, evidence="")
    html = client.get("/registry/states/UZ").get_data(as_text=True)
    assert "Decree signed." in html and "Earlier reports" in html and "Decree drafted." in html


def test_exports_never_contain_contact_details(client, apply_partner, organiser) -> None:
    services.approve_partner(organiser, apply_partner(contact_email="secret@example.org"))
    apply_partner(name="Pending Org")
    body = client.get("/registry.json").get_data(as_text=True) + client.get("/registry.csv").get_data(as_text=True)
    assert "secret@example.org" not in body and "Pending Org" not in body


def test_public_forms_are_rate_limited(client) -> None:
    token = csrf_token(client, "/registry/apply")
    codes = [client.post("/registry/apply", data={"csrf_token": token, "name": ""}).status_code
             for _ in range(11)]
    assert codes[:10] == [400] * 10 and codes[10] == 429


def test_bad_filter_on_json_export_answers_json(client) -> None:
    response = client.get("/registry.json?category=government")
    assert response.status_code == 400 and response.get_json()["code"] == "filter_invalid"
