"""The rules of initiatives: proposing, approving, joining, milestones, updates, the room, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import Role
from app.initiatives import services
from app.initiatives.models import Initiative, InitiativeMember, Milestone
from app.notifications.models import Notice, OutboxMail
from app.rooms.models import RoomMember

from .conftest import fields


def _audits(session, action: str) -> int:
    return session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _notices(session, user, kind: str) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.user_id == user.id, Notice.kind == kind)))


def test_an_ambassador_proposes_and_their_state_leads(session, proposed):
    initiative = proposed()
    assert initiative.status == "proposed"
    assert [(m.nation.iso2, m.role, m.state) for m in initiative.members] == [("SN", "lead", "active")]
    assert initiative.tagged("theme") == ["cybersecurity"] and initiative.tagged("article") == ["3.3"]
    assert initiative.reading("ar").title == "Réseau des équipes de réponse"  # falls back to the original
    assert _audits(session, "initiatives.proposed") == 1


def test_only_ambassadors_propose(session, make_user):
    for role in (Role.OBSERVER, Role.PARTNER, Role.ORGANISER):
        with pytest.raises(Forbidden):
            services.propose_initiative(make_user(role), fields())


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"goal": ""}, "goal"),
    ({"themes": ["astrology"]}, "themes"), ({"themes": []}, "themes"), ({"articles": ["9.9"]}, "articles"),
    ({"visibility": "secret"}, "visibility"), ({"language": "xx"}, "language")])
def test_bad_proposals_are_refused_and_nothing_is_stored(session, ambassador, change, field):
    with pytest.raises(Invalid) as refused:
        services.propose_initiative(ambassador("SN"), fields(**change))
    assert refused.value.field == field
    session.rollback()
    assert session.scalar(select(func.count(Initiative.id))) == 0


def test_unapproved_initiatives_are_private_until_staff_approve(session, proposed, staff, make_user):
    initiative = proposed()
    visitor, stranger = None, make_user(Role.OBSERVER)
    assert not services.may_read(visitor, initiative) and not services.may_read(stranger, initiative)
    with pytest.raises(NotFound):
        services.get_initiative(stranger, initiative.id)
    with pytest.raises(Forbidden):
        services.approve_initiative(stranger, initiative)
    services.approve_initiative(staff, initiative)
    assert initiative.status == "active" and services.may_read(visitor, initiative)
    assert services.find_initiatives(None, services.Filters()).total == 1
    assert _audits(session, "initiatives.approved") == 1
    with pytest.raises(Conflict):
        services.approve_initiative(staff, initiative)


def test_visibility_limits_who_reads(session, active, make_user):
    members_only = active(visibility="members")
    participants = active(iso2="KE", visibility="participants")
    observer = make_user(Role.OBSERVER)
    assert not services.may_read(None, members_only) and services.may_read(observer, members_only)
    assert not services.may_read(observer, participants)
    assert services.find_initiatives(None, services.Filters()).total == 0
    assert services.find_initiatives(observer, services.Filters()).total == 1


def test_a_declined_state_no_longer_reads_a_participants_only_initiative(session, active, ambassador):
    initiative = active(visibility="participants")
    lead = services.users_of(initiative.members[0])[0]
    kenya = ambassador("KE")
    member = services.invite(lead, initiative, nation=kenya.nation)
    assert services.may_read(kenya, initiative)  # to answer the invitation
    services.decline(kenya, member)
    assert not services.may_read(kenya, initiative)


def test_a_state_asks_to_join_and_a_lead_accepts_into_the_room(session, active, ambassador):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    kenya = ambassador("KE", locale="ar")
    member = services.ask_to_join(kenya, initiative)
    session.commit()
    assert member.state == "requested" and member.nation.iso2 == "KE"
    assert _notices(session, lead, "initiatives.join_requested")
    with pytest.raises(Conflict):
        services.ask_to_join(kenya, initiative)
    with pytest.raises(Forbidden):
        services.accept(kenya, member)
    services.accept(lead, member)
    session.commit()
    assert member.state == "active" and services.is_participant(kenya, initiative)
    room_member = session.scalar(select(RoomMember).where(RoomMember.room_id == initiative.room_id,
                                                          RoomMember.user_id == kenya.id))
    assert room_member is not None and room_member.status == "active"
    mail = session.scalar(select(OutboxMail).where(OutboxMail.to_address == kenya.email).order_by(OutboxMail.id.desc()))
    assert mail is not None  # the new member is told by e-mail too


def test_the_state_stays_in_when_its_ambassador_changes(session, active, ambassador):
    initiative = active()
    old = services.users_of(initiative.members[0])[0]
    old.role = Role.OBSERVER.value
    successor = ambassador("SN")
    session.commit()
    assert services.is_lead(successor, initiative) and not services.is_lead(old, initiative)
    assert services.may_join_room(successor, initiative) and not services.may_join_room(old, initiative)
    services.join_room(successor, initiative)
    assert not services.may_join_room(successor, initiative)
    room_member = session.scalar(select(RoomMember).where(RoomMember.room_id == initiative.room_id,
                                                          RoomMember.user_id == successor.id))
    assert room_member.status == "active"
    with pytest.raises(Forbidden):
        services.join_room(successor, initiative)


def test_removal_takes_room_access_away_at_once(session, active, ambassador):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    kenya = ambassador("KE")
    services.accept(lead, services.ask_to_join(kenya, initiative))
    member = initiative.members[-1]
    services.remove(lead, member)
    session.commit()
    assert member.state == "declined" and not services.is_participant(kenya, initiative)
    room_member = session.scalar(select(RoomMember).where(RoomMember.room_id == initiative.room_id,
                                                          RoomMember.user_id == kenya.id))
    assert room_member.status != "active"
    assert _audits(session, "initiatives.member_removed") == 1
    with pytest.raises(Forbidden):
        services.remove(lead, initiative.members[0])  # the last lead stays


def test_a_state_is_added_only_when_its_ambassador_accepts(session, active, ambassador, nation, make_user):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    kenya = ambassador("KE")
    member = services.invite(lead, initiative, nation=nation("KE"))
    assert member.state == "invited" and _notices(session, kenya, "initiatives.invited")
    with pytest.raises(Forbidden):
        services.accept(lead, member)
    with pytest.raises(Forbidden):
        services.accept(make_user(Role.OBSERVER, nation_id=nation("KE").id), member)
    services.accept(kenya, member)
    assert member.state == "active"
    with pytest.raises(Conflict):
        services.invite(lead, initiative, nation=nation("KE"))


def test_a_supporting_partner_joins_through_its_representative(session, active, partner_rep):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    user, partner = partner_rep
    member = services.ask_to_join(user, initiative)
    assert member.partner_id == partner.id and member.name == "Open Lab"
    services.accept(lead, member)
    assert services.is_participant(user, initiative)


def test_only_leads_invite_and_plan(session, active, ambassador, nation):
    initiative = active()
    kenya = ambassador("KE")
    with pytest.raises(Forbidden):
        services.invite(kenya, initiative, nation=nation("GH"))
    with pytest.raises(Forbidden):
        services.add_milestone(kenya, initiative, "Draft", date.today(), initiative.members[0].id)


def test_milestones_check_dates_and_owners(session, active, ambassador, make_user):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    outsider = services.ask_to_join(ambassador("KE"), initiative)  # requested, not yet a member
    owner_id = initiative.members[0].id
    cases = [(("Draft", date.today() + timedelta(days=365 * 20), owner_id), "due_on"),
             (("Draft", date(1800, 1, 1), owner_id), "due_on"),
             (("Draft", None, owner_id), "due_on"),
             (("Draft", date.today(), outsider.id), "owner"),
             (("", date.today(), owner_id), "title")]
    for args, field in cases:
        with pytest.raises(Invalid) as refused:
            services.add_milestone(lead, initiative, *args)
        assert refused.value.field == field
    assert session.scalar(select(func.count(Milestone.id))) == 0
    milestone = services.add_milestone(lead, initiative, "Charter signed", date.today() + timedelta(days=30), owner_id)
    services.edit_milestone(lead, milestone, "Charter signed", milestone.due_on, owner_id, "met")
    assert milestone.status == "met"
    assert _audits(session, "initiatives.milestone_changed") == 1
    with pytest.raises(Invalid):
        services.edit_milestone(lead, milestone, "Charter signed", milestone.due_on, owner_id, "lost")
    services.delete_milestone(lead, milestone)
    assert session.scalar(select(func.count(Milestone.id))) == 0


def test_updates_notify_members_and_followers_not_the_author(session, active, ambassador, make_user):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    kenya = ambassador("KE", locale="ru")
    services.accept(lead, services.ask_to_join(kenya, initiative))
    follower, outsider = make_user(Role.OBSERVER, locale="zh"), make_user(Role.OBSERVER)
    services.follow(follower, initiative)
    with pytest.raises(Forbidden):
        services.post_update(outsider, initiative, "hello")
    with pytest.raises(Invalid):
        services.post_update(lead, initiative, "   ")
    update = services.post_update(lead, initiative, "**Done** <script>alert(1)</script>")
    session.commit()
    assert _notices(session, kenya, "initiatives.update") and _notices(session, follower, "initiatives.update")
    assert not _notices(session, lead, "initiatives.update") and not _notices(session, outsider, "initiatives.update")
    assert services.updates(outsider, initiative) == [] and services.updates(kenya, initiative) == [update]
    from app.rooms.markdown import render

    assert "<script>" not in render(update.body)


def test_status_moves(session, active, ambassador):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    with pytest.raises(Forbidden):
        services.change_status(ambassador("KE"), initiative, "completed")
    with pytest.raises(Invalid):
        services.change_status(lead, initiative, "proposed")
    with pytest.raises(Invalid) as refused:
        services.change_status(lead, initiative, "completed")  # the record needs an outcome
    assert refused.value.field == "outcome" and initiative.status == "active"
    services.change_status(lead, initiative, "completed", "A shared alert channel.")
    assert initiative.status == "completed" and not services.may_post(lead, initiative)
    assert initiative.outcome == "A shared alert channel." and not services.may_manage(lead, initiative)
    assert _audits(session, "initiatives.status_changed") == 1


def test_filters(session, active, ambassador, nation):
    first = active(themes=["ai_governance"], articles=["2.1"])
    second = active(iso2="KE")
    lead = services.users_of(first.members[0])[0]
    services.accept(ambassador("GH"), services.invite(lead, first, nation=nation("GH")))
    assert [i.id for i in services.find_initiatives(None, services.Filters(theme="ai_governance")).initiatives] == [first.id]
    assert [i.id for i in services.find_initiatives(None, services.Filters(article="3.3")).initiatives] == [second.id]
    assert [i.id for i in services.find_initiatives(None, services.Filters(nation="GH")).initiatives] == [first.id]
    assert services.find_initiatives(None, services.Filters(status="completed")).total == 0
    assert services.parse_filters({"theme": "x", "page": "-1", "nation": "<b>"}) == services.Filters()
    assert isinstance(first.members[0], InitiativeMember)


def test_fair_call_times_across_three_zones_for_members_only(session, active, ambassador, partner_rep, make_user):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    lead.timezone, lead.timezone_confirmed = "Africa/Dakar", True
    kenya = ambassador("KE", timezone="Africa/Nairobi", timezone_confirmed=True)
    user, _partner = partner_rep
    user.timezone, user.timezone_confirmed = "Asia/Tokyo", True
    services.accept(lead, services.ask_to_join(kenya, initiative))
    services.accept(lead, services.ask_to_join(user, initiative))
    first = date.today() + timedelta(days=7)
    proposals = services.fair_times(kenya, initiative, first, first + timedelta(days=6), 60)
    assert len(proposals) == 3
    assert {t.group.timezone for t in proposals[0].times} == {"Africa/Dakar", "Africa/Nairobi", "Asia/Tokyo"}
    assert all(not t.group.assumed for t in proposals[0].times)
    assert proposals[0].burden <= proposals[-1].burden
    with pytest.raises(Forbidden):
        services.fair_times(make_user(Role.OBSERVER), initiative, first, first, 60)
    for args, field in (((first, first, 5), "duration"), ((first, first - timedelta(days=1), 60), "last_day"),
                        ((first, first + timedelta(days=90), 60), "last_day"), ((first, None, 60), "last_day")):
        with pytest.raises(Invalid) as refused:
            services.fair_times(kenya, initiative, *args)
        assert refused.value.field == field


def test_a_states_initiatives_for_its_registry_page(session, active, proposed, ambassador, nation, query_counter):
    led = active()
    joined = active(iso2="KE")
    proposed(iso2="SN")  # not listed yet
    services.accept(services.users_of(joined.members[0])[0],
                    services.ask_to_join(services.users_of(led.members[0])[0], joined))
    session.commit()
    senegal = nation("SN")

    def measure() -> tuple[list, int]:
        session.expire_all()
        with query_counter() as counter:
            rows = services.initiatives_of_nation(None, senegal)
            [(i.reading("en").title, i.status) for i, _role in rows]
        return rows, counter.count

    rows, few = measure()
    assert [(i.id, role) for i, role in rows] == [(led.id, "lead"), (joined.id, "member")]
    for iso2 in ("GH", "BR", "JP"):
        more = active(iso2=iso2)
        services.invite(services.users_of(more.members[0])[0], more, nation=senegal)
        services.accept(services.users_of(led.members[0])[0], more.members[-1])
    session.commit()
    rows, many = measure()
    assert len(rows) == 5 and many == few


def test_milestone_reminders_go_once_to_the_owner_through_the_outbox(app, session, active, ambassador):
    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    kenya = ambassador("KE", locale="ru")
    services.accept(lead, services.ask_to_join(kenya, initiative))
    owner = initiative.members[-1]
    today = date.today()
    soon = services.add_milestone(lead, initiative, "Charter", today + timedelta(days=2), owner.id)
    services.add_milestone(lead, initiative, "Later", today + timedelta(days=20), owner.id)
    session.commit()
    assert services.send_milestone_reminders(today) == 1
    assert services.send_milestone_reminders(today) == 0  # once
    notices = _notices(session, kenya, "initiatives.milestone_due")
    assert len(notices) == 1 and not _notices(session, lead, "initiatives.milestone_due")
    assert session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.to_address == kenya.email)) >= 1
    services.edit_milestone(lead, soon, "Charter", today + timedelta(days=1), owner.id, "planned")
    assert services.send_milestone_reminders(today) == 1  # a new date is a new reminder
    result = app.test_cli_runner().invoke(args=["initiatives", "send-reminders"])
    assert result.exit_code == 0 and "milestone reminders sent: 0" in result.output


def test_notices_name_states_in_the_readers_language(session, active, ambassador):
    from flask_babel import force_locale

    from app.notifications.services import render

    initiative = active()
    lead = services.users_of(initiative.members[0])[0]
    services.ask_to_join(ambassador("DE"), initiative)
    notice = _notices(session, lead, "initiatives.join_requested")[0]
    with force_locale("fr"):
        assert "Allemagne demande à rejoindre" in render(notice)
    with force_locale("ar"):
        assert "ألمانيا" in render(notice)


def test_cooperation_evidence_for_article_3_3(session, active, proposed, ambassador, nation, query_counter):
    led = active()  # Senegal, an LDC in Africa
    lead = services.users_of(led.members[0])[0]
    germany = ambassador("DE")
    services.accept(germany, services.invite(lead, led, nation=nation("DE")))
    active(iso2="FR")
    proposed(iso2="FJ")  # not listed: not counted
    session.commit()
    with query_counter() as counter:
        evidence = services.cooperation_evidence()
    assert evidence.initiatives == 2 and evidence.states == 3
    assert evidence.states_by_region == {"002": 1, "150": 2}
    assert evidence.states_by_grouping["LDC"] == 1 and evidence.with_developing_states == 1
    assert counter.count <= 3
