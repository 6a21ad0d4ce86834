"""Weigh the home page as a first-time visitor's browser loads it: HTML plus every asset it links.

Usage: .venv/bin/python bench/home_weight.py [--lang LANG]   (prints JSON)
Runs the app in-process on a throwaway SQLite database; figures are bytes without compression (the
application compresses with brotli or gzip when the browser asks: see bench/page_weight.py).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def weigh(language: str) -> dict[str, object]:
    """Bytes of the home page and of each static asset it references."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/w.sqlite3"})
        with app.app_context():
            db.create_all()
        client = app.test_client()
        page = client.get(f"/?lang={language}")
        html = page.get_data()
        assets = {}
        for path in sorted(set(ASSET.findall(html.decode()))):
            assets[path] = len(client.get(path).get_data())
        with app.app_context():
            db.engine.dispose()
    total = len(html) + sum(assets.values())
    return {"language": language, "html_bytes": len(html), "assets": assets,
            "total_bytes": total, "total_kb": round(total / 1024, 1), "target_kb": 100,
            "within_target": total < 100 * 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lang", default="en", choices=["en", "ar", "zh", "fr", "ru", "es", "uz"])
    args = parser.parse_args()
    print(json.dumps(weigh(args.lang), indent=2))


if __name__ == "__main__":
    main()
