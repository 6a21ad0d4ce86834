"""Matchmaking rules: profiles, opt-in, slots, requests and their state machine, schedules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.convenings import services as convenings
from app.convenings.calendar import personal_items
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import Role
from app.matchmaking import services
from app.matchmaking.models import MeetingRequest, RequestStatus
from app.notifications.models import Notice
from tests.convenings.conftest import local


def notices_of(session, user):
    return list(session.scalars(select(Notice).where(Notice.user_id == user.id)))


def test_profile_refuses_unknown_topics_and_changes_nothing(make_user, session):
    user = make_user()
    with pytest.raises(Invalid) as error:
        services.save_profile(user, services.ProfileData(["not_a_topic"], [], ["en"]))
    assert error.value.field == "offers"
    assert services.profile_for(user) is None
    with pytest.raises(Invalid):
        services.save_profile(user, services.ProfileData(["quantum"], [], ["xx"]))
    with pytest.raises(Invalid):
        services.save_profile(user, services.ProfileData([], [], ["en"]))
    profile = services.save_profile(user, services.ProfileData(["quantum", "open_source"],
                                                               ["ai_safety"], ["fr"], " Hi "))
    assert (profile.offers, profile.seeks, profile.languages, profile.bio) == (
        ["quantum", "open_source"], ["ai_safety"], ["fr"], "Hi")


def test_opt_in_needs_registration_profile_and_known_slots(make_user, forum, member, session):
    outsider = make_user()
    with pytest.raises(Forbidden):
        services.set_participation(outsider, forum, True, [])
    registered = make_user()
    convenings.register(registered, forum)
    with pytest.raises(Invalid) as error:
        services.set_participation(registered, forum, True, [])
    assert error.value.code == "no_profile"
    user = member(opt_in=False)
    with pytest.raises(Invalid) as error:
        services.set_participation(user, forum, True, [999_999])
    assert error.value.code == "unknown_slot"
    assert services.participation_for(user, forum) is None
    first = services.slots(forum)[0]
    participation = services.set_participation(user, forum, True, [first.id, first.id])
    assert participation.available_slots == [first.id]
    assert services.is_opted_in(user, forum)


def test_slots_must_sit_in_a_bilateral_block_and_not_overlap(forum, organiser, member, session):
    block = forum.block
    plenary = convenings.add_session(organiser, forum, convenings.SessionData(
        title="Plenary", starts_local=local(30, 9), ends_local=local(30, 10), kind="plenary"))
    cases = [
        (services.SlotData(plenary.id, local(30, 9), local(30, 9, 30), 3), "not_bilateral_block"),
        (services.SlotData(block.id, local(30, 16, 55), local(30, 17, 30), 3), "outside_block"),
        (services.SlotData(block.id, local(30, 15, 30), local(30, 15), 3), "ends_before_start"),
        (services.SlotData(block.id, local(30, 14, 30), local(30, 15, 10), 3), "overlap"),
        (services.SlotData(block.id, local(30, 16, 51), local(30, 16, 59), 0), "bad_tables"),
    ]
    for data, code in cases:
        with pytest.raises((Invalid, Conflict)) as error:
            services.add_slot(organiser, forum, data)
        assert error.value.code == code
    assert len(services.slots(forum)) == 3
    with pytest.raises(Forbidden):
        services.add_slot(member(), forum, services.SlotData(block.id, local(30, 16, 51),
                                                             local(30, 16, 59), 1))


def test_request_rules(forum, member, make_user, app, session):
    alice, bruno = member(), member()
    with pytest.raises(Invalid) as error:
        services.send_request(alice, forum, alice)
    assert error.value.code == "self"
    shy = member(opt_in=False)
    with pytest.raises(Invalid) as error:
        services.send_request(alice, forum, shy)
    assert error.value.code == "recipient_not_opted_in"
    with pytest.raises(Forbidden):
        services.send_request(shy, forum, alice)
    with pytest.raises(Invalid):
        services.send_request(alice, forum, bruno, "x" * 2000)
    request = services.send_request(alice, forum, bruno, "Shall we talk?",
                                    [services.slots(forum)[0].id])
    for sender, recipient in ((alice, bruno), (bruno, alice)):
        with pytest.raises(Conflict) as error:
            services.send_request(sender, forum, recipient)
        assert error.value.code == "duplicate"
    assert request.status == "pending"
    assert notices_of(session, bruno)[0].kind == "matchmaking_request_received"
    outsider = make_user()
    with pytest.raises(NotFound):
        services.get_request(outsider, forum, request.id)
    assert services.get_request(bruno, forum, request.id) is request


def test_pending_cap(forum, member, app, session):
    app.config["MATCHMAKING_MAX_PENDING"] = 2
    try:
        alice = member()
        others = [member() for _ in range(3)]
        services.send_request(alice, forum, others[0])
        services.send_request(alice, forum, others[1])
        with pytest.raises(Conflict) as error:
            services.send_request(alice, forum, others[2])
        assert error.value.code == "too_many_pending"
    finally:
        app.config["MATCHMAKING_MAX_PENDING"] = 10


def test_state_machine_and_polite_decline(forum, member, session, mailbox):
    alice, bruno, chen = member(), member(locale="fr"), member()
    request = services.send_request(alice, forum, bruno)
    with pytest.raises(Forbidden):
        services.accept_request(alice, forum, request)
    with pytest.raises(Forbidden):
        services.cancel_request(bruno, forum, request)
    services.decline_request(bruno, forum, request)
    assert request.status == "declined"
    with pytest.raises(Conflict):
        services.accept_request(bruno, forum, request)
    with pytest.raises(Conflict):
        services.cancel_request(alice, forum, request)
    declined = notices_of(session, alice)[-1]
    assert declined.kind == "matchmaking_request_declined" and "reason" not in declined.params
    second = services.send_request(chen, forum, bruno)
    services.decline_request(bruno, forum, second, "Fully booked")
    assert notices_of(session, chen)[-1].params["reason"] == "Fully booked"
    third = services.send_request(alice, forum, chen)
    services.accept_request(chen, forum, third)
    services.cancel_request(chen, forum, third)
    assert third.status == "cancelled"
    assert notices_of(session, alice)[-1].kind == "matchmaking_request_cancelled"
    # A cancelled request does not block a new one.
    assert services.send_request(alice, forum, chen).status == "pending"


def test_a_request_cancel_loop_no_longer_emails_without_limit(forum, member, session, mailbox):
    alice, bruno = member(), member()
    cap = 3
    sent = 0
    before = len(mailbox.to(bruno.email))  # the registration confirmation
    for _ in range(10):
        try:
            request = services.send_request(alice, forum, bruno)
        except Conflict as error:
            assert error.code == "too_many_requests"
            break
        sent += 1
        services.cancel_request(alice, forum, request)
        session.commit()
    assert sent == cap
    with pytest.raises(Conflict) as refused:
        services.send_request(alice, forum, bruno)
    assert refused.value.code == "too_many_requests"
    # One e-mail per request and none for a request withdrawn unanswered; the recipient's unread
    # notices of the withdrawn requests are gone too.
    assert len(mailbox.to(bruno.email)) - before == cap
    assert notices_of(session, bruno) == []
    # The cap is per pair: others may still ask Bruno, and Alice may ask others.
    assert services.send_request(member(), forum, bruno).status == "pending"
    assert services.send_request(alice, forum, member()).status == "pending"


def test_a_read_request_notice_stays_when_the_request_is_withdrawn(forum, member, session):
    from app.notifications import services as notifications

    alice, bruno = member(), member()
    request = services.send_request(alice, forum, bruno)
    notifications.mark_read(bruno)
    services.cancel_request(alice, forum, request)
    assert [n.kind for n in notices_of(session, bruno)] == ["matchmaking_request_received"]


def test_emails_go_out_in_the_recipients_language(forum, member, session, mailbox):
    alice, bruno = member(display_name="Alice"), member(locale="fr")
    services.send_request(alice, forum, bruno)
    session.commit()
    message = mailbox.to(bruno.email)[-1]
    assert message["Content-Language"] == "fr"
    assert "Alice" in message.get_body(("plain",)).get_content()


def test_batch_schedule_then_incremental_placement(forum, member, organiser, session):
    people = [member() for _ in range(4)]
    a, b, c, d = people
    first = services.send_request(a, forum, b)
    second = services.send_request(c, forum, d)
    services.accept_request(b, forum, first)
    services.accept_request(d, forum, second)
    assert first.slot_id is None  # nothing is placed before the organisers' first run
    with pytest.raises(Forbidden):
        services.run_schedule(a, forum)
    figures = services.run_schedule(organiser, forum)
    assert figures.scheduled == 2 and figures.upper_bound == 2 and figures.gap == 0
    assert first.slot_id and first.table and second.slot_id and second.table
    third = services.send_request(a, forum, c)
    services.accept_request(c, forum, third)
    assert third.slot_id is not None and third.waiting_reason is None
    assert {third.slot_id} != {first.slot_id} or third.slot_id != second.slot_id
    assert any(n.kind == "matchmaking_meeting_scheduled" for n in notices_of(session, a))
    meetings = services.my_meetings(a, forum)
    assert [m.id for m in meetings] == sorted([first.id, third.id],
                                              key=lambda i: session.get(MeetingRequest, i).slot.starts_at)


def test_meeting_waits_when_no_common_slot(forum, member, organiser, session):
    one, two, three = services.slots(forum)
    a = member()
    b = member()
    services.set_participation(a, forum, True, [one.id])
    services.set_participation(b, forum, True, [two.id])
    services.run_schedule(organiser, forum)
    request = services.send_request(a, forum, b)
    services.accept_request(b, forum, request)
    assert request.slot_id is None and request.waiting_reason == "no_common_slot"
    figures = services.figures(organiser, forum)
    assert figures.waiting == {"no_common_slot": 1} and figures.upper_bound == 0


def test_capacity_warning_and_table_plan(forum, member, organiser, session):
    for slot in services.slots(forum):
        services.set_slot_tables(organiser, slot, 1)
    settings = services.settings_for(forum)
    settings.expected_per_person = 4
    people = [member() for _ in range(4)]
    figures = services.figures(organiser, forum)
    assert figures.capacity == 3 and figures.expected == 8 and figures.too_small
    request = services.send_request(people[0], forum, people[1])
    services.accept_request(people[1], forum, request)
    services.run_schedule(organiser, forum)
    plan = services.table_plan(organiser, forum)
    assert sum(len(meetings) for _, meetings in plan) == 1
    with pytest.raises(Conflict):
        services.delete_slot(organiser, request.slot)
    with pytest.raises(Forbidden):
        services.table_plan(people[0], forum)


def test_fixed_table_for_a_host(forum, member, organiser, session):
    host, guest = member(), member()
    with pytest.raises(Invalid):
        services.set_fixed_table(organiser, forum, host, 5)
    services.set_fixed_table(organiser, forum, host, 2)
    request = services.send_request(guest, forum, host)
    services.accept_request(host, forum, request)
    services.run_schedule(organiser, forum)
    assert request.table == 2


def test_reschedule_and_availability_change_replace(forum, member, organiser, session):
    a, b = member(), member()
    request = services.send_request(a, forum, b)
    services.accept_request(b, forum, request)
    services.run_schedule(organiser, forum)
    slot_ids = [s.id for s in services.slots(forum)]
    taken = request.slot_id
    services.set_participation(a, forum, True, [s for s in slot_ids if s != taken])
    assert request.slot_id not in (None, taken)
    services.reschedule_request(a, forum, request, [slot_ids[0]])
    assert request.preferred_slots == [slot_ids[0]] and request.slot_id is not None
    with pytest.raises(Invalid):
        services.reschedule_request(a, forum, request, [123456])


def test_recommendations_two_sided_and_filtered(forum, member, nation, session):
    from flask_babel import force_locale

    seeker = member(offers=["cybersecurity"], seeks=["data_protection"], languages=["fr", "en"],
                    nation_id=nation("NP").id)
    expert = member(offers=["data_protection"], seeks=["cybersecurity"], languages=["fr"])
    compatriot = member(offers=["data_protection"], seeks=[], nation_id=nation("NP").id)
    member(offers=["data_protection"], opt_in=False)
    unrelated = member(offers=["quantum"], seeks=["quantum"])
    with force_locale("en"):
        suggestions = services.recommendations(seeker, forum)
    users = [s.user.id for s in suggestions]
    assert users[0] == expert.id
    assert compatriot.id not in users and unrelated.id not in users and seeker.id not in users
    reasons = suggestions[0].reasons
    assert "offers Data protection, which you seek" in reasons
    assert "you both speak French" in reasons
    assert "your delegation has priority for expertise it seeks" in reasons  # Nepal is an LDC
    services.send_request(seeker, forum, expert)
    assert expert.id not in [s.user.id for s in services.recommendations(seeker, forum)]
    assert seeker.id not in [s.user.id for s in services.recommendations(expert, forum)]


def test_feedback_after_the_meeting_and_outcome(forum, member, organiser, session):
    a, b = member(), member()
    request = services.send_request(a, forum, b)
    services.accept_request(b, forum, request)
    services.run_schedule(organiser, forum)
    with pytest.raises(Conflict):
        services.leave_feedback(a, forum, request, took_place=True, useful=True, follow_up=True)
    request.slot.starts_at = request.slot.starts_at - timedelta(days=40)
    services.leave_feedback(a, forum, request, took_place=True, useful=True, follow_up=False)
    services.leave_feedback(b, forum, request, took_place=False, useful=True, follow_up=True)
    assert services.outcome(forum) == {"answers": 2, "took_place": 1, "useful": 1, "follow_up": 0}


def test_meeting_in_personal_calendar_feed(forum, member, organiser, session):
    a, b = member(display_name="Amina"), member(display_name="Bruno", locale="fr")
    request = services.send_request(a, forum, b)
    services.accept_request(b, forum, request)
    services.run_schedule(organiser, forum)
    items = [i for i in personal_items(b, base_url="http://x") if i.uid.startswith("matchmaking")]
    assert len(items) == 1 and items[0].start == request.slot.starts_at
    assert "Amina" in items[0].summary and str(request.table) in items[0].summary


def test_request_status_values_match_enum():
    assert set(services.STATUS_LABELS) == {s.value for s in RequestStatus}


def test_observer_can_take_part_only_when_registered(forum, member):
    observer = member(role=Role.OBSERVER)
    assert services.is_opted_in(observer, forum)
