"""Initiatives on the registry: each State's page lists them, the tracker counts them (Article 3.3)."""

from __future__ import annotations

from app.initiatives import services


def test_a_states_page_lists_the_initiatives_it_leads_or_joins(session, client, active, ambassador):
    initiative = active(title="Réseau des équipes de réponse")
    kenya = ambassador("KE")
    member = services.ask_to_join(kenya, initiative)
    session.commit()
    services.accept(initiative.created_by, member)  # Senegal's ambassador proposed it and leads
    session.commit()

    senegal = client.get("/registry/states/SN").get_data(as_text=True)
    assert "Joint initiatives" in senegal and "Réseau des équipes de réponse" in senegal and "leads" in senegal
    page_kenya = client.get("/registry/states/KE").get_data(as_text=True)
    assert "Réseau des équipes de réponse" in page_kenya and "takes part" in page_kenya
    assert "no listed initiative yet" in client.get("/registry/states/FR").get_data(as_text=True)


def test_members_only_and_unapproved_initiatives_stay_off_a_public_state_page(session, client, proposed, active):
    proposed(title="Pas encore approuvée")
    active(title="Réservée aux membres", visibility="members")
    page = client.get("/registry/states/SN").get_data(as_text=True)
    assert "Pas encore approuvée" not in page and "Réservée aux membres" not in page


def test_the_tracker_counts_cooperation_by_region_in_the_readers_language(session, client, active, ambassador):
    initiative = active()
    services.ask_to_join(ambassador("KE"), initiative)
    session.commit()
    english = client.get("/registry/progress").get_data(as_text=True)
    assert "Cooperation through joint initiatives (Article 3.3)" in english
    assert "1 active or completed initiative" in english and "1 State takes part" in english
    assert "Africa" in english  # the lead's region; Kenya only asked, so it is not counted yet
    arabic = client.get("/registry/progress?lang=ar").get_data(as_text=True)
    assert "أفريقيا" in arabic and "Cooperation through joint initiatives" not in arabic


def test_planned_milestones_reach_the_members_personal_calendar_feed(session, client, active, ambassador):
    from datetime import date, timedelta

    from icalendar import Calendar

    from app.convenings import services as convenings

    initiative = active()
    lead = initiative.created_by
    owner = next(m for m in initiative.members if m.nation_id == lead.nation_id)
    due = date.today() + timedelta(days=30)
    planned = services.add_milestone(lead, initiative, "Cartographie des équipes", due, owner.id)
    dropped = services.add_milestone(lead, initiative, "Abandonnée", due, owner.id)
    session.commit()
    services.edit_milestone(lead, dropped, "Abandonnée", due, owner.id, "dropped")
    session.commit()

    def events(user):
        feed = client.get(f"/calendar/{convenings.calendar_token(user)}.ics")
        assert feed.status_code == 200
        return list(Calendar.from_ical(feed.data).walk("VEVENT"))

    mine = events(lead)
    titles = [str(e["summary"]) for e in mine]
    assert any(t.startswith("Cartographie des équipes") for t in titles) and not any("Abandonnée" in t for t in titles)
    entry = next(e for e in mine if str(e["summary"]).startswith("Cartographie"))
    assert entry["dtstart"].dt == due and entry["dtend"].dt == due + timedelta(days=1)  # a whole day
    assert str(entry["uid"]) == f"initiative-{initiative.id}-milestone-{planned.id}@caravanserai.example"
    assert not events(ambassador("KE"))  # not a member: nothing of it in their feed
