"""One helper says "when" to a reader: their zone and language, the event's time beside it."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from app.i18n.moments import for_reader, format_moment, reading_as

MOMENT = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)
NNBSP = "\u202f"


@pytest.mark.parametrize(("language", "reader", "event", "expected"), [
    ("en", "Asia/Shanghai", "UTC",
     f"Fri, Dec 11, 2026, 6:00{NNBSP}PM Shanghai time (10:00{NNBSP}AM in UTC, the event's time)"),
    ("zh", "Asia/Shanghai", "UTC", "上海时间 2026年12月11日周五 18:00（活动当地时间：UTC 10:00）"),
    ("ar", "Asia/Dubai", "UTC",
     "الجمعة، 11 ديسمبر 2026، 2:00 م بتوقيت دبي (10:00 ص في UTC، بتوقيت الفعالية)"),
    ("ru", "Europe/Moscow", "UTC",
     f"пт, 11 дек. 2026{NNBSP}г., 13:00, местное время: Москва (10:00 — UTC, время мероприятия)"),
    # Across the date line: already Saturday on Kiritimati, still Friday in Mexico City.
    ("en", "Pacific/Kiritimati", "America/Mexico_City",
     f"Sat, Dec 12, 2026, 12:00{NNBSP}AM Kiritimati time "
     f"(Fri, Dec 11, 2026, 4:00{NNBSP}AM in Mexico City, the event's time)"),
    ("en", "America/Mexico_City", "Pacific/Fiji",
     f"Fri, Dec 11, 2026, 4:00{NNBSP}AM Mexico City time (10:00{NNBSP}PM in Fiji, the event's time)"),
    ("uz", "Asia/Tashkent", "Asia/Tokyo",
     "Jum, 11-dek, 2026, 15:00, Toshkent vaqti (Tokio: 19:00, tadbir vaqti)"),
])
def test_reader_and_event_time_labelled(app_ctx, language, reader, event, expected) -> None:
    with force_locale(language):
        assert format_moment(MOMENT, event, zone=reader) == expected


def test_same_clock_is_said_once(app_ctx) -> None:
    with force_locale("fr"):
        assert format_moment(MOMENT, "Europe/Paris", zone="Europe/Paris") == \
            "ven. 11 déc. 2026, 11:00, heure de Paris"
        # Another zone on the same clock at that moment needs no second time.
        assert "l’événement" not in format_moment(MOMENT, "Europe/Berlin", zone="Europe/Paris")


def test_reader_comes_from_context_and_unknown_zone_falls_back_to_the_event(app_ctx) -> None:
    member = SimpleNamespace(locale="zh", timezone="Asia/Shanghai")
    with for_reader(member):
        assert format_moment(MOMENT, "UTC").startswith("上海时间 2026年12月11日周五 18:00")
    with force_locale("en"), reading_as(None):
        assert format_moment(MOMENT, "Asia/Tokyo").endswith("7:00\u202fPM Tokyo time")
    with force_locale("en"), reading_as("Not/AZone"):
        assert format_moment(MOMENT.replace(tzinfo=None), "Asia/Tokyo").endswith("Tokyo time")
