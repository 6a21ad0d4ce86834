"""/api/v1: public reads over the same services as the registry and convening pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from spectree import Response as Answers
from werkzeug.exceptions import HTTPException

from app.api import schemas
from app.api.conventions import (
    allow_cors,
    answered_already,
    decode_cursor,
    encode_cursor,
    iso,
    newest,
    page_of,
    public_json,
)
from app.api.problems import from_domain_error, from_http_status
from app.api.ratelimit import spend
from app.api.spec import TOKEN, openapi_document, spec
from app.api.tokens import authenticate
from app.convenings import services as convenings
from app.core.db import unit_of_work
from app.core.errors import DomainError, Invalid, NotFound
from app.i18n import current_language
from app.initiatives import services as initiatives
from app.library import finding as library_finding
from app.library import services as library
from app.registry import services as registry

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: Largest id the database can hold in an integer column; anything above is simply not found.
MAX_ID = 2**31 - 1


def _answers(ok: type, *, not_found: bool = False) -> Answers:
    codes: dict[str, Any] = {"HTTP_200": ok, "HTTP_400": schemas.Problem}
    if not_found:
        codes["HTTP_404"] = schemas.Problem
    return Answers(**codes)


def _query() -> Any:
    return request.context.query  # type: ignore[attr-defined]


@bp.errorhandler(DomainError)
def domain_error(error: DomainError) -> Response:
    return from_domain_error(error)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    if error.response is not None:  # SpecTree's answer, already a problem document
        return error.response
    return from_http_status(error.code or 500)


@bp.errorhandler(Exception)
def unexpected(error: Exception) -> Response:
    return from_http_status(500)  # logs the exception; the answer tells nothing of it


#: Endpoints answered with a member's data: never open to other origins.
PRIVATE = {"api.me", "api.my_registrations"}


@bp.after_request
def public_reads_are_open(response: Response) -> Response:
    if request.method in ("GET", "HEAD", "OPTIONS") and request.endpoint not in PRIVATE:
        allow_cors(response)
    if request.endpoint in PRIVATE:
        response.headers["Cache-Control"] = "private, no-store"
    for name, value in g.pop("api_rate_headers", {}).items():
        response.headers[name] = value
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _bearer(scope: str) -> Any:
    """The member behind the request's bearer token, if it carries `scope`."""
    header = request.headers.get("Authorization", "")
    secret = header[7:].strip() if header[:7].lower() == "bearer " else None
    user, token = authenticate(secret, scope)
    spend(token.id)
    return user, token


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API, generated from the code."""
    return jsonify(openapi_document(current_app._get_current_object()))  # type: ignore[attr-defined]


# ---------------------------------------------------------------- with a token


@bp.get("/me")
@spec.validate(query=schemas.Strict, security=TOKEN,
               resp=Answers(HTTP_200=schemas.Me, HTTP_400=schemas.Problem,
                            HTTP_401=schemas.Problem, HTTP_403=schemas.Problem,
                            HTTP_429=schemas.Problem), tags=["me"])
def me() -> Response:
    """The token's member (scope: read)."""
    with unit_of_work():
        user, token = _bearer("read")
        body = {"id": str(user.id), "display_name": user.display_name, "email": user.email,
                "role": user.role, "locale": user.locale, "timezone": user.timezone,
                "delegation": user.nation.iso2 if user.nation else None,
                "token_name": token.name, "token_scopes": token.scope_list}
    return jsonify(body)


def _token_answers(ok: type) -> Answers:
    return Answers(HTTP_200=ok, HTTP_400=schemas.Problem, HTTP_401=schemas.Problem,
                   HTTP_403=schemas.Problem, HTTP_429=schemas.Problem)


@bp.get("/me/registrations")
@spec.validate(query=schemas.Strict, security=TOKEN, resp=_token_answers(schemas.MyRegistrations),
               tags=["me"])
