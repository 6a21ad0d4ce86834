"""The registry's demo data: alive on every page, and idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.demo import load as load_accounts
from app.registry import services
from app.registry.demo import FOUNDING, load_registry
from app.registry.models import Appointment, Partner, PartnerStatus


def test_demo_registry_is_alive_and_loads_once(session) -> None:
    load_accounts("a-long-demo-password-42")
    summary = load_registry("a-long-demo-password-42")
    assert summary.startswith("registry:")
    states = services.registry_states(services.RegistryFilters())
    founding = {e.nation.iso2 for e in states if e.signature.is_founding}
    assert set(FOUNDING) <= founding and "UZ" in founding
    assert {e.nation.region for e in states if e.signature.is_founding} == set(services.REGIONS)
    assert any(e.status == "withdrawn" for e in states)
    statuses = dict(session.execute(select(Partner.status, func.count(Partner.id))
                                    .group_by(Partner.status)).all())
    assert statuses[PartnerStatus.APPROVED.value] >= 300
    assert statuses.get(PartnerStatus.PENDING.value, 0) + statuses.get(PartnerStatus.UNCONFIRMED.value, 0) > 0
    assert session.scalar(select(func.count(Appointment.id).filter(Appointment.user_id.is_not(None)))) > 0
    assert any(t.counts["implemented"] for t in services.progress_overview().by_commitment)
    assert load_registry("a-long-demo-password-42") == "registry: already loaded"
