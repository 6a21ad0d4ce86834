"""The library's rules: who may write, review, translate and read a practice, and what changes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, tuple_

from app.accounts.models import User
from app.convenings.models import THEMES
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import Role, is_signed_in, is_staff, require_signed_in, require_staff
from app.extensions import db
from app.i18n import LANGUAGE_NAMES
from app.library.labels import ARTICLE_LABELS
from app.library.models import (
    Adaptation,
    PolicyStatus,
    Practice,
    PracticeKind,
    PracticeTag,
    PracticeText,
    PracticeToken,
    PracticeVersion,
    Visibility,
    Workflow,
)
from app.registry.models import Nation
from app.registry.services import active_signature, clean_text, clean_url, nation_by_iso
from app.rooms import search

TITLE_MAX = 200
SUMMARY_MAX = 1_000
BODY_MAX = 40_000
NOTE_MAX = 1_000
REASON_MAX = 1_000
LINKS_MAX = 10
FIRST_YEAR = 1990
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class PracticeFields:
    """What an author fills in; validated by `clean_fields`."""

    title: str
    summary: str
    body: str
    kind: str
    policy_status: str
    visibility: str
    year: int | None
    themes: list[str]
    articles: list[str]
    links: list[str] | str


# --- who may do what -------------------------------------------------------------------------

def may_write_for(actor: User | None, nation: Nation | None) -> bool:
    """Staff, or the State's own Tech Ambassador."""
    if nation is None or not is_signed_in(actor):
        return False
    return is_staff(actor) or (actor.role == Role.AMBASSADOR and actor.nation_id == nation.id)  # type: ignore[union-attr]


def may_create(actor: User | None) -> bool:
    """Staff and ambassadors of a State may start a practice."""
    return is_staff(actor) or (is_signed_in(actor) and actor.role == Role.AMBASSADOR  # type: ignore[union-attr]
                               and actor.nation_id is not None)  # type: ignore[union-attr]


def may_edit(actor: User | None, practice: Practice) -> bool:
    """Its State's writers may change a practice that is not withdrawn."""
    return practice.status != Workflow.WITHDRAWN and may_write_for(actor, practice.nation)


def may_submit(actor: User | None, practice: Practice) -> bool:
    """A draft goes to review by its State's writers."""
    return practice.status == Workflow.DRAFT and may_write_for(actor, practice.nation)


def may_review(actor: User | None, practice: Practice) -> bool:
    """TDI staff publish or refuse what waits for review."""
    return practice.status == Workflow.SUBMITTED and is_staff(actor)


def may_withdraw(actor: User | None, practice: Practice) -> bool:
    """Its State's writers (or staff) withdraw a practice."""
    return practice.status != Workflow.WITHDRAWN and may_write_for(actor, practice.nation)


def _is_signatory_member(actor: User | None) -> bool:
    if is_staff(actor):
        return True
    nation = getattr(actor, "nation", None) if is_signed_in(actor) else None
    return nation is not None and active_signature(nation) is not None


def may_read(actor: User | None, practice: Practice) -> bool:
    """Writers always; readers once it is listed, within its visibility."""
    if may_write_for(actor, practice.nation):
        return True
    if not practice.listed:
        return False
    if practice.visibility == Visibility.PUBLIC:
        return True
    if practice.visibility == Visibility.MEMBERS:
        return is_signed_in(actor)
    return _is_signatory_member(actor)


def may_translate(actor: User | None, practice: Practice) -> bool:
    """Any signed-in member who can read a listed practice may translate it."""
    return is_signed_in(actor) and practice.listed and may_read(actor, practice)


def may_record_adaptation(actor: User | None, practice: Practice) -> bool:
    """Another State's ambassador records that their State learned from a listed practice."""
    return (is_signed_in(actor) and actor.role == Role.AMBASSADOR  # type: ignore[union-attr]
            and actor.nation_id is not None and actor.nation_id != practice.nation_id  # type: ignore[union-attr]
            and practice.listed and may_read(actor, practice)
            and not _has_adapted(actor.nation_id, practice))  # type: ignore[union-attr]


