"""Demo accounts: `<role><n>@demo.example`, all with the demo password."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.passwords import check_password_policy, hash_password
from app.core.permissions import Role
from app.extensions import db
from app.registry.models import Nation

# (ISO code, display name, interface language, time zone): one ambassador per State,
# spread over every region so lists, time zones and languages look like the real community.
AMBASSADORS = [
    ("UZ", "Dilnoza Rashidova", "uz", "Asia/Tashkent"),
    ("KZ", "Arman Seitkali", "ru", "Asia/Almaty"),
    ("KG", "Aida Toktosunova", "ru", "Asia/Bishkek"),
    ("IN", "Priya Raghavan", "en", "Asia/Kolkata"),
    ("BD", "Farhana Chowdhury", "en", "Asia/Dhaka"),
    ("NP", "Suman Adhikari", "en", "Asia/Kathmandu"),
    ("CN", "Li Wenjing", "zh", "Asia/Shanghai"),
    ("JP", "Haruto Sato", "en", "Asia/Tokyo"),
    ("KR", "Min-jun Park", "en", "Asia/Seoul"),
    ("SG", "Daniel Tan", "en", "Asia/Singapore"),
    ("ID", "Sari Wulandari", "en", "Asia/Jakarta"),
    ("PH", "Maria Santos", "en", "Asia/Manila"),
    ("VN", "Nguyen Thi Lan", "en", "Asia/Ho_Chi_Minh"),
    ("LA", "Khamla Phommachanh", "fr", "Asia/Vientiane"),
    ("AE", "Omar Al Mansoori", "ar", "Asia/Dubai"),
    ("SA", "Nourah Al Saud", "ar", "Asia/Riyadh"),
    ("JO", "Rania Haddad", "ar", "Asia/Amman"),
    ("EG", "Ahmed Farouk", "ar", "Africa/Cairo"),
    ("MA", "Yasmine Benali", "fr", "Africa/Casablanca"),
    ("TN", "Karim Jaziri", "ar", "Africa/Tunis"),
    ("SN", "Awa Diop", "fr", "Africa/Dakar"),
    ("NG", "Chinedu Okafor", "en", "Africa/Lagos"),
    ("KE", "Wanjiru Kamau", "en", "Africa/Nairobi"),
    ("RW", "Jean-Paul Mugabo", "fr", "Africa/Kigali"),
    ("ET", "Hana Tesfaye", "en", "Africa/Addis_Ababa"),
    ("ZA", "Thandiwe Nkosi", "en", "Africa/Johannesburg"),
    ("GH", "Kwame Mensah", "en", "Africa/Accra"),
    ("BR", "Lucas Oliveira", "es", "America/Sao_Paulo"),
    ("MX", "Valeria Hernández", "es", "America/Mexico_City"),
    ("CL", "Camila Rojas", "es", "America/Santiago"),
    ("CO", "Andrés Gómez", "es", "America/Bogota"),
    ("JM", "Marcia Campbell", "en", "America/Jamaica"),
    ("BB", "Dwayne Clarke", "en", "America/Barbados"),
    ("CA", "Émilie Tremblay", "fr", "America/Toronto"),
    ("FR", "Claire Dubois", "fr", "Europe/Paris"),
    ("DE", "Jonas Becker", "en", "Europe/Berlin"),
    ("EE", "Kadri Tamm", "en", "Europe/Tallinn"),
    ("ES", "Lucía Fernández", "es", "Europe/Madrid"),
    ("RU", "Ekaterina Volkova", "ru", "Europe/Moscow"),
    ("FJ", "Mere Tuilau", "en", "Pacific/Fiji"),
]

STAFF = [
    ("admin1", Role.ADMIN, "Amina Yusupova", "en", "Asia/Tashkent", "UZ"),
    ("organiser1", Role.ORGANISER, "Timur Karimov", "uz", "Asia/Tashkent", "UZ"),
    ("organiser2", Role.ORGANISER, "Sofia Lindqvist", "en", "Europe/Zurich", None),
    ("organiser3", Role.ORGANISER, "Fatima Zahra El Idrissi", "fr", "Europe/Paris", None),
]

OTHERS = [
    ("partner1", Role.PARTNER, "Grace Mwangi", "en", "Africa/Nairobi"),
    ("partner2", Role.PARTNER, "Hiroshi Tanaka", "en", "Asia/Tokyo"),
    ("partner3", Role.PARTNER, "Isabel Moreno", "es", "America/Buenos_Aires"),
    ("partner4", Role.PARTNER, "Wang Fang", "zh", "Asia/Shanghai"),
    ("partner5", Role.PARTNER, "Layla Haddad", "ar", "Asia/Beirut"),
    ("partner6", Role.PARTNER, "Pierre Martin", "fr", "Europe/Brussels"),
    ("partner7", Role.PARTNER, "Olga Ivanova", "ru", "Europe/Moscow"),
    ("partner8", Role.PARTNER, "Samuel Osei", "en", "Africa/Accra"),
    ("observer1", Role.OBSERVER, "Noah Williams", "en", "America/New_York"),
    ("observer2", Role.OBSERVER, "Zarina Abdullaeva", "uz", "Asia/Samarkand"),
]


def demo_accounts() -> list[tuple[str, Role, str, str, str, str | None]]:
    """(login, role, name, language, zone, State) of every demo account."""
    rows = [(login, role, name, lang, zone, iso2) for login, role, name, lang, zone, iso2 in STAFF]
    rows += [(f"ambassador{i}", Role.AMBASSADOR, name, lang, zone, iso2)
             for i, (iso2, name, lang, zone) in enumerate(AMBASSADORS, start=1)]
    rows += [(login, role, name, lang, zone, None) for login, role, name, lang, zone in OTHERS]
    return rows


def load(password: str) -> str:
    """Create the demo accounts that do not exist yet."""
    check_password_policy(password)
    existing = set(db.session.scalars(select(User.email).where(User.email.like("%@demo.example"))))
    nations = {n.iso2: n for n in db.session.scalars(select(Nation))}
    password_hash = hash_password(password)
    created = 0
    for login, role, name, lang, zone, iso2 in demo_accounts():
        email = f"{login}@demo.example"
        if email in existing:
            continue
        db.session.add(User(email=email, display_name=name, password_hash=password_hash,
                            role=role.value, locale=lang, timezone=zone,
                            nation=nations.get(iso2) if iso2 else None, active=True,
                            failed_logins=0, session_epoch=0, timezone_confirmed=True))
        created += 1
    db.session.flush()
    return f"demo accounts: {created} created, {len(existing)} already there"
