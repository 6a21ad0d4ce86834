"""Demo data for `flask demo load`: every loader is idempotent, so the command can run again."""

from __future__ import annotations

from collections.abc import Callable

from app.core.db import unit_of_work

Loader = Callable[[str], str]


def loaders() -> list[Loader]:
    """The feature loaders, in dependency order (reference data first)."""
    from app.accounts.demo import load as load_accounts
    from app.convenings.demo import load as load_convenings
    from app.initiatives.demo import load as load_initiatives
    from app.library.demo import load as load_library
    from app.matchmaking.demo import load as load_matchmaking
    from app.registry.demo import load as load_reference
    from app.registry.demo import load_registry
    from app.rooms.demo import load as load_rooms

    return [load_reference, load_accounts, load_registry, load_convenings, load_matchmaking, load_rooms,
            load_library, load_initiatives]


def load_all(password: str) -> list[str]:
    """Run every loader in its own transaction; returns one summary line each."""
    summary = []
    for loader in loaders():
        with unit_of_work():
            summary.append(loader(password))
    return summary