def _has_adapted(nation_id: int, practice: Practice) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Adaptation).where(
        Adaptation.practice_id == practice.id, Adaptation.nation_id == nation_id)))


def readable_conditions(actor: User | None) -> list:
    """SQL conditions selecting the listed practices `actor` may read (for lists and counts)."""
    conditions = [Practice.published_version > 0, Practice.status != Workflow.WITHDRAWN]
    allowed = [Visibility.PUBLIC.value]
    if is_signed_in(actor):
        allowed.append(Visibility.MEMBERS.value)
    if _is_signatory_member(actor):
        allowed.append(Visibility.SIGNATORIES.value)
    conditions.append(Practice.visibility.in_(allowed))
    return conditions


# --- input ----------------------------------------------------------------------------------

def _choice(value: str | None, allowed: type, field: str) -> str:
    try:
        return allowed(value or "").value
    except ValueError:
        raise Invalid(_l("Choose a value from the list."), code="choice_unknown", field=field) from None


def _subset(values: list[str], allowed: object, field: str, *, required: bool) -> list[str]:
    chosen = list(dict.fromkeys(values))
    if any(value not in allowed for value in chosen):  # type: ignore[operator]
        raise Invalid(_l("Choose a value from the list."), code="choice_unknown", field=field)
    if required and not chosen:
        raise Invalid(_l("Choose at least one."), code="required", field=field)
    return chosen


def check_language(code: str | None, field: str = "language") -> str:
    """One of the platform's seven languages."""
    if code not in LANGUAGE_NAMES:
        raise Invalid(_l("Choose a language from the list."), code="language_unknown", field=field)
    return code


def clean_fields(fields: PracticeFields) -> dict:
    """Validated, normalised values of an author's form; raises Invalid on the first bad field."""
    year = fields.year
    if year is None or not FIRST_YEAR <= year <= date.today().year + 1:
        raise Invalid(_l("Give a year between %(first)d and next year.", first=FIRST_YEAR),
                      code="year_invalid", field="year")
    lines = fields.links.split() if isinstance(fields.links, str) else list(fields.links)
    lines = [line for line in lines if line.strip()]
    if len(lines) > LINKS_MAX:
        raise Invalid(_l("Give at most %(count)d links.", count=LINKS_MAX), code="links_too_many",
                      field="links")
    return {
        "title": clean_text(fields.title, field="title", limit=TITLE_MAX),
        "summary": clean_text(fields.summary, field="summary", limit=SUMMARY_MAX, multiline=True),
        # The body is Markdown, rendered by the rooms' sanitiser: markup in it is shown as text.
        "body": _clean_markdown(fields.body),
        "kind": _choice(fields.kind, PracticeKind, "kind"),
        "policy_status": _choice(fields.policy_status, PolicyStatus, "policy_status"),
        "visibility": _choice(fields.visibility, Visibility, "visibility"),
        "year": year,
        "themes": _subset(fields.themes, THEMES, "themes", required=True),
        "articles": _subset(fields.articles, ARTICLE_LABELS, "articles", required=False),
        "links": [clean_url(line, field="links") for line in lines],
    }


def _clean_markdown(raw: str | None) -> str:
    body = (raw or "").replace("\r\n", "\n").strip()
    if not body:
        raise Invalid(_l("This field is required."), code="required", field="body")
    if len(body) > BODY_MAX:
        raise Invalid(_l("This text is limited to %(count)d characters.", count=BODY_MAX),
                      code="too_long", field="body")
    return body


# --- reading ----------------------------------------------------------------------------------

def get_practice(actor: User | None, practice_id: int) -> Practice:
    """A practice the actor may read, or NotFound (never reveals what they may not see)."""
    practice = db.session.get(Practice, practice_id) if 0 < practice_id <= MAX_ID else None
    if practice is None or not may_read(actor, practice):
        raise NotFound()
    return practice


