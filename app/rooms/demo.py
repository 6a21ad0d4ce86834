"""Demo rooms: open thematic rooms with some history in the platform's seven languages."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.rooms import services
from app.rooms.models import Room, RoomKind

# (room name, topic, [(author e-mail login, text)]): the conversation is what members would say.
ROOMS = [
    ("AI governance", "Rules, audits and international cooperation on artificial intelligence", [
        ("organiser1", "Welcome to the **AI governance** room. Share drafts, questions and news."),
        ("ambassador1", "Salom! Oʻzbekiston sunʼiy intellekt strategiyasini yangilamoqda."),
        ("ambassador7", "我们正在讨论人工智能治理的国际标准，欢迎交流。"),
        ("ambassador15", "مرحبا بالجميع، نعمل على إطار وطني لحوكمة الذكاء الاصطناعي."),
        ("ambassador35", "Bonjour à tous : la France prépare un guide sur l'évaluation des modèles."),
        ("ambassador38", "Hola, en España probamos un *sandbox* regulatorio para la IA."),
        ("ambassador39", "Коллеги, предлагаю обсудить стандарты аудита систем ИИ."),
        ("ambassador4", "Useful reading: [OECD AI principles](https://oecd.ai/en/ai-principles)"),
    ]),
    ("Data protection", "Cross-border data flows, adequacy and privacy engineering", [
        ("organiser1", "This room is for data protection and cross-border data flows."),
        ("ambassador10", "Singapore's model clauses might be a good starting point."),
    ]),
    ("Digital inclusion", "Connectivity, skills and accessible public services", [
        ("organiser1", "Let us collect good practices on digital skills programmes."),
    ]),
]
MEMBERS = ["ambassador1", "ambassador4", "ambassador7", "ambassador10", "ambassador15",
           "ambassador35", "ambassador38", "ambassador39", "partner1", "observer1"]


def load(password: str) -> str:
    """Create the demo rooms once; later runs leave them as they are."""
    logins = {"organiser1", *MEMBERS}
    users = {u.email.split("@", 1)[0]: u for u in db.session.scalars(
        select(User).where(User.email.in_([f"{login}@demo.example" for login in logins])))}
    organiser = users.get("organiser1")
    if organiser is None:
        return "demo rooms: skipped (no demo organiser)"
    created = 0
    for name, topic, history in ROOMS:
        if db.session.scalar(select(Room.id).where(Room.kind == RoomKind.OPEN,
                                                   Room.name == name)) is not None:
            continue
        room = services.create_open_room(organiser, name, topic)
        for login in MEMBERS:
            if login in users:
                services.join(users[login], room)
        for number, (login, text) in enumerate(history):
            if login in users:
                services.post_message(users[login], room, text, f"demo-{number}")
        created += 1
    return f"demo rooms: {created} created"
