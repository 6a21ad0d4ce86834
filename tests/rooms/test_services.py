"""Room rules: membership, numbered idempotent messages, edits, tombstones, read state, moderation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.audit import events_for
from app.core.db import unit_of_work, utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from app.notifications.models import Notice
from app.rooms import services
from app.rooms.models import MessageRevision, RoomEvent, RoomKind


def test_open_rooms_are_joined_and_left_by_any_member(make_user, open_room, session) -> None:
    alice = make_user(display_name="Alice")
    room = open_room()
    with pytest.raises(Forbidden) as refused:
        services.require_reader(alice, room)
    assert refused.value.code == "not_member"
    with unit_of_work():
        services.join(alice, room)
    assert services.require_reader(alice, room)
    with unit_of_work():
        services.leave(alice, room)
    assert services.membership(alice, room) is None
    assert [r.name for r in services.open_rooms_to_join(alice)] == ["AI governance"]


def test_only_organisers_create_open_rooms(make_user) -> None:
    with pytest.raises(Forbidden):
        services.create_open_room(make_user(), "Quantum")
    with pytest.raises(Invalid) as bad:
        services.create_working_group(make_user(), "   ")
    assert bad.value.code == "name_required"


def test_working_groups_are_invisible_until_invited(make_user) -> None:
    owner, guest, outsider = make_user(), make_user(), make_user()
    with unit_of_work():
        room = services.create_working_group(owner, "Standards drafting")
    with pytest.raises(NotFound):
        services.get_room(outsider, room.id)
    with pytest.raises(Forbidden):
        services.join(outsider, room)
    with pytest.raises(NotFound):
        services.invite(guest, room, outsider)
    with unit_of_work():
        services.invite(owner, room, guest)
    assert services.get_room(guest, room.id) is room
    with pytest.raises(Forbidden):
        services.invite(guest, room, outsider)
    with pytest.raises(Invalid):
        services.leave(owner, room)


def test_direct_conversations_are_reused_and_capped(make_user) -> None:
    me, you, them = make_user(display_name="Me"), make_user(display_name="You"), make_user()
    with unit_of_work():
        room = services.open_direct(me, [you])
    with unit_of_work():
        again = services.open_direct(you, [me])
    assert again.id == room.id and room.kind == RoomKind.DIRECT.value
    with pytest.raises(NotFound):
        services.get_room(them, room.id)
    crowd = [make_user() for _ in range(10)]
    with pytest.raises(Invalid) as too_many:
        services.open_direct(me, crowd)
    assert too_many.value.code == "too_many_recipients"
    with pytest.raises(Invalid):
        services.open_direct(me, [me])
    titles = {s.id: s.title for s in services.list_rooms(me)}
    assert titles[room.id] == "You"


def test_messages_get_gap_free_sequences_and_retries_are_stored_once(
        make_user, open_room, post, session) -> None:
    alice = make_user(display_name="Alice")
    room = open_room("AI governance", alice)
    first = post(alice, room, "one", "same-id")
    with unit_of_work():
        retry, created = services.post_message(alice, room, "one again", "same-id")
    assert retry.id == first.id and not created
    second = post(alice, room, "two")
    assert (first.seq, second.seq) == (1, 2)
    assert room.last_seq == 2
    assert [e.seq for e in session.scalars(select(RoomEvent).where(RoomEvent.room_id == room.id))
            .all()] == [1, 2]


@pytest.mark.parametrize(("body", "code"), [
    ("", "empty_body"), ("   \n ", "empty_body"), (None, "bad_body"), (42, "bad_body"),
    ("x" * 4001, "body_too_long")])
def test_bad_bodies_are_refused_and_store_nothing(make_user, open_room, body, code) -> None:
    alice = make_user()
    room = open_room("R", alice)
    with pytest.raises(Invalid) as refused, unit_of_work():
        services.post_message(alice, room, body, "cid")
    assert refused.value.code == code
    assert room.last_seq == 0


def test_bad_client_ids_are_refused(make_user, open_room) -> None:
    alice = make_user()
    room = open_room("R", alice)
    for client_id in (None, "", "x" * 65, 12, "a\nb"):
        with pytest.raises(Invalid):
            services.post_message(alice, room, "hi", client_id)


def test_markdown_is_rendered_safely(make_user, open_room, post) -> None:
    alice = make_user()
    room = open_room("R", alice)
    message = post(alice, room, "**bold** [site](https://example.org) <img src=x onerror=alert(1)>"
                                " [bad](javascript:alert(1))")
    assert "<strong>bold</strong>" in message.body_html
    assert 'rel="nofollow noopener"' in message.body_html
    assert "<img" not in message.body_html and "javascript:" not in message.body_html.split("</a>")[0]
    assert 'href="javascript' not in message.body_html


def test_replies_must_point_into_the_same_room(make_user, open_room, post) -> None:
    alice = make_user()
    room, other = open_room("R", alice), open_room("S", alice)
    parent = post(alice, room, "question")
    reply = post(alice, room, "answer", reply_to=parent.id)
    assert reply.reply_to_id == parent.id
    elsewhere = post(alice, other, "x")
    with pytest.raises(Invalid):
        services.post_message(alice, room, "y", "cid-r", reply_to=elsewhere.id)


def test_mentions_notify_and_count_until_read(make_user, open_room, post, session) -> None:
    alice, bob = make_user(display_name="Alice Smith"), make_user(display_name="Bob Jones")
    room = open_room("R", alice, bob)
    post(alice, room, "Hello @Bob Jones, see this")
    post(alice, room, "and another")
    summary = {s.id: s for s in services.list_rooms(bob)}[room.id]
    assert (summary.unread, summary.mentions) == (2, 1)
    assert session.scalar(select(Notice).where(Notice.user_id == bob.id)).kind == "rooms.mention"
    with unit_of_work():
        assert services.mark_read(bob, room, 99) == 2
    with unit_of_work():
        assert services.mark_read(bob, room, 1) == 2  # never backwards
    summary = {s.id: s for s in services.list_rooms(bob)}[room.id]
    assert (summary.unread, summary.mentions) == (0, 0)


def test_edits_keep_history_get_a_sequence_and_respect_the_window(
        make_user, open_room, post, session, app_ctx) -> None:
    alice, bob = make_user(), make_user()
    room = open_room("R", alice, bob)
    message = post(alice, room, "first draft")
    with pytest.raises(Forbidden):
        services.edit_message(bob, message, "hijack")
    with unit_of_work():
        services.edit_message(alice, message, "second draft")
    assert message.edited_at is not None and message.body == "second draft"
    assert [r.body for r in session.scalars(select(MessageRevision))] == ["first draft"]
    replay = services.events_after(alice, room, 0)["messages"]
    assert [(e["kind"], e["seq"]) for e in replay] == [("message", 1), ("edit", 2)]
    message.created_at = utcnow() - timedelta(seconds=app_ctx.config["ROOMS_EDIT_WINDOW"] + 1)
    with pytest.raises(Forbidden) as late:
        services.edit_message(alice, message, "too late")
    assert late.value.code == "edit_window_closed"


def test_deletion_leaves_a_tombstone_and_moderators_are_audited(
        make_user, open_room, post, organiser) -> None:
    alice, bob = make_user(), make_user()
    room = open_room("R", alice, bob)
    own, other = post(alice, room, "mine"), post(alice, room, "rude words")
    with pytest.raises(Forbidden):
        services.delete_message(bob, own)
    with unit_of_work():
        services.delete_message(alice, own)
    assert own.deleted_at is not None and own.body == "" and own.body_html == ""
    with unit_of_work():
        services.delete_message(organiser, other)
    assert events_for("room_message", other.id)[0].action == "rooms.message_deleted"
    kinds = [e["kind"] for e in services.events_after(alice, room, 0)["messages"]]
    assert kinds == ["message", "message", "delete", "delete"]
    with pytest.raises(Conflict):
        services.edit_message(alice, own, "resurrect")


def test_muted_members_and_locked_rooms_cannot_write(make_user, open_room, post,
                                                     organiser) -> None:
    alice, bob = make_user(), make_user()
    room = open_room("R", alice, bob)
    with pytest.raises(Forbidden):
        services.mute(alice, room, bob, 10)
    with unit_of_work():
        services.mute(organiser, room, bob, 10)
    with pytest.raises(Forbidden) as muted:
        services.post_message(bob, room, "hi", "c1")
    assert muted.value.code == "muted"
    with unit_of_work():
        services.mute(organiser, room, bob, 0)
    post(bob, room, "back")
    with unit_of_work():
        services.set_locked(organiser, room, True)
    with pytest.raises(Forbidden) as locked:
        services.post_message(alice, room, "hi", "c2")
    assert locked.value.code == "locked"
    post(organiser, room, "moderators still speak")
    actions = {e.action for e in events_for("room", room.id)}
    assert {"rooms.muted", "rooms.unmuted", "rooms.locked"} <= actions


def test_reports_reach_the_moderation_queue_and_are_resolved(make_user, open_room, post,
                                                             organiser) -> None:
    alice, bob = make_user(), make_user()
    room = open_room("R", alice, bob)
    message = post(alice, room, "spam spam")
    with unit_of_work():
        services.report(bob, message, "spam")
    with unit_of_work():
        services.report(bob, message, "spam again")  # once per member
    assert services.moderation_queue(alice) == []
    queue = services.moderation_queue(organiser)
    assert [r.reason for r in queue] == ["spam"]
    with pytest.raises(NotFound):
        services.resolve_report(alice, queue[0].id, "delete")
    with unit_of_work():
        services.resolve_report(organiser, queue[0].id, "delete")
    assert message.deleted_at is not None
    assert services.moderation_queue(organiser) == []


def test_organisers_handle_reports_from_private_rooms_and_direct_conversations(
        make_user, post, organiser) -> None:
    alice, bob, carol, dave = make_user(), make_user(), make_user(), make_user()
    with unit_of_work():
        group = services.create_working_group(carol, "Drafting")
        services.invite(carol, group, alice)
        services.invite(carol, group, bob)
        direct = services.open_direct(bob, [alice])
    in_group, in_direct = post(alice, group, "rude in a group"), post(alice, direct, "rude to bob")
    with unit_of_work():
        services.report(bob, in_group, "rude")
        services.report(bob, in_direct, "harassment")
    # The owner of the group handles its reports, never those of a conversation she is not in.
    assert [r.reason for r in services.moderation_queue(carol)] == ["rude"]
    assert services.moderation_queue(alice) == services.moderation_queue(dave) == []
    # Organisers handle every report, although they may not moderate these rooms otherwise.
    assert [r.reason for r in services.moderation_queue(organiser)] == ["rude", "harassment"]
    for room in (group, direct):
        assert services.may_handle_reports(organiser, room)
        assert not services.may_moderate(organiser, room)
        with pytest.raises(Forbidden):
            services.set_locked(organiser, room, True)
        with pytest.raises(Forbidden):
            services.mute(organiser, room, alice, 10)
    assert services.may_handle_reports(carol, group) and not services.may_handle_reports(carol, direct)
    assert not services.may_handle_reports(dave, group)
    with pytest.raises(NotFound):
        services.resolve_report(carol, services.moderation_queue(organiser)[1].id, "delete")
    with unit_of_work():
        services.resolve_report(organiser, services.moderation_queue(organiser)[1].id, "delete")
    assert in_direct.deleted_at is not None and in_group.deleted_at is None


def test_rate_limit_refuses_floods(make_user, open_room, app_ctx) -> None:
    alice = make_user()
    for _ in range(20):
        services.check_rate(alice.id)
    with pytest.raises(RateLimited):
        services.check_rate(alice.id)
    services.check_rate(make_user().id)  # per member


def test_replay_pages_oldest_first(make_user, open_room, post) -> None:
    alice = make_user()
    room = open_room("R", alice)
    for n in range(5):
        post(alice, room, f"m{n}")
    page = services.events_after(alice, room, 1, limit=2)
    assert [e["seq"] for e in page["messages"]] == [2, 3]
    assert page["more"] and page["last_seq"] == 5
    rest = services.events_after(alice, room, 3, limit=2)
    assert [e["seq"] for e in rest["messages"]] == [4, 5] and not rest["more"]
    for bad in (-1, "x", None, True, 2**40):
        with pytest.raises(Invalid):
            services.events_after(alice, room, bad)


def test_room_list_counts_with_a_bounded_number_of_queries(make_user, open_room, post,
                                                           query_counter) -> None:
    alice, bob = make_user(), make_user()
    rooms = [open_room(f"Room {n}", alice, bob) for n in range(4)]
    for room in rooms:
        post(alice, room, "hi")
    with unit_of_work():
        for _ in range(3):
            services.open_direct(bob, [alice, make_user()])
    with query_counter() as counter:
        summaries = services.list_rooms(bob)
    assert len(summaries) == 7 and counter.count <= 3
    assert all(s.unread == 1 for s in summaries if s.kind == "open")
