"""Account rules, called as the CLI and other features call them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import Invitation, LoginThrottle, User
from app.core.db import unit_of_work, utcnow
from app.core.errors import Conflict, Forbidden, Invalid, RateLimited
from app.core.permissions import Role
from tests.conftest import PASSWORD


def count_users(session) -> int:
    return session.scalar(select(func.count(User.id)))


def test_emails_are_unique_whatever_their_case(session, make_user) -> None:
    make_user(email="amina@example.org")
    before = count_users(session)
    with pytest.raises(Conflict):
        services.create_user("Amina@Example.ORG", "Amina", "a-fine-long-password")
    assert count_users(session) == before


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "x@@example.org", "a b@example.org"])
def test_invalid_emails_are_refused(session, email: str) -> None:
    with pytest.raises(Invalid) as error:
        services.create_user(email, "Somebody", "a-fine-long-password")
    assert error.value.code == "email_invalid"


@pytest.mark.parametrize("password, code", [("short", "password_too_short"),
                                            ("password123", "password_common"),
                                            ("qwertyuiop", "password_common")])
def test_weak_passwords_are_refused(session, password: str, code: str) -> None:
    with pytest.raises(Invalid) as error:
        services.create_user("new@example.org", "New Person", password)
    assert error.value.code == code
    assert services.get_user_by_email("new@example.org") is None


def test_passwords_are_hashed_with_argon2(session) -> None:
    user = services.create_user("hash@example.org", "Hash Check", "a-fine-long-password")
    assert user.password_hash.startswith("$argon2id$")
    assert "a-fine-long-password" not in user.password_hash


def test_invitation_is_signed_single_use_and_creates_the_account(session, make_user, nation, mailbox) -> None:
    organiser = make_user(Role.ORGANISER)
    with unit_of_work():
        invitation, token = services.invite(organiser, "New.Ambassador@Example.org", "ambassador",
                                            locale="fr", nation_iso2="SN")
    assert invitation.email == "new.ambassador@example.org"
    [message] = mailbox.to("new.ambassador@example.org")
    assert token in message.get_body(("plain",)).get_content()
    assert message["Content-Language"] == "fr"

    with unit_of_work():
        user = services.accept_invitation(token, "Awa Ndiaye", "a-fine-long-password",
                                          timezone="Africa/Dakar")
    assert user.role == "ambassador" and user.nation.iso2 == "SN" and user.timezone == "Africa/Dakar"
    with pytest.raises(Invalid) as error:
        services.accept_invitation(token, "Awa Again", "a-fine-long-password", timezone="UTC")
    assert error.value.code == "invitation_used"


def test_tampered_and_expired_invitations_are_refused(app, session, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    with unit_of_work():
        invitation, token = services.invite(organiser, "late@example.org", "observer")
    with pytest.raises(Invalid) as error:
        services.invitation_from_token(token[:-2] + "xx")
    assert error.value.code == "invitation_invalid"
    with unit_of_work():
        invitation.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Invalid) as error:
        services.invitation_from_token(token)
    assert error.value.code == "invitation_expired"
    other_key = URLSafeTimedSerializer("another-secret", salt="caravanserai.invitation").dumps({"i": invitation.id})
    with pytest.raises(Invalid):
        services.invitation_from_token(other_key)


def test_only_staff_invite_and_only_admins_invite_admins(session, make_user) -> None:
    ambassador = make_user(Role.AMBASSADOR)
    organiser = make_user(Role.ORGANISER)
    with pytest.raises(Forbidden):
        services.invite(ambassador, "x@example.org", "observer")
    with pytest.raises(Forbidden):
        services.invite(organiser, "x@example.org", "admin")
    assert session.scalar(select(func.count(Invitation.id))) == 0


def test_inviting_an_existing_member_or_unknown_role_is_refused(session, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    member = make_user()
    with pytest.raises(Conflict):
        services.invite(organiser, member.email.upper(), "observer")
    with pytest.raises(Invalid):
        services.invite(organiser, "x@example.org", "emperor")
    with pytest.raises(Invalid):
        services.invite(organiser, "x@example.org", "observer", nation_iso2="XX")


ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


def throttle_of(session, user: User, address: str) -> LoginThrottle | None:
    return session.scalar(select(LoginThrottle).where(LoginThrottle.user_id == user.id,
                                                      LoginThrottle.address == address))


def fail_from(session, user: User, address: str, times: int) -> None:
    """`times` wrong passwords from `address`, each after the previous delay has run out."""
    for _ in range(times):
        throttle = throttle_of(session, user, address)
        if throttle is not None and throttle.retry_at is not None:
            with unit_of_work():
                throttle.retry_at = utcnow() - timedelta(seconds=1)
        with pytest.raises(Invalid), unit_of_work():
            services.authenticate(user.email, "wrong-password", address)


def test_failed_sign_ins_slow_down_that_address_with_growing_delays(session, make_user) -> None:
    user = make_user()
    fail_from(session, user, ATTACKER, services.THROTTLE_FREE - 1)
    assert throttle_of(session, user, ATTACKER).retry_at is None  # the first few are free
    fail_from(session, user, ATTACKER, 1)
    first = throttle_of(session, user, ATTACKER).retry_at - utcnow()
    assert timedelta(0) < first <= services.THROTTLE_BASE
    with pytest.raises(RateLimited) as error:  # even the right password waits, from there
        services.authenticate(user.email, PASSWORD, ATTACKER)
    assert error.value.code == "login_throttled" and "second" in str(error.value)
    fail_from(session, user, ATTACKER, 3)
    assert throttle_of(session, user, ATTACKER).retry_at - utcnow() > first * 7
    fail_from(session, user, ATTACKER, 20)
    assert throttle_of(session, user, ATTACKER).retry_at - utcnow() <= services.THROTTLE_MAX


def test_an_attacker_never_locks_the_owner_out(session, make_user) -> None:
    admin = make_user(role=Role.ADMIN)
    fail_from(session, admin, ATTACKER, 40)
    with pytest.raises(RateLimited):
        services.authenticate(admin.email, PASSWORD, ATTACKER)
    with unit_of_work():
        assert services.authenticate(admin.email, PASSWORD, OWNER).id == admin.id
    # Signing in clears only the owner's own address; the attacker still waits.
    assert throttle_of(session, admin, OWNER) is None
    assert throttle_of(session, admin, ATTACKER).retry_at > utcnow()


def test_the_owner_who_mistypes_is_slowed_down_only_on_their_own_address(session,
                                                                         make_user) -> None:
    user = make_user()
    fail_from(session, user, OWNER, services.THROTTLE_FREE - 1)
    with unit_of_work():
        services.authenticate(user.email, PASSWORD, OWNER)
    assert throttle_of(session, user, OWNER) is None


def test_simultaneous_first_failures_from_one_address_share_one_row(session, make_user,
                                                                     monkeypatch) -> None:
    user = make_user()
    fail_from(session, user, ATTACKER, 1)
    real, calls = services._throttle, []

    def not_yet_seen(*args):  # the other request's row was not visible when this one looked
        calls.append(args)
        return None if len(calls) <= 2 else real(*args)

    monkeypatch.setattr(services, "_throttle", not_yet_seen)
    with pytest.raises(Invalid), unit_of_work():
        services.authenticate(user.email, "wrong-password", ATTACKER)
    monkeypatch.undo()
    assert throttle_of(session, user, ATTACKER).failures == 2


def test_a_completed_password_reset_clears_every_throttle(session, make_user, mailbox) -> None:
    user = make_user()
    fail_from(session, user, ATTACKER, 8)
    fail_from(session, user, OWNER, 6)
    with unit_of_work():
        token = services.request_password_reset(user.email)
    with unit_of_work():
        services.reset_password(token, "a-brand-new-password")
    assert throttle_of(session, user, ATTACKER) is None and throttle_of(session, user, OWNER) is None
    with unit_of_work():
        services.authenticate(user.email, "a-brand-new-password", ATTACKER)


def test_deactivated_members_cannot_sign_in(session, make_user) -> None:
    user = make_user(active=False)
    with pytest.raises(Forbidden) as error:
        services.authenticate(user.email, PASSWORD)
    assert error.value.code == "account_inactive"


def test_password_reset_works_once_and_reveals_nothing(session, make_user, mailbox) -> None:
    user = make_user()
    with unit_of_work():
        assert services.request_password_reset("nobody@example.org") is None
        token = services.request_password_reset(user.email.upper())
    assert mailbox.to("nobody@example.org") == []
    assert len(mailbox.to(user.email)) == 1
    with unit_of_work():
        services.reset_password(token, "a-brand-new-password")
    assert services.authenticate(user.email, "a-brand-new-password").id == user.id
    with pytest.raises(Invalid) as error:
        services.reset_password(token, "yet-another-password")
    assert error.value.code == "reset_invalid"


def test_profile_changes_are_validated(session, make_user) -> None:
    user = make_user()
    with pytest.raises(Invalid):
        services.update_profile(user, display_name="Name", locale="de", timezone="UTC")
    with pytest.raises(Invalid):
        services.update_profile(user, display_name="Name", locale="fr", timezone="Mars/Olympus")
    with pytest.raises(Invalid):
        services.update_profile(user, display_name="<script>x</script>", locale="fr", timezone="UTC")
    services.update_profile(user, display_name="  Zarina   Abdullaeva ", locale="uz",
                            timezone="Asia/Samarkand")
    assert (user.display_name, user.locale, user.timezone) == ("Zarina Abdullaeva", "uz", "Asia/Samarkand")


def test_changing_the_password_ends_other_sessions(session, make_user) -> None:
    user = make_user()
    old_id = user.get_id()
    with pytest.raises(Invalid):
        services.change_password(user, "wrong", "a-brand-new-password")
    services.change_password(user, PASSWORD, "a-brand-new-password")
    assert services.load_session_user(old_id) is None
    assert services.load_session_user(user.get_id()) == user


def test_admins_change_roles_and_deactivate_but_not_themselves(session, make_user) -> None:
    admin = make_user(Role.ADMIN)
    organiser = make_user(Role.ORGANISER)
    member = make_user(Role.OBSERVER)
    with pytest.raises(Forbidden):
        services.change_role(organiser, member, "ambassador")
    with pytest.raises(Forbidden):
        services.change_role(admin, admin, "observer")
    with pytest.raises(Forbidden):
        services.set_active(admin, admin, False)
    services.change_role(admin, member, "ambassador")
    services.set_active(admin, member, False)
    assert member.role == "ambassador" and not member.active
    assert services.load_session_user(member.get_id()) is None


def test_user_search_by_name_email_and_role(session, make_user) -> None:
    admin = make_user(Role.ADMIN)
    make_user(Role.AMBASSADOR, display_name="Priya Raghavan", email="priya@example.in")
    make_user(Role.PARTNER, display_name="Grace Mwangi", email="grace@example.ke")
    assert [u.display_name for u in services.list_users(admin, query="RAGH").users] == ["Priya Raghavan"]
    assert [u.email for u in services.list_users(admin, query="example.ke").users] == ["grace@example.ke"]
    partners = services.list_users(admin, role="partner").users
    assert all(u.role == "partner" for u in partners) and partners
    with pytest.raises(Forbidden):
        services.list_users(make_user(Role.AMBASSADOR))
