"""The people directory: who is listed, names found in any script, filters, a person's page."""

from __future__ import annotations

from app.core.permissions import Role
from app.extensions import db
from app.matchmaking.models import MatchProfile
from app.rooms.models import Room
from tests.conftest import csrf_token


def names(client, query: str = "") -> list[str]:
    import re

    page = client.get(f"/people/{query}").get_data(as_text=True)
    return re.findall(r'<h2><a href="/people/\d+" dir="auto">([^<]+)</a></h2>', page)


def test_visitors_are_sent_to_sign_in(client):
    answer = client.get("/people/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_ambassadors_and_staff_are_listed_others_by_their_consent(client, login, make_user):
    me = make_user(Role.AMBASSADOR, display_name="Awa Diop")
    make_user(Role.ORGANISER, display_name="Timur Karimov")
    make_user(Role.OBSERVER, display_name="Quiet Observer")
    make_user(Role.PARTNER, display_name="Open Partner", in_directory=True)
    make_user(Role.AMBASSADOR, display_name="Gone Ambassador", active=False)
    login(me)
    assert names(client) == ["Awa Diop", "Open Partner", "Timur Karimov"]


def test_names_are_found_in_any_script_case_and_accent(client, login, make_user):
    me = make_user(display_name="Awa Diop")
    make_user(display_name="Иван Петров")
    make_user(display_name="ليلى حداد")
    make_user(display_name="José Martínez")
    make_user(display_name="王小明")
    login(me)
    assert names(client, "?q=ПЕТРОВ") == ["Иван Петров"]
    assert names(client, "?q=иван") == ["Иван Петров"]
    assert names(client, "?q=ليلى") == ["ليلى حداد"]
    assert names(client, "?q=jose+martinez") == ["José Martínez"]
    assert names(client, "?q=小明") == ["王小明"]
    assert names(client, "?q=%25") == []  # a wildcard is a character, not a pattern


def test_filters_by_state_role_theme_and_language(client, login, make_user, nation, session):
    me = make_user(display_name="Awa Diop", nation_id=nation("SN").id, locale="fr")
    kenya = make_user(display_name="Grace Wanjiru", nation_id=nation("KE").id)
    make_user(Role.ORGANISER, display_name="Timur Karimov")
    session.add(MatchProfile(user_id=kenya.id, offers=["cybersecurity"], seeks=["data_protection"],
                             languages=["en", "fr"], bio=""))
    session.commit()
    login(me)
    assert names(client, "?state=KE") == ["Grace Wanjiru"]
    assert names(client, "?role=organiser") == ["Timur Karimov"]
    assert names(client, "?theme=data_protection") == ["Grace Wanjiru"]
    assert names(client, "?language=fr&theme=cybersecurity") == ["Grace Wanjiru"]
    assert names(client, "?language=ar") == []
    for bad in ("?state=ZZ", "?role=king", "?theme=astrology", "?page=0", "?q=" + "x" * 101):
        answer = client.get(f"/people/{bad}")
        assert answer.status_code == 400, bad
    french = client.get("/people/?role=king").get_data(as_text=True)  # in the member's language
    assert "Cette valeur de filtre n’est pas connue." in french


def test_the_list_runs_a_fixed_number_of_queries(client, login, make_user, query_counter):
    me = make_user()
    login(me)
    client.get("/people/")
    with query_counter() as few:
        client.get("/people/")
    for n in range(40):
        make_user(display_name=f"Member {n:02d}")
    client.get("/people/")  # the signed-in account is loaded again once after the inserts
    with query_counter() as many:
        client.get("/people/")
    assert many.count == few.count, "\n".join(many.statements) + "\n----\n" + "\n".join(few.statements)


def test_a_persons_page_and_a_message_from_it(client, login, make_user, session):
    me = make_user(display_name="Awa Diop")
    other = make_user(display_name="Grace Wanjiru")
    hidden = make_user(Role.OBSERVER, display_name="Quiet Observer")
    login(me)
    page = client.get(f"/people/{other.id}").get_data(as_text=True)
    assert "Grace Wanjiru" in page and "Send a message" in page and "@example.org" not in page
    assert client.get(f"/people/{hidden.id}").status_code == 404
    assert client.get("/people/99999999999").status_code == 404
    answer = client.post(f"/people/{other.id}/message", data={"csrf_token": csrf_token(client, f"/people/{other.id}")})
    assert answer.status_code == 302 and "/rooms/" in answer.headers["Location"]
    again = client.post(f"/people/{other.id}/message", data={"csrf_token": csrf_token(client, f"/people/{other.id}")})
    assert again.headers["Location"] == answer.headers["Location"]  # one conversation, found again
    assert db.session.query(Room).count() == 1
    assert client.post(f"/people/{hidden.id}/message",
                       data={"csrf_token": csrf_token(client, "/people/")}).status_code == 404


def test_members_choose_to_be_listed(client, login, make_user):
    observer = make_user(Role.OBSERVER, display_name="Quiet Observer")
    viewer = make_user(display_name="Awa Diop")
    login(observer)
    client.post("/people/listing", data={"csrf_token": csrf_token(client, "/people/"), "listed": "y"})
    assert db.session.get(type(observer), observer.id).in_directory is True
    client.post("/logout", data={"csrf_token": csrf_token(client, "/people/")})
    login(viewer)
    assert "Quiet Observer" in names(client)


def test_arabic_directory_is_right_to_left(client, login, make_user):
    login(make_user(display_name="Awa Diop"))
    page = client.get("/people/?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in page
