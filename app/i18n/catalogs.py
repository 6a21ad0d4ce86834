"""Checks and upkeep of the gettext catalogs (used by the tests and `make messages`)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdf]|\{\w*\}")


@dataclass(frozen=True)
class Problem:
    """One defect of a catalog entry."""

    msgid: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.msgid!r}"


def load(path: Path) -> Catalog:
    """Read a .po or .pot file."""
    with path.open("rb") as handle:
        return read_po(handle)


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted, so word order may change between languages."""
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def check(catalog: Catalog) -> list[Problem]:
    """Untranslated, fuzzy and placeholder-mismatched entries."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = ids[0]
        if message.fuzzy:
            problems.append(Problem(msgid, "fuzzy"))
        if not all(strings):
            problems.append(Problem(msgid, "untranslated"))
            continue
        expected = placeholders(ids[-1])
        for text in strings:
            found = placeholders(text)
            # Plural forms may drop %(num)d where the language names the number in words.
            if found != expected and not (len(strings) > 1 and set(found) <= set(expected)):
                problems.append(Problem(msgid, f"placeholders {found} != {expected}"))
    return problems


def fill_source(path: Path) -> int:
    """Make the English catalog translate every message to itself; returns how many it filled."""
    catalog = load(path)
    filled = 0
    for message in catalog:
        if not message.id or (message.string and all(message.string)):
            continue
        message.string = message.id if isinstance(message.id, tuple) else message.id
        if isinstance(message.id, tuple):
            message.string = tuple(message.id[min(i, 1)] for i in range(catalog.num_plurals))
        filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    return filled


if __name__ == "__main__":
    print(f"filled {fill_source(Path(sys.argv[1]))} English messages")
