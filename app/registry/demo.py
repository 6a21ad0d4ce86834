"""Reference data is part of the demo: the States come first; the registry's demo acts follow
the accounts, since appointments and progress reports belong to demo users."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.core.db import utcnow
from app.core.permissions import Role
from app.extensions import db
from app.registry import services
from app.registry.models import (
    DECLARATION_OPENED,
    Nation,
    Partner,
    PartnerCategory,
    PartnerStatus,
    Signature,
)
from app.registry.services import load_nations

# Founding signatories at Samarkand, from every region, the host State first.
FOUNDING = ("UZ", "KZ", "KG", "IN", "CN", "AE", "SA", "EG", "MA", "SN", "KE", "RW", "BR", "CL",
            "JM", "FR", "EE", "ES", "FJ", "BD", "NP", "LA")
WITHDRAWN = "GB"
LEVELS = ("ministerial", "deputy_ministerial", "equivalent")
TITLES = {"ministerial": "Minister of Digital Technologies",
          "deputy_ministerial": "Deputy Minister of Foreign Affairs",
          "equivalent": "Ambassador-at-Large for Digital Affairs"}
NAME_PARTS = {
    PartnerCategory.PRIVATE_SECTOR: (("Silk Road", "Nomad", "Horizon", "Atlas", "Lumen", "Oasis",
                                      "Meridian", "Cedar", "Baobab", "Andes", "Aurora", "Delta"),
                                     ("Data", "Cloud", "Networks", "Robotics", "Fintech", "Telecom",
                                      "Analytics", "Software", "Semiconductors", "AI Labs")),
    PartnerCategory.CIVIL_SOCIETY: (("Open", "Digital", "Inclusive", "Free", "Citizen", "Youth",
                                     "Women's", "Rural", "Fair", "Safe"),
                                    ("Internet Society", "Rights Network", "Tech Alliance",
                                     "Access Foundation", "Data Collective", "Literacy Forum")),
    PartnerCategory.ACADEMIA: (("Institute of", "Centre for", "School of", "Laboratory for",
                                "Observatory of", "Academy of"),
                               ("Digital Policy", "Cyber Studies", "AI Ethics", "Tech Diplomacy",
                                "Internet Governance", "Data Science")),
    PartnerCategory.INTERNATIONAL_ORGANISATION: (("Regional", "Intergovernmental", "Global",
                                                  "Continental", "Inter-Parliamentary"),
                                                 ("Digital Commission", "Telecom Union",
                                                  "Cyber Council", "Standards Office",
                                                  "Development Bank Tech Unit")),
}
PARTNERS = 300
LATER_OTHERS = 45  # States without a demo ambassador that signed after the opening
PENDING = 12


def load(password: str) -> str:
    """Load or refresh the States."""
    report = load_nations()
    return f"nations: {report.created} created, {report.updated} updated"


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def load_registry(password: str) -> str:
    """Signatures, a withdrawal, Supporting Partners, applications, appointments and reports."""
    if db.session.scalar(select(Signature.id).limit(1)) is not None:
        return "registry: already loaded"
    rng = random.Random(20251101)
    today = utcnow().date()
    organiser = db.session.scalar(select(User).where(User.email == "organiser1@demo.example"))
    nations = {n.iso2: n for n in db.session.scalars(select(Nation))}
    ambassadors = list(db.session.scalars(select(User).where(User.role == Role.AMBASSADOR.value,
                                                             User.email.like("%@demo.example"))))
    signed = 0
    for iso2 in FOUNDING:
        if iso2 in nations:
            _sign(organiser, iso2, DECLARATION_OPENED)
            signed += 1
    later = sorted({a.nation.iso2 for a in ambassadors if a.nation} - set(FOUNDING))
    later = later[: len(later) - 3]  # a few ambassadors' States have not signed yet
    others = sorted(set(nations) - set(FOUNDING) - set(later) - {WITHDRAWN}
                    - {a.nation.iso2 for a in ambassadors if a.nation})
    for iso2 in later + rng.sample(others, min(LATER_OTHERS, len(others))):
        _sign(organiser, iso2, _day(rng, DECLARATION_OPENED + timedelta(days=20), today))
        signed += 1
    if WITHDRAWN in nations:
        signature = _sign(organiser, WITHDRAWN, DECLARATION_OPENED + timedelta(days=45))
        services.withdraw_signature(organiser, signature, DECLARATION_OPENED + timedelta(days=200))
    countries = sorted(nations)
    categories = list(PartnerCategory)
    created = 0
    for index in range(PARTNERS + PENDING):
        category = categories[index % len(categories)]
        first, second = NAME_PARTS[category]
        country = rng.choice(countries)
        name = f"{rng.choice(first)} {rng.choice(second)} {territory_short(country)} {index + 1}"
        key = services.organisation_key(name)
        status = PartnerStatus.APPROVED if index < PARTNERS else rng.choice(
            [PartnerStatus.PENDING, PartnerStatus.UNCONFIRMED])
        partner = Partner(
            name=name, name_key=key, category=category.value, nation=nations[country],
            website=f"https://{key.replace(' ', '-')}.example.org",
            website_key=f"{key.replace(' ', '-')}.example.org",
            contact_name="Demo Contact", contact_email=f"contact{index + 1}@demo.example",
            statement="We endorse the Samarkand Declaration on Tech Diplomacy and will share "
                      "what we learn with the TDI community.",
            locale=rng.choice(("en", "fr", "es", "ru", "ar", "zh", "uz")), status=status.value,
            created_at=utcnow(), rejection_reason="",
            confirmed_at=utcnow() if status != PartnerStatus.UNCONFIRMED else None)
        db.session.add(partner)
        if status == PartnerStatus.APPROVED:
            partner.endorsed_on = _day(rng, DECLARATION_OPENED, today)
            partner.decided_at, partner.decided_by_id = utcnow(), organiser.id
            db.session.flush()
            services.issue_notification(organiser, "endorsement", partner=partner, name=name,
                                        country=country, category=category.value,
                                        date=partner.endorsed_on.isoformat())
        created += 1
    reports = 0
    for ambassador in ambassadors:
        nation = ambassador.nation
        if nation is None or services.active_signature(nation) is None:
            continue
        level = LEVELS[ambassador.id % len(LEVELS)]
        services.appoint_ambassador(organiser, nation.iso2, name=ambassador.display_name,
                                    title=TITLES[level], level=level,
                                    appointed_on=_day(rng, DECLARATION_OPENED, today),
                                    user_email=ambassador.email)
        for key in services.COMMITMENTS:
            if key == "1.1" or rng.random() < 0.65:
                # Article 1.1 is the appointment itself, which the State has just made.
                status = "implemented" if key == "1.1" else rng.choice(
                    ("in_progress", "in_progress", "implemented", "not_started"))
                report = services.report_progress(
                    ambassador, nation, commitment=key, status=status,
                    narrative="Inter-ministerial working group set up; first results shared "
                              "with the TDI community.",
                    evidence=[f"https://gov.example.org/{nation.iso2.lower()}/{key}"],
                    reported_on=_day(rng, DECLARATION_OPENED, today))
                if rng.random() < 0.5:
                    services.review_report(organiser, report)
                reports += 1
    return (f"registry: {signed} signatures, 1 withdrawal, {created} partners and applications, "
            f"{reports} progress reports")


def territory_short(iso2: str) -> str:
    """The English CLDR name, for demo organisation names."""
    return services.territory_name(iso2, "en")


def _sign(organiser: User, iso2: str, day: date) -> Signature:
    return services.record_signature(organiser, iso2, signed_on=day,
                                     authority_name="H.E. the Minister",
                                     authority_title="Minister of Foreign Affairs",
                                     note_reference=f"NV/{iso2}/{day.year}/001")
