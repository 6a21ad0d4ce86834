"""Initiative pages: proposing, approving, joining, milestones and updates through forms; visibility;
bad input; bounded queries on the list."""

from __future__ import annotations

from datetime import date, timedelta

from app.core.permissions import Role
from app.initiatives import services
from app.initiatives.models import Initiative, Milestone
from tests.conftest import csrf_token


def form_data(client, path: str, **changes) -> dict:
    data = {"csrf_token": csrf_token(client, path), "language": "es", "title": "Red de datos abiertos",
            "summary": "Compartir conjuntos de datos.", "goal": "Diez conjuntos en 2027.",
            "themes": ["data_protection"], "articles": ["3.3"], "visibility": "public"}
    data.update(changes)
    return data


def test_propose_approve_join_plan_and_report_through_the_pages(session, client, login, ambassador, staff):
    lead, kenya = ambassador("SN"), ambassador("KE")
    login(lead)
    assert client.post("/initiatives/new", data=form_data(client, "/initiatives/new")).status_code == 302
    initiative = session.query(Initiative).one()
    path = f"/initiatives/{initiative.id}"
    assert "Waiting for TDI staff approval" in client.get(path).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/initiatives")})
    assert client.get(path).status_code == 404  # not listed yet

    login(staff)
    assert client.post(f"{path}/approve", data={"csrf_token": csrf_token(client, path)}).status_code == 302
    assert initiative.status == "active"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/initiatives")})
    assert "Red de datos abiertos" in client.get("/initiatives").get_data(as_text=True)

    login(kenya)
    client.post(f"{path}/join", data={"csrf_token": csrf_token(client, path)})
    member = initiative.members[-1]
    assert member.state == "requested"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/initiatives")})

    login(lead)
    client.post(f"{path}/members/{member.id}/accept", data={"csrf_token": csrf_token(client, path)})
    assert member.state == "active"
    due = (date.today() + timedelta(days=40)).isoformat()
    client.post(f"{path}/milestones", data={"csrf_token": csrf_token(client, path), "title": "Charter",
                                            "due_on": due, "owner": str(member.id), "status": "planned"})
    milestone = session.query(Milestone).one()
    assert milestone.owner_id == member.id
    client.post(f"{path}/updates", data={"csrf_token": csrf_token(client, path), "body": "**First** step"})
    page = client.get(path).get_data(as_text=True)
    assert "<strong>First</strong>" in page and "Charter" in page and "Open the working group" in page


def test_bad_milestone_is_a_translated_message_and_nothing_changes(session, client, login, active):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    lead.locale = "fr"
    session.commit()
    login(lead)
    path = f"/initiatives/{initiative.id}"
    response = client.post(f"{path}/milestones", follow_redirects=True, data={
        "csrf_token": csrf_token(client, path), "title": "<script>x</script>", "due_on": "2300-01-01",
        "owner": str(initiative.members[0].id), "status": "planned"})
    assert response.status_code == 200 and "<script>x" not in response.get_data(as_text=True)
    response = client.post(f"{path}/milestones", data={
        "csrf_token": csrf_token(client, path), "title": "Charter", "due_on": "2026-01-01",
        "owner": "99999999999999", "status": "planned"}, follow_redirects=True)
    assert response.status_code == 200
    assert session.query(Milestone).count() == 0


def test_bad_proposal_stays_on_the_form(session, client, login, ambassador):
    login(ambassador("SN"))
    response = client.post("/initiatives/new", data=form_data(client, "/initiatives/new", title="",
                                                              themes=["nope"]))
    assert response.status_code == 200 and session.query(Initiative).count() == 0


def test_non_members_see_the_public_record_but_not_the_work(session, client, login_as, active):
    initiative = active()
    services.post_update(services.users_of(initiative.members[0])[0], initiative, "Secret progress")
    session.commit()
    page = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert "Réseau des équipes de réponse" in page and "Secret progress" not in page
    login_as(Role.OBSERVER)
    assert "Secret progress" not in client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert client.get("/initiatives/new").status_code == 403


def test_list_filters_and_paging_ignore_bad_values(session, client, active):
    active()
    assert client.get("/initiatives?theme=<x>&page=abc&nation=ZZZ&status=nope").status_code == 200
    assert "Réseau" in client.get("/initiatives?theme=cybersecurity").get_data(as_text=True)
    assert "Réseau" not in client.get("/initiatives?theme=ai_governance").get_data(as_text=True)
    assert client.get("/initiatives/99999999999").status_code == 404


