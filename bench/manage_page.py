"""Server time of a convening's organiser page (manage, with its registrations list) at 20,000.

Usage: .venv/bin/python bench/manage_page.py [--registrations 20000] [--repeat 30]   (prints JSON)
Builds a throwaway SQLite database (and, when TEST_DATABASE_URL is set, measures that
PostgreSQL database too; its tables are dropped), loads the States, inserts the registrations in
bulk, signs an organiser in and times requests through the WSGI app in-process (no network).
The baseline is the same page for a convening of 50 registrations in the same run. Target: the
manage page at 20,000 registrations ≤ 150 ms median, for the first page, a filtered page, a
search and a deep page.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.accounts.passwords import hash_password  # noqa: E402
from app.convenings.models import Convening, Registration  # noqa: E402
from app.core.db import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.registry.models import Nation  # noqa: E402
from app.registry.services import load_nations  # noqa: E402

PASSWORD = "bench-organiser-password"
TARGET_MS = 150
STATUSES = ("confirmed", "confirmed", "confirmed", "waitlisted", "pending", "cancelled")
LOCALES = ("en", "ar", "zh", "fr", "ru", "es", "uz")


def _convening(title: str) -> int:
    start = utcnow() + timedelta(days=60)
    convening = Convening(kind="global_forum", titles={"en": title}, timezone="Asia/Tashkent",
                          starts_at=start, ends_at=start + timedelta(days=3), status="published")
    db.session.add(convening)
    db.session.flush()
    return convening.id


def _fill(convening_id: int, count: int, nation_ids: list[int], prefix: str) -> None:
    now = utcnow()
    for first in range(0, count, 5000):
        users = [{"email": f"{prefix}{n}@bench.example", "display_name": f"Délégué·e {prefix} {n:05d}",
                  "role": ("ambassador", "observer", "partner")[n % 3],
                  "locale": LOCALES[n % len(LOCALES)], "timezone": "UTC",
                  "nation_id": nation_ids[n % len(nation_ids)]}
                 for n in range(first, min(count, first + 5000))]
        ids = list(db.session.scalars(insert(User).returning(User.id), users))
        db.session.execute(insert(Registration), [
            {"convening_id": convening_id, "user_id": uid, "status": STATUSES[n % len(STATUSES)],
             "created_at": now, "queued_at": now, "updated_at": now}
            for n, uid in enumerate(ids, start=first)])


def _median_ms(client, path: str, repeat: int) -> float:
    assert client.get(path).status_code == 200, path  # warm caches and templates
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return round(statistics.median(times), 2)


def measure(url: str, registrations: int, repeat: int) -> dict[str, object]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "MAIL_SUPPRESS_SEND": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_nations()
        nation_ids = list(db.session.scalars(select(Nation.id).order_by(Nation.iso2)))
        db.session.add(User(email="organiser@bench.example", display_name="Organiser",
                            role="organiser", password_hash=hash_password(PASSWORD)))
        big, small = _convening("Forum"), _convening("Workshop")
        _fill(big, registrations, nation_ids, "f")
        _fill(small, 50, nation_ids, "w")
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"email": "organiser@bench.example", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    pages = {
        "first_page": f"/convenings/{big}/manage",
        "filtered": f"/convenings/{big}/manage?language=ar&grouping=LDC&status=confirmed&sort=name",
        "search": f"/convenings/{big}/manage?search=delegue+f+1999",
        "deep_page": f"/convenings/{big}/manage?sort=state&page=300",
    }
    baseline = _median_ms(client, f"/convenings/{small}/manage", repeat)
    medians = {name: _median_ms(client, path, repeat) for name, path in pages.items()}
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
    return {"database": url.split(":", 1)[0], "registrations": registrations,
            "baseline_50_median_ms": baseline, "medians_ms": medians,
            "ratios_to_baseline": {name: round(ms / baseline, 2) for name, ms in medians.items()},
            "target_ms": TARGET_MS,
            "within_target": all(ms <= TARGET_MS for ms in medians.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrations", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure(f"sqlite:///{folder}/bench.sqlite3", args.registrations, args.repeat))
    if os.environ.get("TEST_DATABASE_URL"):
        results.append(measure(os.environ["TEST_DATABASE_URL"], args.registrations, args.repeat))
    print(json.dumps({"repeat": args.repeat, "results": results}, indent=2))


if __name__ == "__main__":
    main()
