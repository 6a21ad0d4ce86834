"""The library through the API: public practices only, in the reader's language, with filters."""

from __future__ import annotations

import re

from app.library import services
from tests.library.conftest import ambassador, draft, published  # noqa: F401 - fixtures

__all__ = ["ambassador", "draft", "published"]


def test_public_practices_only_newest_first_with_string_ids(client, published, draft):
    older = published(title="Stratégie nationale de cybersécurité")
    newer = published(iso2="KE", language="en", title="Kenya data protection office", themes=["data_protection"])
    draft(title="Brouillon secret")
    published(title="Réservé aux membres", visibility="members")
    answer = client.get("/api/v1/practices")
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    items = answer.get_json()["items"]
    assert [i["id"] for i in items] == [str(newer.id), str(older.id)]
    assert items[1]["state"] == "SN" and items[1]["language"] == "fr" and items[1]["themes"] == ["cybersecurity"]
    assert items[1]["published_at"].endswith("Z")
    only_kenya = client.get("/api/v1/practices?theme=data_protection").get_json()["items"]
    assert [i["title"] for i in only_kenya] == ["Kenya data protection office"]


def test_a_practice_reads_in_the_readers_language_when_translated(client, published, ambassador, session):
    practice = published()
    services.translate_practice(ambassador("MA"), practice, language="ar",
                                title="الاستراتيجية الوطنية للأمن السيبراني",
                                summary="استراتيجية من ثلاثة محاور.", body="أنشأنا **فريقًا** وطنيًا.")
    session.commit()
    arabic = client.get(f"/api/v1/practices/{practice.id}", headers={"Accept-Language": "ar"}).get_json()
    assert arabic["title"] == "الاستراتيجية الوطنية للأمن السيبراني" and arabic["translation"] is True
    assert sorted(arabic["languages"]) == ["ar", "fr"] and "**" in arabic["body"]
    english = client.get(f"/api/v1/practices/{practice.id}").get_json()
    assert english["language"] == "fr" and english["translation"] is False


def test_unknown_hidden_and_bad_input_are_problems(client, draft):
    hidden = draft()
    for path in (f"/api/v1/practices/{hidden.id}", "/api/v1/practices/99999999999"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    for query in ("theme=astrology", "cursor=forged", "year=0", "unknown=1"):
        answer = client.get(f"/api/v1/practices?{query}")
        assert answer.status_code == 400 and answer.mimetype == "application/problem+json", query


def test_pages_follow_the_link_header(client, published, monkeypatch):
    from app.library import finding

    monkeypatch.setattr(finding, "PAGE_SIZE", 2)
    made = [published(title=f"Pratique {n}") for n in range(5)]
    seen, url = [], "/api/v1/practices"
    while url:
        answer = client.get(url)
        seen += [i["id"] for i in answer.get_json()["items"]]
        link = answer.headers.get("Link")
        url = re.match(r"<http://[^/]+(\S+)>; rel=\"next\"", link).group(1) if link else None
    assert seen == [str(p.id) for p in reversed(made)]