def test_arabic_list_is_right_to_left(session, client, active, ambassador, nation):
    initiative = active()
    services.accept(ambassador("KE"), services.invite(services.users_of(initiative.members[0])[0], initiative,
                                                      nation=nation("KE")))
    session.commit()
    html = client.get("/initiatives?lang=ar").get_data(as_text=True)
    # member States named and listed the way the reader's language does it
    assert 'dir="rtl"' in html and "السنغال وكينيا" in html


def test_list_runs_a_fixed_number_of_queries(session, client, active, ambassador, nation, query_counter):
    def measure(path: str) -> int:
        with query_counter() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    active()
    few = measure("/initiatives")
    for iso2 in ("KE", "BR", "JP", "FJ", "NP", "FR"):
        item = active(iso2=iso2)
        lead = services.users_of(item.members[0])[0]
        services.accept(ambassador("GH"), services.invite(lead, item, nation=nation("GH")))
    session.commit()
    assert measure("/initiatives") == few
    assert measure("/initiatives?nation=GH&theme=cybersecurity") == few


def test_public_updates_reach_visitors_and_the_atom_feed(session, client, active, ambassador):
    from xml.etree import ElementTree as ET

    shared, private = active(), active(iso2="KE", visibility="members")
    lead = services.users_of(shared.members[0])[0]
    services.post_update(lead, shared, "Members only news")
    services.post_update(lead, shared, "**Charter** signed", public=True)
    kenya = services.users_of(private.members[0])[0]
    services.post_update(kenya, private, "Hidden")
    import pytest

    from app.core.errors import Invalid
    with pytest.raises(Invalid):
        services.post_update(kenya, private, "Shared?", public=True)
    session.commit()
    page = client.get(f"/initiatives/{shared.id}").get_data(as_text=True)
    assert "<strong>Charter</strong>" in page and "Members only news" not in page
    response = client.get("/initiatives/feed.atom")
    assert response.mimetype == "application/atom+xml"
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.fromstring(response.data).findall(f"{atom}entry")
    assert len(entries) == 1 and "<strong>Charter</strong>" in entries[0].find(f"{atom}content").text
    assert "Hidden" not in response.get_data(as_text=True)


def test_video_link_is_for_members_only_and_unguessable(session, app, client, login, login_as, active):
    initiative, other = active(), active(iso2="KE")
    lead = services.users_of(initiative.members[0])[0]
    assert services.meeting_url(lead, initiative) is None  # no meeting server configured
    app.config["MEETING_URL_TEMPLATE"] = "https://meet.example.org/{room}"
    try:
        url = services.meeting_url(lead, initiative)
        assert url and url.startswith("https://meet.example.org/tdi-") and len(url) > 60
        assert url != services.meeting_url(services.users_of(other.members[0])[0], other)
        assert services.meeting_url(None, initiative) is None
        assert url not in client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
        login(lead)
        assert url in client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    finally:
        app.config["MEETING_URL_TEMPLATE"] = ""


def test_fair_times_page_for_members(session, client, login, login_as, active):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    path = f"/initiatives/{initiative.id}/fair-times"
    first = (date.today() + timedelta(days=3)).isoformat()
    login(lead)
    html = client.get(f"{path}?first_day={first}&last_day={first}&duration=60").get_data(as_text=True)
    assert "Proposal 1" in html
    html = client.get(f"{path}?first_day={first}&last_day=2400-01-01&duration=60").get_data(as_text=True)
    assert "Proposal 1" not in html and 'class="error"' in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/initiatives")})
    login_as(Role.OBSERVER)
    assert client.get(path).status_code == 403


def test_markup_in_every_field_is_shown_as_text(session, client, login, ambassador, staff):
    attack = '<img src=x onerror=alert(1)><script>alert(2)</script>'
    lead = ambassador("SN")
    login(lead)
    client.post("/initiatives/new", data=form_data(client, "/initiatives/new", title=attack, summary=attack,
                                                   goal=attack))
    initiative = session.query(Initiative).one()
    services.approve_initiative(staff, initiative)
    session.commit()
    path = f"/initiatives/{initiative.id}"
    due = (date.today() + timedelta(days=5)).isoformat()
    client.post(f"{path}/milestones", data={"csrf_token": csrf_token(client, path), "title": attack,
                                            "due_on": due, "owner": str(initiative.members[0].id)})
    client.post(f"{path}/updates", data={"csrf_token": csrf_token(client, path), "body": attack,
                                         "public": "y"})
    assert session.query(Milestone).count() == 1
    for page in (client.get(path), client.get("/initiatives"), client.get("/initiatives/feed.atom")):
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in client.get(path).get_data(as_text=True)


