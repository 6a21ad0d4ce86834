"""Bytes on the wire for every main page, in English and Arabic, raw and compressed.

Usage: .venv/bin/python bench/page_weight.py [--langs en ar]   (prints JSON; exit 1 if a page is over
the budget: 100 KB uncompressed or 30 KB compressed). Runs the app in-process on a throwaway SQLite
database filled by the demo loader (the 2,000-seat Forum included), as a visitor and as an ambassador.
Static assets are weighed once, as a first visit loads them; later visits take them from the cache
(content-hashed names, a year-long immutable Cache-Control).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.convenings.models import Convening  # noqa: E402
from app.demo import load_all  # noqa: E402
from app.extensions import db  # noqa: E402
from app.rooms.models import Room, RoomMember  # noqa: E402

RAW_BUDGET = 100 * 1024
PACKED_BUDGET = 30 * 1024
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')
PASSWORD = "page-weight-bench-password"
AMBASSADOR = "ambassador1@demo.example"


def weigh(client, path: str) -> dict[str, int]:
    """Status and bytes of one response without compression, with gzip and with brotli."""
    sizes = {"status": 0}
    for name, accept in (("raw", "identity"), ("gzip", "gzip"), ("br", "br")):
        response = client.get(path, headers={"Accept-Encoding": accept})
        sizes["status"] = response.status_code
        sizes[name] = len(response.data)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--langs", nargs="+", default=["en", "ar"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/w.sqlite3",
                                     "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            load_all(PASSWORD)
            db.session.commit()
            forum = db.session.scalar(select(Convening).where(Convening.kind == "global_forum")
                                      .order_by(Convening.starts_at.desc()))
            ambassador = db.session.scalar(select(User).where(User.email == AMBASSADOR))
            room = db.session.scalar(select(Room).join(RoomMember).where(
                RoomMember.user_id == ambassador.id).order_by(Room.last_seq.desc()))
            pages = {"visitor": ["/", "/registry", "/registry/progress", "/registry/notifications",
                                 "/convenings", f"/convenings/{forum.id}", "/login"],
                     "ambassador": ["/rooms/", f"/rooms/{room.id}", "/notices", "/profile",
                                    f"/convenings/{forum.id}/matchmaking"]}
        results, assets, over = [], {}, []
        for role, paths in pages.items():
            client = app.test_client()
            if role == "ambassador":
                client.post("/login", data={"email": AMBASSADOR, "password": PASSWORD})
            for language in args.langs:
                with app.app_context():  # a member's own language wins over ?lang=
                    db.session.scalar(select(User).where(User.email == AMBASSADOR)).locale = language
                    db.session.commit()
                for path in paths:
                    sizes = weigh(client, path + ("&" if "?" in path else "?") + f"lang={language}")
                    row = {"role": role, "lang": language, "path": path, **sizes}
                    results.append(row)
                    if sizes["raw"] > RAW_BUDGET or min(sizes["gzip"], sizes["br"]) > PACKED_BUDGET:
                        over.append(f"{role} {language} {path}")
                    html = client.get(path).get_data(as_text=True)
                    for asset in ASSET.findall(html):
                        if asset not in assets:
                            assets[asset] = weigh(client, asset)
        with app.app_context():
            db.engine.dispose()
    print(json.dumps({"budget": {"raw_bytes": RAW_BUDGET, "compressed_bytes": PACKED_BUDGET},
                      "pages": results, "assets": assets,
                      "assets_total": {k: sum(a[k] for a in assets.values()) for k in ("raw", "gzip", "br")},
                      "over_budget": over}, indent=1))
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
