"""Public reads: shapes, filters, cursors with Link headers, conditional GET, CORS, problems."""

from __future__ import annotations

import re

from app.api.conventions import decode_cursor, encode_cursor
from app.core.errors import Invalid


def test_states_list_signatories_with_string_ids_and_iso_dates(client, sign):
    signature = sign("FR")
    sign("UZ")
    answer = client.get("/api/v1/states")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    items = answer.get_json()["items"]
    assert [i["iso2"] for i in items] == ["FR", "UZ"]
    assert items[0]["signature"]["id"] == str(signature.id)
    assert items[0]["signature"]["signed_on"] == "2025-11-01"
    assert items[0]["name"] == "France"


def test_state_names_follow_accept_language(client, sign):
    sign("FR")
    answer = client.get("/api/v1/states", headers={"Accept-Language": "ar"})
    assert answer.get_json()["items"][0]["name"] == "فرنسا"


def test_cursor_pages_follow_the_link_header_to_the_end(client, sign):
    for iso2 in ("FR", "UZ", "KE", "BR", "JP"):
        sign(iso2)
    seen, url = [], "/api/v1/states?limit=2"
    while url:
        answer = client.get(url)
        seen += [i["iso2"] for i in answer.get_json()["items"]]
        link = answer.headers.get("Link")
        url = re.match(r"<http://[^/]+(\S+)>; rel=\"next\"", link).group(1) if link else None
        assert (answer.get_json()["next_cursor"] is None) == (url is None)
    assert sorted(seen) == ["BR", "FR", "JP", "KE", "UZ"]
    assert len(seen) == 5