def my_registrations() -> Response:
    """The token's member's active registrations, soonest convening first (scope: read)."""
    with unit_of_work():
        user, _token = _bearer("read")
        language = current_language()
        items = [{"id": str(r.id), "status": r.status, "registered_at": iso(r.created_at),
                  "convening": _convening(c, language)}
                 for c, r in convenings.convenings_for_user(user)]
    return jsonify({"items": items})


# ---------------------------------------------------------------- registry


def _signature(signature: Any) -> dict[str, Any]:
    return {"id": str(signature.id), "signed_on": signature.signed_on.isoformat(),
            "withdrawn_on": signature.withdrawn_on.isoformat() if signature.withdrawn_on else None,
            "authority_name": signature.authority_name,
            "authority_title": signature.authority_title,
            "status": "active" if signature.is_active else "withdrawn"}


def _filters(query: Any, keys: tuple[str, ...]) -> registry.RegistryFilters:
    values = {key: getattr(query, key) for key in keys if getattr(query, key)}
    return registry.parse_filters(values) if values else registry.RegistryFilters()


@bp.get("/states")
@spec.validate(query=schemas.StatesQuery, resp=_answers(schemas.StatePage), tags=["registry"])
def states() -> Response:
    """Signatory States with their latest signature, filtered like the registry page."""
    query = _query()
    version = registry.signatures_version()
    known = answered_already(version)
    if known is not None:
        return known
    filters = _filters(query, ("q", "region", "subregion", "grouping", "status", "sort"))
    entries = registry.registry_states(filters)
    chunk, following = page_of(entries, query.cursor, query.limit)
    language = current_language()
    items = [{"iso2": e.nation.iso2, "iso3": e.nation.iso3,
              "name": registry.nation_name(e.nation, language), "region": e.nation.region,
              "subregion": e.nation.subregion, "groupings": e.groupings,
              "signature": _signature(e.signature)} for e in chunk]
    changed = newest(*(e.signature.updated_at for e in entries))
    return public_json({"items": items, "next_cursor": following}, last_modified=changed,
                       next_cursor=following, version=version)


@bp.get("/states/<iso2>")
@spec.validate(query=schemas.Strict, resp=_answers(schemas.StateDetail, not_found=True),
               tags=["registry"])
def state(iso2: str) -> Response:
    """One State and every signature it recorded or withdrew."""
    if len(iso2) != 2 or not iso2.isalpha() or not iso2.isascii():
        raise NotFound()
    page = registry.state_page(iso2)
    nation = page.nation
    body = {"iso2": nation.iso2, "iso3": nation.iso3, "name": registry.nation_name(nation),
            "region": nation.region, "subregion": nation.subregion,
            "signatures": [_signature(s) for s in page.signatures]}
    return public_json(body, last_modified=newest(*(s.updated_at for s in page.signatures)))


@bp.get("/commitments")
@spec.validate(query=schemas.Strict, resp=_answers(schemas.Commitments), tags=["registry"])
def commitments() -> Response:
    """The commitments tracker's figures over the States whose signature is in force."""
    overview = registry.progress_overview()

    def tally(t: Any) -> dict[str, Any]:
        return {"label": t.label, "counts": dict(t.counts)}

    body = {"signatories": len(overview.signatories),
            "by_commitment": [{"commitment": key, **tally(t)} for key, t
                              in zip(registry.COMMITMENTS, overview.by_commitment, strict=True)],
            "by_region": [tally(t) for t in overview.by_region],
            "by_grouping": [tally(t) for t in overview.by_grouping],
            "over_time": [{"date": day.isoformat(), "signatories": n}
                          for day, n in overview.over_time]}
    return public_json(body)


@bp.get("/partners")
@spec.validate(query=schemas.PartnersQuery, resp=_answers(schemas.PartnerPage), tags=["registry"])
def partners() -> Response:
    """Published Supporting Partners, filtered like the registry page."""
    query = _query()
    filters = _filters(query, ("q", "category", "country", "region", "sort"))
    everyone = registry.published_partners(filters)
    chunk, following = page_of(everyone, query.cursor, query.limit)
    items = [{"id": str(p.id), "name": p.name, "category": p.category, "country": p.nation.iso2,
              "website": p.website,
              "endorsed_on": p.endorsed_on.isoformat() if p.endorsed_on else None} for p in chunk]
    changed = newest(*(p.decided_at for p in everyone))
    return public_json({"items": items, "next_cursor": following}, last_modified=changed,
                       next_cursor=following)


