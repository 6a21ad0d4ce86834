"""Library pages: reading, writing, review, translation, learned-from, feeds, bad input, query bounds."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from app.core.permissions import Role
from app.library import services
from app.library.models import Practice, Workflow
from tests.conftest import csrf_token
from tests.library.conftest import fields

ATOM = "{http://www.w3.org/2005/Atom}"


def form_data(client, path: str, **changes) -> dict:
    data = {"csrf_token": csrf_token(client, path), "language": "fr", "title": "Loi sur les données",
            "summary": "Une loi courte.", "body": "Les **données** personnelles sont protégées.",
            "kind": "law", "policy_status": "in_force", "visibility": "public", "year": "2023",
            "themes": ["data_protection"], "articles": ["2.2"], "links": "https://example.org/loi"}
    data.update(changes)
    return data


def test_ambassador_shares_and_staff_publishes(session, client, login, ambassador, organiser):
    author = ambassador("SN")
    login(author)
    response = client.post("/library/new", data=form_data(client, "/library/new"))
    assert response.status_code == 302
    practice = session.query(Practice).one()
    assert practice.nation.iso2 == "SN" and practice.status == Workflow.DRAFT
    page = client.get(f"/library/{practice.id}?draft=1").get_data(as_text=True)
    assert "<strong>données</strong>" in page and "Submit for review" in page
    client.post(f"/library/{practice.id}/submit", data={"csrf_token": csrf_token(client, f"/library/{practice.id}")})
    assert practice.status == Workflow.SUBMITTED
    client.post("/logout", data={"csrf_token": csrf_token(client, "/library")})

    login(organiser)
    token = csrf_token(client, f"/library/{practice.id}")
    assert client.post(f"/library/{practice.id}/publish", data={"csrf_token": token}).status_code == 302
    assert practice.status == Workflow.PUBLISHED


def test_bad_form_shows_translated_errors_and_saves_nothing(session, client, login, ambassador):
    login(ambassador("SN", locale="fr"))
    response = client.post("/library/new", data=form_data(
        client, "/library/new", title="<img src=x onerror=alert(1)>", year="deux mille"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<img src=x" not in html
    assert session.query(Practice).count() == 0


def test_observer_cannot_open_the_form(client, login_as):
    login_as(Role.OBSERVER)[0]
    assert client.get("/library/new").status_code == 403


def test_reader_sees_translation_or_original_with_languages(session, client, published, ambassador):
    practice = published()
    services.translate_practice(ambassador("CN", display_name="Li Wenjing"), practice, language="zh",
                                title="国家网络安全战略", summary="三部分战略。", body="我们建立了国家应急小组。")
    session.commit()
    zh = client.get(f"/library/{practice.id}?lang=zh").get_data(as_text=True)
    assert "国家网络安全战略" in zh and "Li Wenjing" in zh
    en = client.get(f"/library/{practice.id}?lang=en").get_data(as_text=True)
    assert "Stratégie nationale de cybersécurité" in en
    assert "not yet available in your language" in en and 'lang="zh"' in en


def test_markdown_body_is_sanitised(session, client, published):
    practice = published(body="Voir [ici](javascript:alert(1)) <script>alert(2)</script>")
    html = client.get(f"/library/{practice.id}").get_data(as_text=True)
    assert "href=\"javascript:" not in html and "<script>alert(2)" not in html
    assert "&lt;script&gt;alert(2)" in html  # shown as text, never run


def test_hidden_practices_are_not_found(session, client, draft, published):
    assert client.get(f"/library/{draft().id}").status_code == 404
    members = published(visibility="members")
    assert client.get(f"/library/{members.id}").status_code == 404
    assert client.get("/library/99999999999").status_code == 404
    assert "Stratégie" not in client.get("/library").get_data(as_text=True)


def test_list_filters_and_bad_filter(session, client, published):
    published()
    published(iso2="KE", language="en", title="Digital ID law", themes=["digital_inclusion"])
    html = client.get("/library?q=cybersecurite").get_data(as_text=True)
    assert "Stratégie nationale" in html and "Digital ID law" not in html
    html = client.get("/library?grouping=LDC").get_data(as_text=True)
    assert "Stratégie nationale" in html and "Digital ID law" not in html
    bad = client.get("/library?theme=<script>")
    assert bad.status_code == 400 and "<script>" not in bad.get_data(as_text=True)


def test_learned_from_and_impact_page(session, client, login, published, ambassador):
    practice = published()
    login(ambassador("NP"))
    token = csrf_token(client, f"/library/{practice.id}")
    client.post(f"/library/{practice.id}/adapt", data={"csrf_token": token, "note": "Repris au Népal."})
    html = client.get(f"/library/{practice.id}").get_data(as_text=True)
    assert "Nepal" in html and "Repris au Népal." in html
    impact = client.get("/library/impact").get_data(as_text=True)
    assert re.search(r'class="figure">1</span>exchange between States', impact)


def test_version_diff_page(session, client, published, organiser):
    practice = published()
    services.update_practice(practice.author, practice, fields(title="Stratégie révisée"), edition=practice.edition)
    services.publish_practice(organiser, practice)
    session.commit()
    html = client.get(f"/library/{practice.id}/versions/2").get_data(as_text=True)
    assert "<ins dir=\"auto\">Stratégie révisée</ins>" in html
    assert "<del dir=\"auto\">Stratégie nationale de cybersécurité</del>" in html
    assert client.get(f"/library/{practice.id}/versions/9").status_code == 404


def test_theme_feed_lists_public_practices(session, client, published):
    practice = published()
    published(visibility="members", title="Réservé aux membres")
    response = client.get("/library/themes/cybersecurity.atom")
    feed = ET.fromstring(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == [practice.original.title]
    assert client.get("/library/themes/astrology.atom").status_code == 404


def test_stale_edit_is_told(session, client, login, draft):
    practice = draft()
    login(practice.author)
    data = form_data(client, f"/library/{practice.id}/edit", edition=str(practice.edition))
    services.update_practice(practice.author, practice, fields(title="Changé ailleurs"), edition=practice.edition)
    session.commit()
    html = client.post(f"/library/{practice.id}/edit", data=data).get_data(as_text=True)
    assert "Someone changed this practice" in html
    assert practice.original.title == "Changé ailleurs"


def test_list_and_practice_pages_run_bounded_queries(session, client, published, organiser, ambassador,
                                                     query_counter):
    def measure(path: str) -> int:
        with query_counter() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    first = published()
    revising = published(iso2="TZ")
    services.update_practice(revising.author, revising, fields(), edition=revising.edition)
    session.commit()
    services.record_adaptation(ambassador("DE"), revising, "Adapted.")
    session.commit()
    few_list, few_page = measure("/library"), measure(f"/library/{first.id}")
    few_impact = measure("/library/impact")
    for iso2 in ("KE", "BR", "JP", "FJ", "NP", "FR"):
        item = published(iso2=iso2)
        services.update_practice(item.author, item, fields(), edition=item.edition)  # under revision
        services.record_adaptation(ambassador("DE"), item, "Adapted.")
    session.commit()
    assert measure("/library") == few_list
    assert measure(f"/library/{first.id}") == few_page
    assert measure("/library/impact") == few_impact
