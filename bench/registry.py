"""Time the public registry with every State signed and 1,500 Supporting Partners, and the CSV
export of 10,000 Partners.

Usage: .venv/bin/python bench/registry.py [--runs N] [--database-url URL]   (prints JSON)
Runs the app in-process (Flask test client, so the figure is server time without the network)
on a throwaway SQLite database unless a database URL is given.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.core.db import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.registry import services  # noqa: E402
from app.registry.models import (  # noqa: E402
    DECLARATION_OPENED,
    Nation,
    Partner,
    PartnerCategory,
    PartnerStatus,
    Signature,
)


def _sign_all() -> None:
    """Every State signs (rows written directly: the bench measures reading, not the rules)."""
    now = utcnow()
    for i, nation in enumerate(db.session.scalars(select(Nation))):
        db.session.add(Signature(nation=nation, signed_on=DECLARATION_OPENED + timedelta(days=i),
                                 authority_name="Minister", authority_title="Minister",
                                 note_reference=f"NV/{i}", note="", created_at=now, updated_at=now))
    db.session.commit()


def _fill(partners: int) -> None:
    """Publish Supporting Partners until there are `partners` of them."""
    nations = list(db.session.scalars(select(Nation)))
    categories = list(PartnerCategory)
    now = utcnow()
    existing = db.session.scalar(select(db.func.count(Partner.id))) or 0
    for i in range(existing, partners):
        name = f"Bench Organisation {i:05d}"
        db.session.add(Partner(
            name=name, name_key=services.organisation_key(name), category=categories[i % 4].value,
            nation=nations[i % len(nations)], website=f"https://org{i}.example.org",
            website_key=f"org{i}.example.org", contact_name="C", contact_email=f"c{i}@example.org",
            statement="S", locale="en", status=PartnerStatus.APPROVED.value, created_at=now,
            rejection_reason="", endorsed_on=date(2026, 1, 1) + timedelta(days=i % 300)))
    db.session.commit()


def run(runs: int, database_url: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})
        with app.app_context():
            db.drop_all()
            db.create_all()
            services.load_nations()
            db.session.commit()
            _sign_all()
            _fill(1500)
            states = db.session.scalar(select(db.func.count(Signature.id)))
        client = app.test_client()
        client.get("/registry")  # warm the caches (CLDR names, templates)
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            assert client.get("/registry").status_code == 200
            timings.append((time.perf_counter() - start) * 1000)
        with app.app_context():
            _fill(10_000)
            start = time.perf_counter()
            body = services.export_csv(services.RegistryFilters(kind="partners"))
            csv_seconds = time.perf_counter() - start
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    return {
        "page": "/registry", "states": states, "partners": 1500, "runs": runs,
        "median_ms": round(statistics.median(timings), 1),
        "p90_ms": round(sorted(timings)[int(runs * 0.9) - 1], 1),
        "target_ms": 50,
        "csv_partners": 10_000, "csv_rows": body.count("\r\n") - 1,
        "csv_seconds": round(csv_seconds, 3), "csv_target_seconds": 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    print(json.dumps(run(args.runs, args.database_url), indent=2))


if __name__ == "__main__":
    main()
