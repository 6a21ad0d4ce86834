"""Demo library: an LDC ambassador's practice in French with a Chinese translation and a State
that learned from it, a revised practice (two versions), a members-only one and a draft.

Goes through the real services (review, versions, search tokens); running it again changes nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.core.permissions import Role
from app.extensions import db
from app.library import services
from app.library.models import Practice
from app.registry.models import Nation

SENEGAL = services.PracticeFields(
    title="Espaces numériques communautaires dans les régions",
    summary="Des lieux d'accès à Internet gérés par les collectivités, avec des médiateurs formés "
            "pour accompagner les démarches en ligne et les petites entreprises.",
    body="Le programme ouvre des **espaces numériques** dans les chefs-lieux de département.\n\n"
         "Ce qui a marché :\n\n"
         "- une convention avec les mairies pour les locaux et l'électricité ;\n"
         "- des médiateurs recrutés localement et formés pendant six semaines ;\n"
         "- des horaires adaptés aux marchés hebdomadaires.\n\n"
         "Ce que nous ferions autrement : prévoir dès le départ le budget de maintenance.",
    kind="programme", policy_status="in_force", visibility="public", year=2024,
    themes=["digital_inclusion", "connectivity"], articles=["2.2", "1.3"],
    links=["https://example.org/espaces-numeriques"])
SENEGAL_ZH = ("各地区社区数字空间",
              "由地方政府管理的上网场所，配有经过培训的协调员，帮助居民办理在线事务并支持小企业。",
              "该计划在各省首府开设**数字空间**。\n\n成功经验：\n\n- 与市政府签订场地和电力协议；\n"
              "- 在当地招聘协调员并培训六周；\n- 开放时间配合每周集市。\n\n"
              "如果重来：从一开始就预留维护预算。")
KENYA = services.PracticeFields(
    title="Data protection office with county help desks",
    summary="An independent regulator whose help desks in county offices take complaints in "
            "person, so people without internet access can still use their rights.",
    body="The office registers data controllers and handles complaints.\n\n"
         "Help desks in county offices take complaints on paper.",
    kind="institution", policy_status="in_force", visibility="public", year=2022,
    themes=["data_protection"], articles=["2.2"], links=[])
KENYA_REVISED = "The office registers data controllers, handles complaints and publishes its decisions.\n\n" \
    "Help desks in county offices take complaints on paper and by telephone."
ESTONIA = services.PracticeFields(
    title="Lessons from a national incident exercise",
    summary="What a yearly cross-government cyber exercise taught us about who decides what.",
    body="Run the exercise with the people who would really be called at night.",
    kind="lesson", policy_status="in_force", visibility="members", year=2025,
    themes=["cybersecurity"], articles=["3.3"], links=[])
FIJI = services.PracticeFields(
    title="Submarine cable resilience plan",
    summary="A draft plan for keeping the islands connected when a cable is cut.",
    body="Work in progress.", kind="strategy", policy_status="draft", visibility="public",
    year=2026, themes=["connectivity"], articles=[], links=[])


def _ambassador(iso2: str) -> User | None:
    return db.session.scalar(select(User).join(Nation, User.nation_id == Nation.id).where(
        Nation.iso2 == iso2, User.role == Role.AMBASSADOR, User.email.like("%@demo.example"))
        .order_by(User.id).limit(1))


def _publish(staff: User, practice: Practice) -> None:
    services.submit_practice(practice.author, practice)
    services.publish_practice(staff, practice)


def load(password: str) -> str:
    """Share, translate, revise and learn from demo practices through the real services."""
    if db.session.scalar(select(func.count()).select_from(Practice)):
        return "library: already there"
    staff = db.session.scalar(select(User).where(User.email == "organiser1@demo.example"))
    writers = {iso2: _ambassador(iso2) for iso2 in ("SN", "CN", "NP", "KE", "EE", "FJ")}
    if staff is None or None in writers.values():
        return "library: skipped (load the demo accounts first)"
    senegal = services.create_practice(writers["SN"], SENEGAL, language="fr")  # type: ignore[arg-type]
    _publish(staff, senegal)
    services.translate_practice(writers["CN"], senegal, language="zh", title=SENEGAL_ZH[0],  # type: ignore[arg-type]
                                summary=SENEGAL_ZH[1], body=SENEGAL_ZH[2])
    services.record_adaptation(writers["NP"], senegal,  # type: ignore[arg-type]
                               "We opened twelve community digital centres on the same model, "
                               "with mediators trained by our telecom authority.")
    kenya = services.create_practice(writers["KE"], KENYA, language="en")  # type: ignore[arg-type]
    _publish(staff, kenya)
    revised = services.PracticeFields(**{**vars(KENYA), "body": KENYA_REVISED})
    services.update_practice(kenya.author, kenya, revised, edition=kenya.edition)
    services.publish_practice(staff, kenya)
    services.record_adaptation(writers["SN"], kenya,  # type: ignore[arg-type]
                               "Nos antennes régionales reçoivent désormais les plaintes sur papier.")
    estonia = services.create_practice(writers["EE"], ESTONIA, language="en")  # type: ignore[arg-type]
    _publish(staff, estonia)
    services.create_practice(writers["FJ"], FIJI, language="en")  # type: ignore[arg-type]
    return "library: 4 practices (3 published, 1 draft), 1 translation, 2 learned-from records"
