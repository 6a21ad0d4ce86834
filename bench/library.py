"""Server time of the library's faceted search and of a practice page with 10,000 practices.

Usage: .venv/bin/python bench/library.py [--practices 10000] [--repeat 30] [--database-url URL]
(prints JSON). Fills a throwaway SQLite database (or the empty database at URL) with published
practices whose originals are spread over the seven languages, a third of them translated, then
times requests through the WSGI app in-process (no network). The baseline is `/healthz`, measured
in the same run. Targets (issue 15): faceted search ≤ 60 ms, practice page ≤ 40 ms (medians).
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

from sqlalchemy import insert, text  # noqa: E402

from app import create_app  # noqa: E402
from app.convenings.models import THEMES  # noqa: E402
from app.core.db import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.library.labels import ARTICLE_LABELS  # noqa: E402
from app.library.models import (  # noqa: E402
    Practice,
    PracticeTag,
    PracticeText,
    PracticeToken,
    PracticeVersion,
)
from app.registry.models import Nation  # noqa: E402
from app.registry.services import load_nations  # noqa: E402
from app.rooms import search  # noqa: E402

WORDS = {
    "en": "digital inclusion data protection strategy community centres mediators regulator county "
          "complaints cyber exercise incident response training budget maintenance connectivity",
    "fr": "inclusion numérique protection des données stratégie espaces communautaires médiateurs "
          "régulateur plaintes exercice incident formation budget maintenance connectivité",
    "es": "inclusión digital protección de datos estrategia centros comunitarios mediadores "
          "regulador quejas ejercicio incidente formación presupuesto conectividad",
    "ru": "цифровая инклюзия защита данных стратегия центры посредники регулятор жалобы учения "
          "инцидент обучение бюджет обслуживание связь",
    "ar": "الشمول الرقمي حماية البيانات استراتيجية مراكز مجتمعية وسطاء جهة تنظيمية شكاوى تمرين "
          "حادث تدريب ميزانية صيانة",
    "zh": "数字包容 数据保护 国家战略 社区中心 协调员 监管机构 投诉 网络演练 事件响应 培训 预算 维护",
    "uz": "raqamli inklyuziya maʼlumotlarni himoya qilish strategiya markazlar vositachilar "
          "regulyator shikoyatlar mashq hodisa trening byudjet",
}
LANGUAGES = list(WORDS)


def _text(rng: random.Random, language: str, count: int) -> str:
    words = WORDS[language].split()
    return " ".join(rng.choice(words) for _ in range(count))


def fill(count: int, seed: int = 7) -> int:
    """Insert `count` published practices in bulk; returns the id of one to open."""
    rng = random.Random(seed)
    nations = [n.id for n in db.session.scalars(db.select(Nation))]
    author = db.session.execute(insert(db.metadata.tables["users"]).values(
        email="bench@example.org", display_name="Bench", role="admin", locale="en", timezone="UTC",
        active=True, created_at=utcnow(), failed_logins=0, session_epoch=0)).inserted_primary_key[0]
    now = utcnow()
    practices, texts, versions, tags, tokens = [], [], [], [], []
    for pid in range(1, count + 1):
        language = LANGUAGES[pid % len(LANGUAGES)]
        practices.append({"id": pid, "nation_id": rng.choice(nations), "author_id": author,
                          "kind": rng.choice(["policy", "law", "strategy", "institution", "programme",
                                              "lesson"]),
                          "policy_status": rng.choice(["in_force", "draft", "ended"]),
                          "visibility": rng.choice(["public", "public", "members"]),
                          "status": "published", "year": rng.randint(2005, 2026),
                          "original_language": language, "links": [], "refusal_reason": "",
                          "edition": 1, "published_version": 1, "created_at": now, "updated_at": now,
                          "published_at": now})
        languages = [language] + ([LANGUAGES[(pid + 3) % 7]] if pid % 3 == 0 else [])
        words: dict[str, None] = {}
        for index, lang in enumerate(languages):
            title, summary, body = _text(rng, lang, 6), _text(rng, lang, 25), _text(rng, lang, 120)
            texts.append({"practice_id": pid, "language": lang, "is_translation": index > 0,
                          "title": title, "summary": summary, "body": body, "signed_by_id": author,
                          "updated_at": now})
            if index == 0:
                versions.append({"practice_id": pid, "number": 1, "title": title, "summary": summary,
                                 "body": body, "published_by_id": author, "published_at": now})
            for part in (title, summary, body):
                words.update(dict.fromkeys(search.tokens(part)))
        tokens += [{"practice_id": pid, "token": word} for word in words]
        for theme in rng.sample(THEMES, 2):
            tags.append({"practice_id": pid, "facet": "theme", "value": theme})
        tags.append({"practice_id": pid, "facet": "article", "value": rng.choice(list(ARTICLE_LABELS))})
    for model, rows in ((Practice, practices), (PracticeText, texts), (PracticeVersion, versions),
                        (PracticeTag, tags), (PracticeToken, tokens)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])
    db.session.commit()
    return count // 2


def median_ms(client, path: str, repeat: int) -> float:
    client.get(path)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-library-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_nations()
        db.session.commit()
        practice_id = fill(args.practices)
        if db.engine.dialect.name == "postgresql":
            # After a bulk load, as autovacuum would soon: without statistics the planner takes the
            # facet subqueries for one row each and nests loops (4 s instead of 15 ms).
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.session.remove()
        client = app.test_client()
        baseline = median_ms(client, "/healthz", args.repeat)
        paths = {
            "list_ms": "/library",
            "search_ms": "/library?q=data+protection",
            "search_chinese_ms": "/library?q=数据保护",
            "faceted_search_ms": "/library?q=strategy&theme=cybersecurity&grouping=LDC&status=in_force",
            "facets_only_ms": "/library?theme=ai_governance&region=002&language=fr&year=2020",
            "practice_page_ms": f"/library/{practice_id}",
        }
        results = {name: median_ms(client, path, args.repeat) for name, path in paths.items()}
        db.session.remove()
        if args.database_url:
            db.drop_all()
        db.engine.dispose()
    print(json.dumps({
        "backend": url.split(":", 1)[0], "practices": args.practices, "repeat": args.repeat,
        "baseline_healthz_ms": baseline, **results,
        "ratios_to_baseline": {name: round(value / baseline, 1) for name, value in results.items()},
        "targets_ms": {"faceted_search_ms": 60, "practice_page_ms": 40},
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