@dataclass(frozen=True)
class Reading:
    """What a reader sees: the text in their language, or the original and the alternatives."""

    title: str
    summary: str
    body: str
    language: str
    is_translation: bool
    signed_by: User | None
    available: list[str]


def reading(practice: Practice, language: str, *, working_copy: bool = False) -> Reading:
    """The reader's language when a translation exists, else the newest published original."""
    available = sorted({practice.original_language, *(t.language for t in practice.texts)})
    text = practice.text_in(language)
    if text is not None and text.is_translation:
        return Reading(text.title, text.summary, text.body, language, True, text.signed_by, available)
    # A published practice's original is its newest version; only a revision under way differs.
    if working_copy or practice.published_version == 0 or practice.status == Workflow.PUBLISHED:
        original = practice.original
        return Reading(original.title, original.summary, original.body,
                       practice.original_language, False, original.signed_by, available)
    version = practice.__dict__.get("published_text") or latest_version(practice)
    return Reading(version.title, version.summary, version.body, practice.original_language,
                   False, practice.original.signed_by, available)


def latest_version(practice: Practice) -> PracticeVersion:
    """The newest published version of the original text."""
    return db.session.scalar(select(PracticeVersion).where(
        PracticeVersion.practice_id == practice.id,
        PracticeVersion.number == practice.published_version))  # type: ignore[return-value]


def preload_published(practices: list[Practice]) -> None:
    """Fetch, in one query, the newest version of every listed practice under revision."""
    revising = {p.id: p for p in practices if p.published_version and p.status != Workflow.PUBLISHED}
    if not revising:
        return
    pairs = [(pid, p.published_version) for pid, p in revising.items()]
    for version in db.session.scalars(select(PracticeVersion).where(
            tuple_(PracticeVersion.practice_id, PracticeVersion.number).in_(pairs))):
        revising[version.practice_id].__dict__["published_text"] = version


def versions(practice: Practice) -> list[PracticeVersion]:
    """Every published version, oldest first."""
    return list(db.session.scalars(select(PracticeVersion).where(
        PracticeVersion.practice_id == practice.id).order_by(PracticeVersion.number)))


def version_diff(practice: Practice, number: int) -> list[tuple[str, str]]:
    """Line changes from version `number - 1` to `number`: ("+"|"-"|" ", line)."""
    by_number = {v.number: v for v in versions(practice)}
    if number not in by_number or number - 1 not in by_number:
        raise NotFound()

    def lines(version: PracticeVersion) -> list[str]:
        return [version.title, "", *version.summary.splitlines(), "", *version.body.splitlines()]

    changes = []
    for line in difflib.ndiff(lines(by_number[number - 1]), lines(by_number[number])):
        if line[:1] in ("+", "-", " "):
            changes.append((line[0], line[2:]))
    return changes


# --- writing ---------------------------------------------------------------------------------

def _set_tags(practice: Practice, themes: list[str], articles: list[str]) -> None:
    wanted = {("theme", v) for v in themes} | {("article", v) for v in articles}
    practice.tags[:] = [tag for tag in practice.tags if (tag.facet, tag.value) in wanted]
    present = {(tag.facet, tag.value) for tag in practice.tags}
    practice.tags.extend(PracticeTag(facet=f, value=v) for f, v in sorted(wanted - present))


