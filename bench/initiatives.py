"""Server time of the initiatives list with 5,000 initiatives and 50,000 memberships, and of one
State's initiatives (what its registry page will list).

Usage: .venv/bin/python bench/initiatives.py [--initiatives 5000] [--members 10] [--repeat 30]
[--database-url URL] (prints JSON). Fills a throwaway SQLite database (or the empty database at URL)
in bulk, then times requests through the WSGI app in-process (no network) and the State query
directly. The baseline is `/healthz`, measured in the same run. Targets (issue 16): list ≤ 60 ms,
a State's initiatives ≤ 50 ms (medians).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.convenings.models import THEMES  # noqa: E402
from app.core.db import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.initiatives import services  # noqa: E402
from app.initiatives.labels import ARTICLE_LABELS  # noqa: E402
from app.initiatives.models import (  # noqa: E402
    Initiative,
    InitiativeMember,
    InitiativeTag,
    InitiativeText,
)
from app.registry.models import Nation  # noqa: E402
from app.registry.services import load_nations  # noqa: E402

LANGUAGES = ["en", "ar", "zh", "fr", "ru", "es", "uz"]


def fill(count: int, members: int, seed: int = 16) -> None:
    """Insert `count` listed initiatives with `members` member States each, in bulk."""
    rng = random.Random(seed)
    nations = [n.id for n in db.session.scalars(select(Nation))]
    author = db.session.execute(insert(db.metadata.tables["users"]).values(
        email="bench@example.org", display_name="Bench", role="admin", locale="en", timezone="UTC",
        active=True, created_at=utcnow(), failed_logins=0, session_epoch=0)).inserted_primary_key[0]
    now = utcnow()
    initiatives, texts, tags, rows = [], [], [], []
    for iid in range(1, count + 1):
        language = LANGUAGES[iid % len(LANGUAGES)]
        initiatives.append({"id": iid, "status": rng.choice(["active", "active", "completed", "closed"]),
                            "visibility": rng.choice(["public", "public", "members", "participants"]),
                            "original_language": language, "goal": "A shared goal " * 5,
                            "created_by_id": author, "approved_by_id": author, "approved_at": now,
                            "meeting_key": f"bench-{iid}", "created_at": now, "updated_at": now})
        texts.append({"initiative_id": iid, "language": language, "title": f"Initiative {iid}",
                      "summary": "A joint initiative between States. " * 4})
        for theme in rng.sample(THEMES, 2):
            tags.append({"initiative_id": iid, "facet": "theme", "value": theme})
        tags.append({"initiative_id": iid, "facet": "article", "value": rng.choice(list(ARTICLE_LABELS))})
        for index, nation_id in enumerate(rng.sample(nations, members)):
            rows.append({"initiative_id": iid, "nation_id": nation_id, "role": "lead" if index == 0 else "member",
                         "state": "active" if index < members - 1 else "requested", "created_at": now})
    for model, batch in ((Initiative, initiatives), (InitiativeText, texts), (InitiativeTag, tags),
                         (InitiativeMember, rows)):
        for start in range(0, len(batch), 5000):
            db.session.execute(insert(model), batch[start:start + 5000])
    db.session.commit()


def median_ms(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def get(client, path: str):  # type: ignore[no-untyped-def]
    def run() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--initiatives", type=int, default=5_000)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-initiatives-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_nations()
        db.session.commit()
        fill(args.initiatives, args.members)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        busiest = db.session.scalar(select(Nation.id).where(Nation.iso2 == "KE"))
        db.session.remove()
        client = app.test_client()
        baseline = median_ms(get(client, "/healthz"), args.repeat)
        results = {name: median_ms(get(client, path), args.repeat) for name, path in {
            "list_ms": "/initiatives",
            "list_page_50_ms": "/initiatives?page=50",
            "filtered_ms": "/initiatives?theme=cybersecurity&article=3.3&status=active&nation=KE",
        }.items()}

        def state_initiatives() -> None:
            with app.test_request_context():
                nation = db.session.get(Nation, busiest)
                assert nation is not None
                for initiative, _role in services.initiatives_of_nation(None, nation):
                    initiative.reading("en")
                db.session.remove()

        results["state_initiatives_ms"] = median_ms(state_initiatives, args.repeat)
        db.session.remove()
        if args.database_url:
            db.drop_all()
        db.engine.dispose()
    print(json.dumps({
        "backend": url.split(":", 1)[0], "initiatives": args.initiatives,
        "memberships": args.initiatives * args.members, "repeat": args.repeat,
        "baseline_healthz_ms": baseline, **results,
        "targets_ms": {"list_ms": 60, "state_initiatives_ms": 50},
    }))


if __name__ == "__main__":
    main()