def test_the_record_of_a_completed_initiative_is_readable_by_all(session, client, active):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    met = services.add_milestone(lead, initiative, "Charter signed", date.today(), initiative.members[0].id)
    services.edit_milestone(lead, met, met.title, met.due_on, initiative.members[0].id, "met")
    services.post_update(lead, initiative, "Members only")
    services.post_update(lead, initiative, "Shared news", public=True)
    session.commit()
    record = f"/initiatives/{initiative.id}/record"
    assert "Charter signed" not in client.get(record).get_data(as_text=True)  # still work in progress
    services.change_status(lead, initiative, "completed", "Two exercises held.")
    session.commit()
    html = client.get(record).get_data(as_text=True)
    assert "Charter signed" in html and "Two exercises held." in html and "Shared news" in html
    assert "Members only" not in html and "<form" not in html.split("<main", 1)[-1].split("</main>")[0]


def test_a_lead_invites_a_supporting_partner_whose_representative_accepts(session, client, login, active,
                                                                         partner_rep):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    user, partner = partner_rep
    path = f"/initiatives/{initiative.id}"
    login(lead)
    assert "Open Lab" in client.get(path).get_data(as_text=True)
    client.post(f"{path}/invite", data={"csrf_token": csrf_token(client, path), "partner": "99999"})
    assert len(initiative.members) == 1
    client.post(f"{path}/invite", data={"csrf_token": csrf_token(client, path), "partner": str(partner.id)})
    member = initiative.members[-1]
    assert member.partner_id == partner.id and member.state == "invited"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/initiatives")})
    login(user)
    client.post(f"{path}/members/{member.id}/accept", data={"csrf_token": csrf_token(client, path)})
    assert member.state == "active" and member.user_id == user.id


def test_a_lead_moves_a_milestone_and_gives_it_to_another_member(session, client, login, active, ambassador):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    kenya = services.accept(lead, services.ask_to_join(ambassador("KE"), initiative))
    milestone = services.add_milestone(lead, initiative, "Charter", date.today() + timedelta(days=9),
                                       initiative.members[0].id)
    session.commit()
    path = f"/initiatives/{initiative.id}"
    login(lead)
    assert f'action="{path}/milestones/{milestone.id}"' in client.get(path).get_data(as_text=True)
    later = date.today() + timedelta(days=30)
    client.post(f"{path}/milestones/{milestone.id}", data={
        "csrf_token": csrf_token(client, path), "title": "Charter signed", "due_on": later.isoformat(),
        "owner": str(kenya.id), "status": "planned"})
    assert (milestone.title, milestone.due_on, milestone.owner_id) == ("Charter signed", later, kenya.id)


def test_proposers_find_their_proposals_and_staff_find_them_to_approve(session, client, login, proposed,
                                                                       staff, make_user):
    initiative = proposed(title="Sandbox for public AI")
    lead = services.users_of(initiative.members[0])[0]
    login(lead)
    html = client.get("/initiatives").get_data(as_text=True)
    assert "Your initiatives" in html and "Sandbox for public AI" in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/initiatives")})
    assert "Sandbox for public AI" not in client.get("/initiatives").get_data(as_text=True)
    login(staff)
    html = client.get("/initiatives?status=proposed").get_data(as_text=True)
    assert "Sandbox for public AI" in html and "Waiting for TDI staff approval" in html


def test_leads_link_published_library_practices(session, client, login, active, ambassador, staff, make_user):
    from app.library import services as library_services
    from app.library.services import PracticeFields

    author = ambassador("KE")
    fields = PracticeFields(title="County help desks", summary="Complaints on paper.", body="Help desks.",
                            kind="institution", policy_status="in_force", visibility="public", year=2022,
                            themes=["data_protection"], articles=["2.2"], links=[])
    practice = library_services.create_practice(author, fields, language="en")
    draft = library_services.create_practice(author, fields, language="en")
    library_services.submit_practice(author, practice)
    library_services.publish_practice(staff, practice)
    initiative = active()
    session.commit()
    lead = services.users_of(initiative.members[0])[0]
    path = f"/initiatives/{initiative.id}"
    login(lead)
    for raw in (f"/library/{draft.id}", "not a practice", "/library/99999999"):
        client.post(f"{path}/practices", data={"csrf_token": csrf_token(client, path), "practice": raw})
    assert initiative.practice_ids == []
    client.post(f"{path}/practices", data={"csrf_token": csrf_token(client, path),
                                           "practice": f"http://localhost/library/{practice.id}"})
    assert initiative.practice_ids == [practice.id]
    client.post(f"{path}/practices", data={"csrf_token": csrf_token(client, path), "practice": str(practice.id)})
    assert initiative.practice_ids == [practice.id]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/initiatives")})
    assert "County help desks" in client.get(path).get_data(as_text=True)
    login(lead)
    client.post(f"{path}/practices/{practice.id}/unlink", data={"csrf_token": csrf_token(client, path)})
    assert initiative.practice_ids == []