def create_practice(actor: User, fields: PracticeFields, *, language: str,
                    iso2: str | None = None) -> Practice:
    """Start a draft for the actor's State (staff name the State)."""
    user = require_signed_in(actor)
    nation = nation_by_iso(iso2) if is_staff(user) else user.nation
    if not may_write_for(user, nation):
        raise Forbidden(_l("Only the Tech Ambassador of a State or TDI staff can share its practices."),
                        code="not_own_state")
    values = clean_fields(fields)
    language = check_language(language)
    now = utcnow()
    practice = Practice(nation_id=nation.id, author_id=user.id, kind=values["kind"],  # type: ignore[union-attr]
                        policy_status=values["policy_status"], visibility=values["visibility"],
                        year=values["year"], links=values["links"], original_language=language,
                        status=Workflow.DRAFT.value, edition=1, published_version=0,
                        refusal_reason="", created_at=now, updated_at=now)
    practice.texts.append(PracticeText(language=language, is_translation=False, title=values["title"],
                                       summary=values["summary"], body=values["body"],
                                       signed_by_id=user.id, updated_at=now))
    _set_tags(practice, values["themes"], values["articles"])
    db.session.add(practice)
    db.session.flush()
    record(user, "library.created", "practice", practice.id, nation=practice.nation.iso2)
    return practice


def _check_edition(practice: Practice, edition: int | None) -> None:
    if edition != practice.edition:
        raise Conflict(_l("Someone changed this practice while you were editing it. Reload the page "
                          "to see their changes; yours were not saved."), code="stale_edit")


def update_practice(actor: User, practice: Practice, fields: PracticeFields, *,
                    edition: int | None) -> Practice:
    """Change a practice; a published one goes back to review, readers keep the last version."""
    if not may_edit(actor, practice):
        raise Forbidden()
    _check_edition(practice, edition)
    values = clean_fields(fields)
    original = practice.original
    original.title, original.summary, original.body = values["title"], values["summary"], values["body"]
    original.updated_at = utcnow()
    for key in ("kind", "policy_status", "visibility", "year", "links"):
        setattr(practice, key, values[key])
    _set_tags(practice, values["themes"], values["articles"])
    if practice.status == Workflow.PUBLISHED:
        practice.status = Workflow.SUBMITTED.value
    practice.edition += 1
    practice.updated_at = utcnow()
    db.session.flush()
    record(actor, "library.updated", "practice", practice.id, edition=practice.edition)
    return practice


def submit_practice(actor: User, practice: Practice) -> Practice:
    """Send a draft to TDI staff for review."""
    if not may_submit(actor, practice):
        raise Forbidden()
    practice.status = Workflow.SUBMITTED.value
    practice.refusal_reason = ""
    practice.updated_at = utcnow()
    db.session.flush()
    record(actor, "library.submitted", "practice", practice.id)
    return practice


def publish_practice(actor: User, practice: Practice) -> Practice:
    """Staff publish what waits for review; the original text becomes a new kept version."""
    require_staff(actor)
    if not may_review(actor, practice):
        raise Conflict(_l("Only a practice waiting for review can be published."), code="not_submitted")
    original = practice.original
    practice.published_version += 1
    db.session.add(PracticeVersion(practice_id=practice.id, number=practice.published_version,
                                   title=original.title, summary=original.summary, body=original.body,
                                   published_by_id=actor.id, published_at=utcnow()))
    practice.status = Workflow.PUBLISHED.value
    practice.published_at = utcnow()
    practice.refusal_reason = ""
    index_practice(practice)
    record(actor, "library.published", "practice", practice.id, version=practice.published_version)
    return practice


def refuse_practice(actor: User, practice: Practice, reason: str) -> Practice:
    """Staff send a practice back to its authors with a reason."""
    require_staff(actor)
    if not may_review(actor, practice):
        raise Conflict(_l("Only a practice waiting for review can be refused."), code="not_submitted")
    practice.refusal_reason = clean_text(reason, field="reason", limit=REASON_MAX, multiline=True)
    # A refused revision goes back to draft; readers keep the last published version meanwhile.
    practice.status = Workflow.DRAFT.value
    practice.updated_at = utcnow()
    db.session.flush()
    record(actor, "library.refused", "practice", practice.id, reason=practice.refusal_reason)
    return practice


