"""The commitments tracker: reports, reviews and the aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.geography import REGIONS
from app.core.permissions import Role, require_signed_in, require_staff
from app.extensions import db
from app.i18n import territory_name
from app.registry.models import (
    CommitmentReport,
    CommitmentStatus,
    Nation,
    Signature,
)
from app.registry.services.checks import check_signing_date, clean_text, clean_url
from app.registry.services.common import sort_key
from app.registry.services.signatures import active_signature
from app.registry.services.vocabulary import COMMITMENTS, EVIDENCE_MAX, NARRATIVE_MAX

if TYPE_CHECKING:
    from app.accounts.models import User

# --- Registry: commitments tracker --------------------------------------------------------------

def check_commitment(key: str | None) -> str:
    """One of the Declaration's commitment articles."""
    if key not in COMMITMENTS:
        raise Invalid(_l("Choose a commitment from the list."), code="commitment_unknown",
                      field="commitment")
    return key  # type: ignore[return-value]


def report_progress(actor: User, nation: Nation, *, commitment: str, status: str,
                    narrative: str, evidence: list[str] | str,
                    reported_on: date | None = None) -> CommitmentReport:
    """A State's ambassador reports on one commitment; earlier reports stay as history."""
    user = require_signed_in(actor)
    if Role(user.role) != Role.AMBASSADOR or user.nation_id != nation.id:
        raise Forbidden(_l("Only the Tech Ambassador of this State can report its progress."),
                        code="not_own_state")
    if active_signature(nation) is None:
        raise Invalid(_l("Only signatory States report on the commitments."),
                      code="not_signatory")
    key = check_commitment(commitment)
    try:
        state = CommitmentStatus(status or "")
    except ValueError:
        raise Invalid(_l("Choose a status from the list."), code="status_unknown",
                      field="status") from None
    text = clean_text(narrative, field="narrative", limit=NARRATIVE_MAX, multiline=True)
    lines = evidence.split() if isinstance(evidence, str) else list(evidence)
    if len(lines) > EVIDENCE_MAX:
        raise Invalid(_l("Give at most %(count)d evidence links.", count=EVIDENCE_MAX),
                      code="evidence_too_many", field="evidence")
    links = [clean_url(line, field="evidence") for line in lines if line.strip()]
    day = check_signing_date(reported_on or utcnow().date(), field="reported_on")
    report = CommitmentReport(nation_id=nation.id, commitment=key, status=state.value,
                              narrative=text, evidence=links, reported_on=day,
                              author_id=user.id, created_at=utcnow())
    db.session.add(report)
    db.session.flush()
    record(user, "registry.progress_reported", "commitment_report", report.id,
           nation=nation.iso2, commitment=key, status=state.value)
    return report


def review_report(actor: User, report: CommitmentReport) -> CommitmentReport:
    """An organiser marks a progress report as reviewed."""
    require_staff(actor)
    if report.reviewed_at is None:
        report.reviewed_at = utcnow()
        report.reviewed_by_id = actor.id
        record(actor, "registry.progress_reviewed", "commitment_report", report.id)
    return report


def get_report(report_id: int) -> CommitmentReport:
    """A progress report by id, or NotFound."""
    report = db.session.get(CommitmentReport, report_id)
    if report is None:
        raise NotFound()
    return report


def latest_reports(nation: Nation) -> dict[str, CommitmentReport]:
    """The newest report per commitment of one State."""
    latest: dict[str, CommitmentReport] = {}
    for report in db.session.scalars(select(CommitmentReport)
                                     .where(CommitmentReport.nation_id == nation.id)
                                     .order_by(CommitmentReport.id)):
        latest[report.commitment] = report
    return latest


def report_history(nation: Nation, commitment: str) -> list[CommitmentReport]:
    """Every report of a State on one commitment, newest first."""
    return list(db.session.scalars(select(CommitmentReport).where(
        CommitmentReport.nation_id == nation.id,
        CommitmentReport.commitment == check_commitment(commitment))
        .order_by(CommitmentReport.id.desc())))


def unreviewed_reports(actor: User) -> list[CommitmentReport]:
    """Reports no organiser has reviewed yet."""
    require_staff(actor)
    return list(db.session.scalars(select(CommitmentReport)
                                   .where(CommitmentReport.reviewed_at.is_(None))
                                   .order_by(CommitmentReport.id)))


@dataclass(frozen=True)
class Tally:
    """How many (State, commitment) pairs stand at each status."""

    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ProgressOverview:
    """The aggregate figures of /registry/progress."""

    by_commitment: list[Tally]
    by_region: list[Tally]
    by_grouping: list[Tally]
    over_time: list[tuple[date, int]]
    signatories: list[Nation]


def _empty_counts() -> dict[str, int]:
    return {s.value: 0 for s in CommitmentStatus}


def progress_overview(*, today: date | None = None) -> ProgressOverview:
    """Aggregates over the States whose signature is in force (a fixed handful of queries)."""
    day = today or utcnow().date()
    signatures = list(db.session.scalars(select(Signature).order_by(Signature.id)))
    active = {s.nation_id: s.nation for s in signatures if s.is_active}
    latest: dict[tuple[int, str], str] = {}
    for nation_id, commitment, status in db.session.execute(
            select(CommitmentReport.nation_id, CommitmentReport.commitment,
                   CommitmentReport.status).order_by(CommitmentReport.id)):
        latest[(nation_id, commitment)] = status
    by_commitment = {key: _empty_counts() for key in COMMITMENTS}
    by_region = {region: _empty_counts() for region in REGIONS}
    by_grouping = {"developing": _empty_counts(), "rest": _empty_counts()}
    for nation_id, nation in active.items():
        developing = "developing" if nation.groupings_on(day) else "rest"
        for key in COMMITMENTS:
            status = latest.get((nation_id, key), CommitmentStatus.NOT_STARTED.value)
            by_commitment[key][status] += 1
            by_region.setdefault(nation.region, _empty_counts())[status] += 1
            by_grouping[developing][status] += 1
    events: dict[date, int] = {}
    for signature in signatures:
        events[signature.signed_on] = events.get(signature.signed_on, 0) + 1
        if signature.withdrawn_on:
            events[signature.withdrawn_on] = events.get(signature.withdrawn_on, 0) - 1
    running, over_time = 0, []
    for when in sorted(events):
        running += events[when]
        over_time.append((when, running))
    return ProgressOverview(
        by_commitment=[Tally(f"{key} {COMMITMENTS[key]}", counts)
                       for key, counts in by_commitment.items()],
        by_region=[Tally(territory_name(region), counts) for region, counts in by_region.items()],
        by_grouping=[Tally(str(_l("LDC, LLDC and SIDS")), by_grouping["developing"]),
                     Tally(str(_l("Other States")), by_grouping["rest"])],
        over_time=over_time,
        signatories=sorted(active.values(), key=lambda n: sort_key(territory_name(n.iso2))),
    )
