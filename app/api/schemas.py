"""The declarations that both validate requests and describe them in the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

Id = Field(description="Identifier, as a string (ids may exceed JavaScript's safe integers).",
           pattern=r"^[0-9]+$")


class Strict(BaseModel):
    """Unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")

    lang: str | None = Field(None, max_length=5,
                             description="Interface language; otherwise Accept-Language decides.")


class PageQuery(Strict):
    limit: int = Field(50, ge=1, le=200, description="Items per page.")
    cursor: str | None = Field(None, max_length=64,
                               description="Opaque cursor from the previous page's Link header.")


class StatesQuery(PageQuery):
    q: str | None = Field(None, max_length=100, description="Name, in any interface language.")
    region: str | None = Field(None, max_length=10, description="UN M49 region code.")
    subregion: str | None = Field(None, max_length=10, description="UN M49 sub-region code.")
    grouping: str | None = Field(None, max_length=10)
    status: str | None = Field(None, max_length=10, description="active or withdrawn.")
    sort: str | None = Field(None, max_length=10, description="name, date or region.")


class PartnersQuery(PageQuery):
    q: str | None = Field(None, max_length=100)
    category: str | None = Field(None, max_length=32)
    country: str | None = Field(None, max_length=2, description="ISO 3166-1 alpha-2.")
    region: str | None = Field(None, max_length=10)
    sort: str | None = Field(None, max_length=10, description="name, date, category or country.")


class ConveningsQuery(PageQuery):
    past: bool = Field(False, description="Past convenings instead of upcoming ones.")


class PracticesQuery(Strict):
    cursor: str | None = Field(None, max_length=64,
                               description="Opaque cursor from the previous page's Link header.")
    q: str | None = Field(None, max_length=200, description="Words in any of the practice's languages.")
    theme: str | None = Field(None, max_length=40)
    article: str | None = Field(None, max_length=10, description="Declaration article, e.g. 2.1.")
    kind: str | None = Field(None, max_length=16)
    region: str | None = Field(None, max_length=10, description="UN M49 region code.")
    language: str | None = Field(None, max_length=5, description="Language it is available in.")
    year: int | None = Field(None, ge=1, le=9999)


class InitiativesQuery(Strict):
    cursor: str | None = Field(None, max_length=64,
                               description="Opaque cursor from the previous page's Link header.")
    theme: str | None = Field(None, max_length=40)
    article: str | None = Field(None, max_length=10, description="Declaration article, e.g. 3.3.")
    status: str | None = Field(None, max_length=12, description="proposed, active, completed or closed.")
    nation: str | None = Field(None, max_length=2, description="ISO 3166-1 alpha-2 of a member State.")


class Page(BaseModel):
    next_cursor: str | None = Field(description="Cursor of the next page, or null on the last.")


class Signature(BaseModel):
    id: str = Id
    signed_on: date
    withdrawn_on: date | None
    authority_name: str
    authority_title: str
    status: str


class State(BaseModel):
    iso2: str
    iso3: str
    name: str = Field(description="CLDR name in the language of the request.")
    region: str
    subregion: str
    groupings: list[str]
    signature: Signature


class StatePage(Page):
    items: list[State]


class StateDetail(BaseModel):
    iso2: str
    iso3: str
    name: str
    region: str
    subregion: str
    signatures: list[Signature]


class Tally(BaseModel):
    label: str = Field(description="In the request's language.")
    counts: dict[str, int] = Field(description="States per commitment status.")


class CommitmentTally(Tally):
    commitment: str = Field(description="Commitment number, e.g. 1.1.")


class SignatoriesOn(BaseModel):
    date: date
    signatories: int


class Commitments(BaseModel):
    signatories: int = Field(description="States whose signature is in force.")
    by_commitment: list[CommitmentTally]
    by_region: list[Tally]
    by_grouping: list[Tally]
    over_time: list[SignatoriesOn]


class Partner(BaseModel):
    id: str = Id
    name: str
    category: str
    country: str
    website: str
    endorsed_on: date | None


class PartnerPage(Page):
    items: list[Partner]


class Notification(BaseModel):
    id: str = Id
    reference: str = Field(description="Year and sequence, as on the notice.")
    kind: str
    country: str | None
    text: str = Field(description="What the notification announces, in the request's language.")
    created_at: datetime = Field(description="ISO 8601, UTC.")


class NotificationPage(Page):
    items: list[Notification]


class Convening(BaseModel):
    id: str = Id
    kind: str
    title: str = Field(description="In the request's language when available.")
    description: str
    languages: list[str]
    themes: list[str]
    format: str
    status: str
    timezone: str = Field(description="IANA zone of the convening.")
    starts_at: datetime = Field(description="ISO 8601, UTC.")
    ends_at: datetime = Field(description="ISO 8601, UTC.")
    venue_city: str
    venue_country: str | None


class ConveningPage(Page):
    items: list[Convening]


class Speaker(BaseModel):
    name: str
    member: bool


class Session(BaseModel):
    id: str = Id
    title: str
    description: str
    kind: str
    track: str
    location: str
    language: str
    interpretation: list[str]
    starts_at: datetime = Field(description="ISO 8601, UTC.")
    ends_at: datetime = Field(description="ISO 8601, UTC.")
    cancelled: bool
    speakers: list[Speaker]


class Agenda(BaseModel):
    convening: Convening
    tracks: list[str]
    languages: list[str]
    sessions: list[Session]


class Me(BaseModel):
    id: str = Id
    display_name: str
    email: str
    role: str
    locale: str
    timezone: str = Field(description="IANA zone.")
    delegation: str | None = Field(description="ISO 3166-1 alpha-2 of the member's State.")
    token_name: str
    token_scopes: list[str]


class MyRegistration(BaseModel):
    id: str = Id
    status: str = Field(description="confirmed, waitlisted or pending.")
    registered_at: datetime = Field(description="ISO 8601, UTC.")
    convening: Convening


class MyRegistrations(BaseModel):
    items: list[MyRegistration]


class ProblemField(BaseModel):
    field: str | None = None
    code: str | None = None
    loc: list[str | int] | None = None
    msg: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem document."""

    type: str
    title: str = Field(description="Translated by Accept-Language.")
    status: int
    code: str = Field(description="Stable, machine-readable.")
    instance: str
    detail: str | None = None
    errors: list[ProblemField] | None = None


class Practice(BaseModel):
    id: str = Id
    state: str = Field(description="ISO 3166-1 alpha-2 code of the State that shares it.")
    kind: str
    policy_status: str = Field(description="in_force, draft or ended.")
    year: int
    title: str
    summary: str
    language: str = Field(description="Language of the text given (the reader's when translated).")
    translation: bool
    languages: list[str] = Field(description="Every language the practice can be read in.")
    themes: list[str]
    articles: list[str]
    links: list[str]
    published_at: str | None


class PracticePage(Page):
    items: list[Practice]


class PracticeDetail(Practice):
    body: str = Field(description="The text in the rooms' safe Markdown.")


class InitiativeMember(BaseModel):
    kind: str = Field(description="state, partner or person.")
    name: str = Field(description="The State's or partner's name (people are counted, not named).")
    state: str | None = Field(description="ISO 3166-1 alpha-2 when the member is a State.")
    lead: bool


class Initiative(BaseModel):
    id: str = Id
    title: str
    summary: str
    language: str = Field(description="Language of the title and summary given.")
    languages: list[str]
    goal: str
    status: str
    themes: list[str]
    articles: list[str]
    members: list[InitiativeMember]
    people: int = Field(description="Individual members, not named here.")
    approved_at: str | None


class InitiativePage(Page):
    items: list[Initiative]