def withdraw_practice(actor: User, practice: Practice) -> Practice:
    """Take a practice out of the library; its versions stay on record."""
    if not may_withdraw(actor, practice):
        raise Forbidden()
    practice.status = Workflow.WITHDRAWN.value
    practice.updated_at = utcnow()
    db.session.execute(delete(PracticeToken).where(PracticeToken.practice_id == practice.id))
    db.session.flush()
    record(actor, "library.withdrawn", "practice", practice.id)
    return practice


def translate_practice(actor: User, practice: Practice, *, language: str, title: str,
                       summary: str, body: str) -> PracticeText:
    """A member writes (or rewrites) a signed translation into one language."""
    if not may_translate(actor, practice):
        raise Forbidden()
    language = check_language(language)
    if language == practice.original_language:
        raise Invalid(_l("This is the practice's original language; its authors edit that text."),
                      code="original_language", field="language")
    values = {"title": clean_text(title, field="title", limit=TITLE_MAX),
              "summary": clean_text(summary, field="summary", limit=SUMMARY_MAX, multiline=True),
              "body": _clean_markdown(body)}
    text = practice.text_in(language)
    if text is None:
        text = PracticeText(language=language, is_translation=True, signed_by_id=actor.id, **values)
        practice.texts.append(text)
    else:
        text.title, text.summary, text.body = values["title"], values["summary"], values["body"]
        text.signed_by_id = actor.id
    text.updated_at = utcnow()
    db.session.flush()
    index_practice(practice)
    record(actor, "library.translated", "practice", practice.id, language=language)
    return text


def index_practice(practice: Practice) -> None:
    """Rebuild the search tokens from the published original and every translation."""
    db.session.flush()
    db.session.execute(delete(PracticeToken).where(PracticeToken.practice_id == practice.id))
    words: dict[str, None] = {}
    version = latest_version(practice)
    texts = [(version.title, version.summary, version.body)] if version else []
    texts += [(t.title, t.summary, t.body) for t in practice.texts if t.is_translation]
    for parts in texts:
        for part in parts:
            words.update(dict.fromkeys(search.tokens(part)))
    if words:
        db.session.execute(insert(PracticeToken),
                           [{"practice_id": practice.id, "token": word} for word in words])


def record_adaptation(actor: User, practice: Practice, note: str) -> Adaptation:
    """The actor's State records that it learned from this practice and adapted it."""
    if is_signed_in(actor) and actor.nation_id and _has_adapted(actor.nation_id, practice):
        raise Conflict(_l("Your State has already recorded that it learned from this practice."),
                       code="already_recorded")
    if not may_record_adaptation(actor, practice):
        raise Forbidden(_l("Only the Tech Ambassador of another State can record this."),
                        code="not_other_state")
    text = clean_text(note, field="note", limit=NOTE_MAX, multiline=True)
    adaptation = Adaptation(practice_id=practice.id, nation_id=actor.nation_id, note=text,
                            recorded_by_id=actor.id, created_at=utcnow())
    db.session.add(adaptation)
    db.session.flush()
    record(actor, "library.adapted", "practice", practice.id, nation=actor.nation.iso2)  # type: ignore[union-attr]
    return adaptation


def adaptations(practice: Practice) -> list[Adaptation]:
    """The States that learned from a practice, oldest first."""
    return list(db.session.scalars(select(Adaptation).where(Adaptation.practice_id == practice.id)
                                   .order_by(Adaptation.created_at)))


def my_practices(actor: User) -> list[Practice]:
    """Practices the actor may write (their State's; every one for staff), newest first."""
    query = select(Practice).order_by(Practice.updated_at.desc()).limit(200)
    if not is_staff(actor):
        if not may_create(actor):
            return []
        query = query.where(Practice.nation_id == actor.nation_id)
    return list(db.session.scalars(query))


def review_queue(actor: User) -> list[Practice]:
    """What waits for staff review, oldest first."""
    require_staff(actor)
    return list(db.session.scalars(select(Practice).where(Practice.status == Workflow.SUBMITTED)
                                   .order_by(Practice.updated_at)))
