"""Every catalog is complete: no untranslated or fuzzy entry, placeholders intact, nothing missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.i18n import catalogs
from config import Config

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = Config.LANGUAGES


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The messages in the code and templates today, extracted afresh."""
    target = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2",
                    "--no-location", "-o", str(target), "app"],
                   cwd=ROOT, check=True, capture_output=True)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalogs.load(target) if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_placeholders_match(language: str) -> None:
    catalog = catalogs.load(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po")
    problems = catalogs.check(catalog)
    assert not problems, "\n".join(map(str, problems[:40]))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_every_extracted_string(language: str, extracted: set[str]) -> None:
    catalog = catalogs.load(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po")
    present = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(extracted - present)
    assert not missing, f"run `make messages` and translate: {missing[:20]}"


def test_checker_catches_broken_entries() -> None:
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="fr")
    catalog.add("Hello %(name)s", "Bonjour %(nom)s")
    catalog.add("Untranslated", "")
    catalog.add("Fuzzy", "Flou", flags=["fuzzy"])
    catalog.add("Fine %(count)d", "Bien %(count)d")
    kinds = sorted(p.kind.split(" ")[0] for p in catalogs.check(catalog))
    assert kinds == ["fuzzy", "placeholders", "untranslated"]
