"""Time GET /api/v1/states with every State signed, its 304 answer, and an agenda of 500 sessions.

`states_built_ms` is an answer built from the database (a URL not asked before);
`states_first_page_ms` a repeated read of unchanged data (the version query and a remembered
answer); `states_304_ms` a revalidation with If-None-Match.
Usage: .venv/bin/python bench/api.py [--runs N] [--database-url URL]   (prints JSON)
In-process (Flask test client: server time without the network) on a throwaway SQLite database
unless a database URL is given. The baseline is GET /api/v1/openapi.json (a cached document),
measured in the same run, so the ratios say what the API's own work costs.
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
from app.convenings.models import AgendaSession, Convening  # noqa: E402
from app.core.db import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.registry import services  # noqa: E402
from app.registry.models import DECLARATION_OPENED, Nation, Signature  # noqa: E402


def _fill() -> int:
    """Every State signs; one published convening with 500 sessions (rows written directly)."""
    now = utcnow()
    for i, nation in enumerate(db.session.scalars(select(Nation))):
        db.session.add(Signature(nation=nation, signed_on=DECLARATION_OPENED + timedelta(days=i),
                                 authority_name="Minister", authority_title="Minister",
                                 note_reference=f"NV/{i}", note="", created_at=now, updated_at=now))
    start = now + timedelta(days=30)
    convening = Convening(kind="forum", titles={"en": "Forum", "ar": "المنتدى"}, descriptions={},
                          themes=[], timezone="Asia/Tashkent", starts_at=start,
                          ends_at=start + timedelta(days=3), visibility="public",
                          status="published", created_at=now, updated_at=now)
    db.session.add(convening)
    for i in range(500):
        begins = start + timedelta(minutes=30 * (i % 100))
        db.session.add(AgendaSession(convening=convening, title=f"Session {i}", description="",
                                     starts_at=begins, ends_at=begins + timedelta(minutes=30),
                                     track=f"Track {i % 5}", language="en", interpretation=["ar"],
                                     guest_speakers=["Guest"]))
    db.session.commit()
    return convening.id


def _median_ms(client, url: str, runs: int, headers: dict[str, str] | None = None,
               status: int = 200) -> float:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        answer = client.get(url, headers=headers or {})
        timings.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == status, (url, answer.status_code)
    return round(statistics.median(timings), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})
        with app.app_context():
            db.drop_all()
            db.create_all()
            services.load_nations()
            db.session.commit()
            convening_id = _fill()
            client = app.test_client()
            _median_ms(client, "/api/v1/openapi.json", 3)
            etag = client.get("/api/v1/states?limit=200").headers["ETag"]
            baseline = _median_ms(client, "/api/v1/openapi.json", args.runs)
            built = []
            for limit in range(1, args.runs + 1):  # a new URL each time: nothing remembered
                began = time.perf_counter()
                assert client.get(f"/api/v1/states?limit={limit}").status_code == 200
                built.append((time.perf_counter() - began) * 1000)
            states_built = round(statistics.median(built), 2)
            states = _median_ms(client, "/api/v1/states", args.runs)
            states_all = _median_ms(client, "/api/v1/states?limit=200", args.runs)
            not_modified = _median_ms(client, "/api/v1/states?limit=200", args.runs,
                                      {"If-None-Match": etag}, 304)
            agenda = _median_ms(client, f"/api/v1/convenings/{convening_id}/agenda", args.runs)
            signed = db.session.scalar(select(db.func.count(Signature.id)))
            db.session.remove()
            db.drop_all()
    print(json.dumps({
        "runs": args.runs, "database": url.split(":", 1)[0], "signed_states": signed,
        "baseline_openapi_ms": baseline,
        "states_built_ms": states_built, "states_first_page_ms": states, "states_200_ms": states_all,
        "states_304_ms": not_modified, "agenda_500_sessions_ms": agenda,
        "states_ratio_to_baseline": round(states / baseline, 2),
        "not_modified_ratio_to_baseline": round(not_modified / baseline, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