@bp.get("/notifications")
@spec.validate(query=schemas.PageQuery, resp=_answers(schemas.NotificationPage),
               tags=["registry"])
def notifications() -> Response:
    """Depositary notifications, newest first; the cursor is the last id seen."""
    query = _query()
    found = registry.notifications_before(decode_cursor(query.cursor), query.limit + 1)
    chunk = found[:query.limit]
    following = encode_cursor(chunk[-1].id) if len(found) > query.limit else None
    items = [{"id": str(n.id), "reference": f"{n.year}/{n.sequence}", "kind": n.kind,
              "country": n.nation.iso2 if n.nation else None,
              "text": registry.notification_text(n), "created_at": iso(n.created_at)}
             for n in chunk]
    return public_json({"items": items, "next_cursor": following},
                       last_modified=newest(*(n.created_at for n in chunk)), next_cursor=following)


# ---------------------------------------------------------------- convenings


def _convening(convening: Any, language: str) -> dict[str, Any]:
    return {"id": str(convening.id), "kind": convening.kind,
            "title": convening.title_in(language),
            "description": convening.description_in(language),
            "languages": sorted(convening.titles), "themes": list(convening.themes),
            "format": convening.format, "status": convening.status,
            "timezone": convening.timezone, "starts_at": iso(convening.starts_at),
            "ends_at": iso(convening.ends_at), "venue_city": convening.venue_city,
            "venue_country": convening.venue_country}


@bp.get("/convenings")
@spec.validate(query=schemas.ConveningsQuery, resp=_answers(schemas.ConveningPage),
               tags=["convenings"])
def convening_list() -> Response:
    """Published public convenings, upcoming (or past), as the public list shows them."""
    query = _query()
    found = convenings.list_convenings(None, past=query.past)
    chunk, following = page_of(found, query.cursor, query.limit)
    language = current_language()
    return public_json({"items": [_convening(c, language) for c in chunk],
                        "next_cursor": following},
                       last_modified=newest(*(c.updated_at for c in found)), next_cursor=following)


@bp.get("/convenings/<int:convening_id>/agenda")
@spec.validate(query=schemas.Strict, resp=_answers(schemas.Agenda, not_found=True),
               tags=["convenings"])
def convening_agenda(convening_id: int) -> Response:
    """A published convening with its sessions, tracks, speakers and languages."""
    if convening_id > MAX_ID:
        raise NotFound()
    convening = convenings.get_convening(None, convening_id)
    sessions = convenings.agenda(convening)
    language = current_language()
    body = {
        "convening": _convening(convening, language),
        "tracks": sorted({s.track for s in sessions if s.track}),
        "languages": sorted({s.language for s in sessions} | set(convening.titles)),
        "sessions": [{
            "id": str(s.id), "title": s.title, "description": s.description, "kind": s.kind,
            "track": s.track, "location": s.location, "language": s.language,
            "interpretation": list(s.interpretation), "starts_at": iso(s.starts_at),
            "ends_at": iso(s.ends_at), "cancelled": s.cancelled,
            "speakers": [{"name": sp.user.display_name, "member": True} for sp in s.speakers]
            + [{"name": name, "member": False} for name in s.guest_speakers],
        } for s in sessions],
    }
    return public_json(body, last_modified=convening.updated_at)


# ---------------------------------------------------------------- library


def _practice(practice: Any, language: str) -> dict[str, Any]:
    text = library.reading(practice, language)
    return {"id": str(practice.id), "state": practice.nation.iso2, "kind": practice.kind,
            "policy_status": practice.policy_status, "year": practice.year, "title": text.title,
            "summary": text.summary, "language": text.language, "translation": text.is_translation,
            "languages": text.available, "themes": practice.tagged("theme"),
            "articles": practice.tagged("article"), "links": list(practice.links),
            "published_at": iso(practice.published_at)}


