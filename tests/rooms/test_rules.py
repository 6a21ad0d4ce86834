"""The predicates pages and guards share, typed enum columns, and the message's room."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from app.core.db import unit_of_work
from app.core.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.rooms import services
from app.rooms.models import MemberRole, MemberStatus, Message, Room, RoomKind, RoomMember


def test_owners_stay_and_members_leave_by_the_same_rule(make_user) -> None:
    owner, guest = make_user(display_name="Owner"), make_user(display_name="Guest")
    with unit_of_work():
        group = services.create_working_group(owner, "Drafting")
        services.invite(owner, group, guest)
    assert not services.may_leave(owner, group) and services.may_leave(guest, group)
    with pytest.raises(Invalid) as refused:
        services.leave(owner, group)
    assert refused.value.code == "owner_cannot_leave"
    assert services.may_invite(owner, group) and not services.may_invite(guest, group)


def test_authors_and_moderators_delete_edit_and_report_by_the_same_rules(
        make_user, open_room, organiser, post) -> None:
    alice, bob = make_user(display_name="Alice"), make_user(display_name="Bob")
    room = open_room("R", alice, bob)
    mine = post(alice, room, "mine")
    assert services.may_edit(alice, mine) and not services.may_edit(bob, mine)
    assert services.may_delete(alice, mine) and services.may_delete(organiser, mine)
    assert not services.may_delete(bob, mine)
    assert services.may_report(bob, mine) and not services.may_report(alice, mine)
    with pytest.raises(Forbidden) as own:
        services.report(alice, mine, "")
    assert own.value.code == "own_message"
    with pytest.raises(Forbidden):
        services.delete_message(bob, mine)
    with unit_of_work():
        services.delete_message(organiser, mine)
    assert not services.may_edit(alice, mine) and not services.may_report(bob, mine)
    with pytest.raises(Conflict):
        services.report(bob, mine, "")


def test_enum_columns_store_plain_values_and_read_back_members(make_user, open_room, post) -> None:
    alice = make_user()
    room = open_room("R", alice)
    message = post(alice, room, "hello")
    db.session.expire_all()
    stored = db.session.execute(text("SELECT kind FROM rooms WHERE id = :id"), {"id": room.id})
    assert stored.scalar_one() == "open"
    room = db.session.get(Room, room.id)
    assert room.kind is RoomKind.OPEN
    member = db.session.scalar(select(RoomMember).where(RoomMember.room_id == room.id,
                                                        RoomMember.user_id == alice.id))
    assert member.role is MemberRole.MEMBER and member.status is MemberStatus.ACTIVE
    assert db.session.get(Message, message.id).room is room


def test_a_room_page_has_unique_ids_and_offers_what_the_rules_allow(
        login_as, open_room, organiser, post) -> None:
    client, alice = login_as()
    room = open_room("R", alice)
    theirs, mine = post(organiser, room, "theirs"), post(alice, room, "mine")
    page = client.get(f"/rooms/{room.id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert ids.count("csrf_token") == 1 and len(ids) == len(set(ids))
    assert f"/messages/{mine.id}/edit" in page and f"/messages/{theirs.id}/edit" not in page
    assert f"/messages/{mine.id}/delete" in page and f"/messages/{theirs.id}/delete" not in page
    assert f"/messages/{theirs.id}/report" in page and f"/messages/{mine.id}/report" not in page
    assert f"/rooms/{room.id}/leave" in page