def test_etag_and_last_modified_answer_304_when_unchanged(client, sign):
    sign("FR")
    first = client.get("/api/v1/states")
    assert first.headers["ETag"].startswith('W/"')
    assert first.headers["Last-Modified"].endswith("GMT")
    again = client.get("/api/v1/states", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    sign("UZ")
    changed = client.get("/api/v1/states", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert [i["iso2"] for i in changed.get_json()["items"]] == ["FR", "UZ"]
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_etag_differs_by_language(client, sign):
    sign("FR")
    english = client.get("/api/v1/states").headers["ETag"]
    arabic = client.get("/api/v1/states", headers={"Accept-Language": "ar"}).headers["ETag"]
    assert english != arabic


def test_bad_input_is_a_problem_document_never_a_500(client):
    for url, code in [("/api/v1/states?limit=abc", "validation"),
                      ("/api/v1/states?limit=99999999999999999999999", "validation"),
                      ("/api/v1/states?unknown=1", "validation"),
                      ("/api/v1/states?cursor=%%%", "cursor_invalid"),
                      ("/api/v1/states?cursor=" + encode_cursor(10**9) + "AA", "cursor_invalid"),
                      ("/api/v1/states?region=999", "filter_invalid"),
                      ("/api/v1/notifications?cursor=bm9wZQ", "cursor_invalid")]:
        answer = client.get(url)
        assert answer.status_code == 400, url
        assert answer.mimetype == "application/problem+json", url
        body = answer.get_json()
        assert body["code"] == code, url
        assert body["status"] == 400 and body["title"], url


def test_problem_titles_are_translated(client):
    answer = client.get("/api/v1/states?limit=0", headers={"Accept-Language": "fr"})
    assert answer.get_json()["title"] == "La requête ne correspond pas à la description de l’API"


def test_unknown_state_and_huge_convening_id_are_404_problems(client):
    for url in ("/api/v1/states/QQ", "/api/v1/states/FRA", "/api/v1/convenings/99999999999999/agenda"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert answer.get_json()["code"] == "not_found", url


def test_state_detail_lists_every_signature(client, sign):
    sign("KE")
    body = client.get("/api/v1/states/ke").get_json()
    assert body["iso2"] == "KE" and len(body["signatures"]) == 1


def test_partners_and_notifications(client, sign, partner):
    approved = partner(name="Open Data Lab")
    sign("FR")
    partners = client.get("/api/v1/partners").get_json()["items"]
    assert [p["id"] for p in partners] == [str(approved.id)]
    notices = client.get("/api/v1/notifications?limit=1")
    first = notices.get_json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    assert first["items"][0]["created_at"].endswith("Z")
    rest = client.get(f"/api/v1/notifications?cursor={first['next_cursor']}").get_json()
    assert rest["items"] and rest["items"][0]["id"] != first["items"][0]["id"]


def test_published_agenda_with_tracks_speakers_and_languages(client, convening_with_agenda):
    convening = convening_with_agenda()
    listed = client.get("/api/v1/convenings").get_json()["items"]
    assert [c["id"] for c in listed] == [str(convening.id)]
    body = client.get(f"/api/v1/convenings/{convening.id}/agenda",
                      headers={"Accept-Language": "ar"}).get_json()
    assert body["convening"]["title"] == "مختبر حوكمة الذكاء"
    assert body["tracks"] == ["Main", "Practice"]
    assert {"ar", "en"} <= set(body["languages"])
    assert body["sessions"][0]["speakers"] == [{"name": "Guest Speaker", "member": False}]
    assert body["sessions"][0]["starts_at"].endswith("Z")


def test_draft_convening_is_not_found(client, convening_with_agenda):
    draft = convening_with_agenda(publish=False)
    assert client.get(f"/api/v1/convenings/{draft.id}/agenda").status_code == 404
    assert client.get("/api/v1/convenings").get_json()["items"] == []


def test_agenda_queries_are_bounded(client, convening_with_agenda, query_counter):
    convening = convening_with_agenda(sessions=30)
    with query_counter() as counted:
        assert client.get(f"/api/v1/convenings/{convening.id}/agenda").status_code == 200
    assert counted.count <= 6


def test_cursor_round_trip_and_refusals():
    assert decode_cursor(encode_cursor(42)) == 42
    assert decode_cursor(None) is None
    for forged in ("x", encode_cursor(42)[:-1] + "!", "djE6LTE"):  # "v1:-1"
        try:
            decode_cursor(forged)
        except Invalid as error:
            assert error.code == "cursor_invalid"
        else:
            raise AssertionError(forged)


def test_openapi_document_is_3_1_and_lists_every_public_read(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/states", "/api/v1/partners", "/api/v1/notifications", "/api/v1/practices",
            "/api/v1/practices/{practice_id}", "/api/v1/initiatives", "/api/v1/initiatives/{initiative_id}",
            "/api/v1/convenings", "/api/v1/states/{iso2}", "/api/v1/commitments",
            "/api/v1/convenings/{convening_id}/agenda"} <= set(document["paths"])
    bad = document["paths"]["/api/v1/states"]["get"]["responses"]["400"]["content"]
    assert list(bad) == ["application/problem+json"]


def test_reference_page_loads_only_our_own_scripts(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "swagger-ui-5.35.0" in html
    assert "<script>" not in html and "https://" not in html


def test_unrouted_api_paths_are_problems_and_site_pages_keep_html(client):
    answer = client.get("/api/v1/convenings/-3/agenda")
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    assert client.post("/api/v1/states").get_json()["code"] == "method_not_allowed"
    assert client.get("/no-such-page").mimetype == "text/html"


def test_lang_argument_chooses_the_language(client, sign):
    sign("FR")
    body = client.get("/api/v1/states?lang=zh").get_json()
    assert body["items"][0]["name"] == "法国"


def test_cors_preflight_and_head_for_public_reads(client):
    preflight = client.options("/api/v1/states", headers={
        "Origin": "https://ministry.example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "ETag" in client.head("/api/v1/states").headers["Access-Control-Expose-Headers"]


def test_commitment_figures_count_states_in_force(client, sign):
    sign("FR")
    sign("KE")
    body = client.get("/api/v1/commitments", headers={"Accept-Language": "fr"}).get_json()
    assert body["signatories"] == 2
    first = body["by_commitment"][0]
    assert first["commitment"] == "1.1" and sum(first["counts"].values()) == 2
    assert body["over_time"][-1]["signatories"] == 2


def test_a_failure_inside_is_a_bare_problem_and_is_logged(client, monkeypatch, caplog):
    from app.registry import services

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(services, "registry_states", broken)
    answer = client.get("/api/v1/states?limit=7")
    assert answer.status_code == 500
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["code"] == "server_error"
    assert "secret detail" not in answer.get_data(as_text=True)
    assert "secret detail" in caplog.text