@bp.get("/practices")
@spec.validate(query=schemas.PracticesQuery, resp=_answers(schemas.PracticePage), tags=["library"])
def practice_list() -> Response:
    """Public national practices of the library, newest first, with the library's filters."""
    query = _query()
    args = {key: str(value) for key, value in query.model_dump(exclude={"cursor", "lang"}).items()
            if value is not None}
    args["page"] = str(decode_cursor(query.cursor) or 1)
    found = library_finding.find_practices(None, library_finding.parse_filters(args))
    following = encode_cursor(found.page + 1) if found.page < found.pages else None
    language = current_language()
    return public_json({"items": [_practice(p, language) for p in found.practices], "next_cursor": following},
                       last_modified=newest(*(p.updated_at for p in found.practices)), next_cursor=following)


@bp.get("/practices/<int:practice_id>")
@spec.validate(query=schemas.Strict, resp=_answers(schemas.PracticeDetail, not_found=True), tags=["library"])
def practice_detail(practice_id: int) -> Response:
    """One public practice, in the reader's language when translated, else its original."""
    if practice_id > MAX_ID:
        raise NotFound()
    practice = library.get_practice(None, practice_id)
    language = current_language()
    body = {**_practice(practice, language), "body": library.reading(practice, language).body}
    return public_json(body, last_modified=practice.updated_at)


# ---------------------------------------------------------------- initiatives


def _initiative(initiative: Any, language: str) -> dict[str, Any]:
    text = initiative.reading(language)
    members = [m for m in initiative.active_members if m.nation_id is not None or m.partner_id is not None]
    return {"id": str(initiative.id), "title": text.title, "summary": text.summary, "language": text.language,
            "languages": sorted(t.language for t in initiative.texts), "goal": initiative.goal,
            "status": initiative.status,
            "themes": initiative.tagged("theme"), "articles": initiative.tagged("article"),
            "members": [{"kind": "state" if m.nation_id is not None else "partner",
                         "name": m.nation.name if m.nation_id is not None else m.partner.name,
                         "state": m.nation.iso2 if m.nation_id is not None else None,
                         "lead": m.is_lead} for m in members],
            "people": len(initiative.active_members) - len(members),
            "approved_at": iso(initiative.approved_at)}


@bp.get("/initiatives")
@spec.validate(query=schemas.InitiativesQuery, resp=_answers(schemas.InitiativePage), tags=["initiatives"])
def initiative_list() -> Response:
    """Public joint initiatives approved by TDI staff, newest first, with the list's filters."""
    query = _query()
    given = {key: value for key, value in query.model_dump(exclude={"cursor", "lang"}).items() if value}
    filters = initiatives.parse_filters({**given, "page": str(decode_cursor(query.cursor) or 1)})
    for key, value in given.items():  # the page ignores an unknown value; the API says so
        if getattr(filters, key) != (value.upper() if key == "nation" else value):
            raise Invalid(code="filter_invalid", field=key)
    found = initiatives.find_initiatives(None, filters)
    following = encode_cursor(found.page + 1) if found.page < found.pages else None
    language = current_language()
    return public_json({"items": [_initiative(i, language) for i in found.initiatives],
                        "next_cursor": following},
                       last_modified=newest(*(i.updated_at for i in found.initiatives)), next_cursor=following)


@bp.get("/initiatives/<int:initiative_id>")
@spec.validate(query=schemas.Strict, resp=_answers(schemas.Initiative, not_found=True), tags=["initiatives"])
def initiative_detail(initiative_id: int) -> Response:
    """One public initiative: its texts in the reader's language, goal, status and members."""
    if initiative_id > MAX_ID:
        raise NotFound()
    initiative = initiatives.get_initiative(None, initiative_id)
    return public_json(_initiative(initiative, current_language()), last_modified=initiative.updated_at)
