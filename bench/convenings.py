"""Server time of the Forum's agenda page and of a 100-item personal calendar feed.

Usage: .venv/bin/python bench/convenings.py [--repeat 40] [--database-url URL]   (prints JSON)
Loads the full demo data (a three-day Forum with ~150 sessions and 2,000 registrations) into a
throwaway SQLite database unless a URL is given, then times requests through the WSGI app
in-process (no network), which is the server's share of a page load. Targets: agenda page
≤ 60 ms, feed ≤ 20 ms (medians).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.convenings import services  # noqa: E402
from app.convenings.models import AgendaSession, Convening  # noqa: E402
from app.core.db import unit_of_work  # noqa: E402
from app.demo import load_all  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = "caravanserai-demo"


def _feed_user() -> tuple[str, int]:
    """A member registered for convenings that add up to exactly 100 feed items."""
    with unit_of_work():
        forum = db.session.scalar(select(Convening).where(Convening.kind == "global_forum")
                                  .order_by(Convening.starts_at.desc()))
        user = db.session.scalar(select(User).where(User.email == "observer1@demo.example"))
        bench = services.clone_convening(
            db.session.scalar(select(User).where(User.email == "organiser1@demo.example")),
            forum, forum.starts_at.date() + timedelta(days=30))
        bench.status = "published"
        bench.capacity = None
        for extra in bench.sessions[100:]:
            db.session.delete(extra)
        db.session.flush()
        services.register(user, bench)
        token = services.calendar_token(user)
        count = len(db.session.scalars(select(AgendaSession.id).where(
            AgendaSession.convening_id == bench.id)).all())
    return token, count


def _median_ms(client, path: str, repeat: int) -> float:
    client.get(path)  # warm caches and templates
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return round(statistics.median(times), 2)


def run(repeat: int, database_url: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "MAIL_SUPPRESS_SEND": True})
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            load_all(PASSWORD)
            load_seconds = round(time.perf_counter() - started, 2)
            forum = db.session.scalar(select(Convening).where(Convening.kind == "global_forum")
                                      .order_by(Convening.starts_at.desc()))
            forum_id = forum.id
            sessions = len(forum.sessions)
            registrations = sum(services.registration_counts(forum).values())
            token, feed_items = _feed_user()
            db.session.remove()
        client = app.test_client()
        agenda_ms = _median_ms(client, f"/convenings/{forum_id}", repeat)
        feed_ms = _median_ms(client, f"/calendar/{token}.ics", repeat)
        with app.app_context():
            if database_url:
                db.drop_all()
            db.engine.dispose()
    return {"database": url.split(":", 1)[0], "demo_load_seconds": load_seconds,
            "forum_sessions": sessions, "forum_registrations": registrations,
            "agenda_page_median_ms": agenda_ms, "agenda_target_ms": 60,
            "feed_items": feed_items, "feed_median_ms": feed_ms, "feed_target_ms": 20,
            "within_targets": agenda_ms <= 60 and feed_ms <= 20, "repeat": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--database-url", help="an empty database to use (its tables are dropped)")
    args = parser.parse_args()
    print(json.dumps(run(args.repeat, args.database_url), indent=2))


if __name__ == "__main__":
    main()
