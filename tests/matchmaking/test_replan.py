"""Batch runs keep the meetings people were told about; moves are previewed, then published."""

from __future__ import annotations

import pytest

from app.core.errors import Conflict, Forbidden
from app.matchmaking import replan, services
from tests.matchmaking.test_services import notices_of


def accepted(forum, a, b, **fields):
    request = services.send_request(a, forum, b, **fields)
    services.accept_request(b, forum, request)
    return request


def test_a_second_run_places_waiting_meetings_and_moves_none(forum, member, organiser, session):
    for slot in services.slots(forum):
        services.set_slot_tables(organiser, slot, 1)
    people = [member() for _ in range(6)]
    requests = [accepted(forum, people[i], people[j])
                for i, j in ((0, 1), (2, 3), (4, 5), (0, 2), (1, 3))]
    services.run_schedule(organiser, forum)
    told = {r.id: (r.slot_id, r.table, r.updated_at) for r in requests if r.slot_id is not None}
    assert len(told) == 3
    for slot in services.slots(forum):
        services.set_slot_tables(organiser, slot, 2)
    figures = services.run_schedule(organiser, forum)
    assert {r.id: (r.slot_id, r.table, r.updated_at) for r in requests if r.id in told} == told
    # Kept in place, only one of the two waiting meetings fits; moving would fit both.
    assert figures.scheduled == 4 and figures.waiting == {"tables_full": 1}
    preview = replan.preview_schedule(organiser, forum)
    assert preview.scheduled == 5 and preview.moves and preview.gap == 0


def test_moves_are_previewed_then_published_and_announced(forum, member, organiser, session,
                                                          mailbox):
    first, _second, third = services.slots(forum)
    a, b = member(display_name="Amina"), member(display_name="Bruno", locale="fr")
    request = accepted(forum, a, b)
    services.run_schedule(organiser, forum)
    assert request.slot_id == first.id
    request.slot, request.table = third, 1  # placed there earlier, under other conditions
    session.commit()
    services.run_schedule(organiser, forum)
    assert request.slot_id == third.id  # a normal run never moves it

    preview = replan.preview_schedule(organiser, forum)
    assert [m.request.id for m in preview.moves] == [request.id]
    assert preview.moves[0].was_slot == third and preview.moves[0].slot == first
    assert request.slot_id == third.id  # previewing changes nothing
    sequence_before = request.updated_at
    mailbox.clear()
    replan.publish_schedule(organiser, forum, preview.token)
    session.commit()
    assert request.slot_id == first.id and request.updated_at > sequence_before
    for user in (a, b):
        assert any(n.kind == "matchmaking_meeting_moved" for n in notices_of(session, user))
        assert mailbox.to(user.email), user.email
    assert mailbox.to(b.email)[-1]["Content-Language"] == "fr"


def test_an_outdated_preview_is_refused_and_changes_nothing(forum, member, organiser, session):
    first, _second, third = services.slots(forum)
    a, b, c, d = (member() for _ in range(4))
    request = accepted(forum, a, b)
    services.run_schedule(organiser, forum)
    request.slot, request.table = third, 1
    session.commit()
    token = replan.preview_schedule(organiser, forum).token
    accepted(forum, c, d)
    session.commit()
    with pytest.raises(Conflict) as error:
        replan.publish_schedule(organiser, forum, token)
    assert error.value.code == "preview_outdated"
    assert request.slot_id == third.id
    with pytest.raises(Forbidden):
        replan.preview_schedule(a, forum)
    with pytest.raises(Forbidden):
        replan.publish_schedule(a, forum, token)


def test_preferred_slots_are_honoured_when_possible(forum, member, organiser, session):
    _first, second, _third = services.slots(forum)
    a, b, c, d = (member() for _ in range(4))
    preferring = accepted(forum, a, b, preferred_slot_ids=[second.id])
    plain = accepted(forum, c, d)
    services.run_schedule(organiser, forum)
    assert preferring.slot_id == second.id
    assert plain.slot_id is not None


def test_organiser_pages_preview_and_publish(forum, member, organiser, session, login):
    first, _second, third = services.slots(forum)
    a, b = member(display_name="Amina"), member(display_name="Bruno")
    request = accepted(forum, a, b)
    services.run_schedule(organiser, forum)
    request.slot, request.table = third, 1
    session.commit()
    client = login(organiser)
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/convenings/{forum.id}/matchmaking/organise")
    response = client.post(f"/convenings/{forum.id}/matchmaking/schedule",
                           data={"csrf_token": token, "allow_moves": "y"})
    assert response.status_code == 302 and response.location.endswith(
        f"/convenings/{forum.id}/matchmaking/replan")
    page = client.get(f"/convenings/{forum.id}/matchmaking/replan").get_data(as_text=True)
    assert "Amina" in page and 'id="replan-moves">1<' in page
    assert request.slot_id == third.id
    import re

    plan_token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/convenings/{forum.id}/matchmaking/replan",
                           data={"csrf_token": token, "token": plan_token})
    assert response.status_code == 302
    session.refresh(request)
    assert request.slot_id == first.id
    response = client.post(f"/convenings/{forum.id}/matchmaking/replan",
                           data={"csrf_token": token, "token": "x" * 40})
    assert response.status_code == 200 and "changed since the preview" in response.get_data(as_text=True)


def test_a_preference_that_cannot_be_met_still_gets_a_meeting(forum, member, organiser, session):
    first, second, _third = services.slots(forum)
    for slot in services.slots(forum):
        services.set_slot_tables(organiser, slot, 1)
    a, b, c, d = (member() for _ in range(4))
    early = accepted(forum, a, b, preferred_slot_ids=[second.id])
    services.run_schedule(organiser, forum)
    assert early.slot_id == second.id
    late = accepted(forum, c, d, preferred_slot_ids=[second.id])  # the only table there is taken
    assert late.slot_id is not None and late.slot_id != second.id
    assert early.slot_id == second.id
