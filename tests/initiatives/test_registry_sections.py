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
