"""Demo initiatives: several languages and states, led by demo ambassadors, with a Supporting
Partner among the members, milestones and updates.

Goes through the real services (approval, joining, the room); running it again changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import User
from app.core.db import utcnow
from app.core.permissions import Role
from app.extensions import db
from app.initiatives import services
from app.initiatives.models import Initiative
from app.library.models import Practice
from app.registry.models import Nation, Partner, PartnerStatus

CABLES = services.InitiativeFields(
    language="fr", title="Réseau régional des équipes de réponse aux incidents",
    summary="Les équipes nationales partagent alertes, exercices et formateurs.",
    goal="Un exercice commun par an et un canal d'alerte partagé d'ici fin 2027.",
    themes=["cybersecurity"], articles=["3.3", "2.1"], visibility="public")
CABLES_EN = ("Regional network of incident response teams",
             "National teams share alerts, exercises and trainers.")
INCLUSION = services.InitiativeFields(
    language="zh", title="农村数字技能伙伴计划",
    summary="各国交流农村数字技能培训的课程和培训师。",
    goal="到2027年共同培训一千名社区培训师。",
    themes=["digital_inclusion"], articles=["3.3"], visibility="members")
DATA = services.InitiativeFields(
    language="ar", title="مبادرة مشتركة لحماية البيانات عبر الحدود",
    summary="قواعد مشتركة لنقل البيانات بين الدول المشاركة.",
    goal="مسودة إطار مشترك تعرض في المنتدى القادم.",
    themes=["data_protection"], articles=["3.3", "2.2"], visibility="public")
AI = services.InitiativeFields(
    language="en", title="Shared sandbox for public-sector AI",
    summary="Ministries test AI tools together before buying them.",
    goal="A shared evaluation checklist, published.",
    themes=["ai_governance"], articles=["3.3"], visibility="public")


def _ambassador(iso2: str) -> User | None:
    return db.session.scalar(select(User).join(Nation, User.nation_id == Nation.id).where(
        Nation.iso2 == iso2, User.role == Role.AMBASSADOR, User.email.like("%@demo.example"))
        .order_by(User.id).limit(1))


def load(password: str) -> str:
    """Propose, approve, join, plan and report on demo initiatives through the real services."""
    if db.session.scalar(select(func.count()).select_from(Initiative)):
        return "initiatives: already there"
    staff = db.session.scalar(select(User).where(User.email == "organiser1@demo.example"))
    people = {iso2: _ambassador(iso2) for iso2 in ("SN", "KE", "CN", "UZ", "EG", "NP", "JO")}
    representative = db.session.scalar(select(User).where(User.email == "partner1@demo.example"))
    partner = db.session.scalar(select(Partner).where(Partner.status == PartnerStatus.APPROVED.value)
                                .order_by(Partner.id).limit(1))
    if staff is None or None in people.values():
        return "initiatives: skipped (load the demo accounts first)"
    ambassadors: dict[str, User] = {k: v for k, v in people.items() if v is not None}
    cables = services.propose_initiative(ambassadors["SN"], CABLES)
    services.edit_initiative(ambassadors["SN"], cables, services.InitiativeFields(
        **{**vars(CABLES), "language": "en", "title": CABLES_EN[0], "summary": CABLES_EN[1]}))
    services.approve_initiative(staff, cables)
    services.accept(ambassadors["SN"], services.ask_to_join(ambassadors["KE"], cables))
    if partner is not None and representative is not None:
        # The demo partner representative speaks for the first approved Supporting Partner.
        partner.contact_email = representative.email
        services.accept(ambassadors["SN"], services.ask_to_join(representative, cables))
    lead = cables.members[0]
    met = services.add_milestone(ambassadors["SN"], cables, "Charte du réseau signée",
                                 utcnow().date() - timedelta(days=10), lead.id)
    services.edit_milestone(ambassadors["SN"], met, met.title, met.due_on, lead.id, "met")
    services.add_milestone(ambassadors["SN"], cables, "Premier exercice commun",
                           utcnow().date() + timedelta(days=60), cables.members[1].id)
    services.post_update(ambassadors["SN"], cables, "La **charte** est signée par les deux États.", public=True)
    services.post_update(ambassadors["KE"], cables, "Kenya will host the first exercise in Nairobi.")

    inclusion = services.propose_initiative(ambassadors["CN"], INCLUSION)
    services.approve_initiative(staff, inclusion)
    services.invite(ambassadors["CN"], inclusion, nation=ambassadors["UZ"].nation)
    services.post_update(ambassadors["CN"], inclusion, "第一批课程已经翻译完成。")
    community_centres = db.session.scalar(select(Practice.id).where(
        Practice.published_version > 0, Practice.original_language == "fr").order_by(Practice.id).limit(1))
    if community_centres is not None:  # the library's demo practice the Chinese team translated
        services.link_practice(ambassadors["CN"], inclusion, str(community_centres))

    data = services.propose_initiative(ambassadors["EG"], DATA)
    services.invite(ambassadors["EG"], data, nation=ambassadors["JO"].nation)

    sandbox = services.propose_initiative(ambassadors["NP"], AI)
    services.approve_initiative(staff, sandbox)
    services.change_status(ambassadors["NP"], sandbox, "completed",
                           "The checklist is published and used by four ministries.")
    return "initiatives: 4 initiatives (2 active, 1 proposed, 1 completed) in 4 languages, 1 partner member"
