"""The secret key: configured, or generated once per instance and kept readable by its owner only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from config import DEFAULT_SECRET_KEY

KEY_FILE = "secret_key"


def ensure_secret_key(app: Flask) -> None:
    """Use SECRET_KEY when configured; else read (or create once) INSTANCE_PATH/secret_key.

    The development placeholder is accepted only by the test suite: a cookie signed with it
    must never sign anyone in on a real instance.
    """
    key = app.config.get("SECRET_KEY")
    if key == DEFAULT_SECRET_KEY and not app.testing:
        raise RuntimeError("SECRET_KEY is the published placeholder; unset it (a random key is "
                           "then generated in the instance folder) or set a long random value")
    if not key:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def instance_secret_key(folder: Path) -> str:
    """The key stored in `folder`/secret_key, created (mode 0600) by whichever process comes first."""
    path = folder / KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # atomic: a process starting at the same time keeps the first key
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; delete it to generate a new one")
    return key
