"""Joint initiatives through the API: approved public ones only, members as States and partners."""

from __future__ import annotations

from app.initiatives import services
from tests.initiatives.conftest import active, ambassador, partner_rep, proposed, staff  # noqa: F401

__all__ = ["active", "ambassador", "partner_rep", "proposed", "staff"]


def test_listed_public_initiatives_with_their_members(client, session, active, proposed, ambassador):
    listed = active()
    services.ask_to_join(ambassador("KE"), listed)
    session.commit()
    services.accept(listed.created_by, next(m for m in listed.members if m.nation and m.nation.iso2 == "KE"))
    session.commit()
    proposed(title="Pas encore approuvée")
    active(title="Réservée aux membres", visibility="members")
    answer = client.get("/api/v1/initiatives")
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    items = answer.get_json()["items"]
    assert [i["id"] for i in items] == [str(listed.id)]
    item = items[0]
    assert item["status"] == "active" and item["language"] == "fr" and item["themes"] == ["cybersecurity"]
    assert {(m["state"], m["lead"]) for m in item["members"]} == {("SN", True), ("KE", False)}
    assert item["approved_at"].endswith("Z")
    assert client.get("/api/v1/initiatives?nation=ke").get_json()["items"][0]["id"] == str(listed.id)
    assert client.get("/api/v1/initiatives?status=completed").get_json()["items"] == []


def test_hidden_unknown_and_bad_filters_are_problems(client, proposed):
    waiting = proposed()
    for path in (f"/api/v1/initiatives/{waiting.id}", "/api/v1/initiatives/99999999999"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    for query in ("theme=astrology", "status=secret", "nation=1x", "cursor=forged", "unknown=1"):
        answer = client.get(f"/api/v1/initiatives?{query}")
        assert answer.status_code == 400 and answer.mimetype == "application/problem+json", query


def test_one_initiative_reads_in_the_readers_language_when_written(client, active):
    initiative = active()
    english = client.get(f"/api/v1/initiatives/{initiative.id}").get_json()
    assert english["language"] == "fr" and english["languages"] == ["fr"] and english["people"] == 0
