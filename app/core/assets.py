"""Static files under content-hashed names, cached for a year; every response compressed when it helps.

`url_for('static', filename='css/app.css')` gives `/static/css/app.<12 hex>.css`. The static view
serves that name with `Cache-Control: public, max-age=31536000, immutable`; a name whose digest is
not the file's current one (a page cached before a deploy) still gets the current file, revalidated.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response

from app.extensions import compress

YEAR = 365 * 24 * 3600
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")
# Text formats the application answers with, beyond Flask-Compress's defaults (HTML, CSS, JS,
# JSON, SVG, XML, Atom).
EXTRA_MIMETYPES = ("text/calendar", "text/csv", "application/problem+json")


@dataclass
class Digests:
    """Content digests of the files of one static folder, recomputed when a file changes."""

    folder: Path
    _known: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    def digest(self, filename: str) -> str | None:
        """The first 12 hex digits of the file's SHA-256, or None for a file that does not exist."""
        path = (self.folder / filename).resolve()
        if self.folder.resolve() not in path.parents:
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        known = self._known.get(filename)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest

    def hashed_name(self, filename: str) -> str:
        """`css/app.css` → `css/app.<digest>.css`; unknown files keep their name."""
        digest = self.digest(filename)
        if digest is None:
            return filename
        stem, dot, suffix = filename.rpartition(".")
        return f"{stem}.{digest}.{suffix}" if dot else f"{filename}.{digest}"

    def original(self, requested: str) -> tuple[str, bool]:
        """The file a requested name stands for, and whether its digest is the current one."""
        match = HASHED.match(requested)
        if match is None:
            return requested, False
        original = match["stem"] + match["suffix"]
        return original, self.digest(original) == match["digest"]


def init_app(app: Flask) -> None:
    """Compress responses and serve static files under content-hashed names."""
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    compress.init_app(app)
    compress.compress_mimetypes_set.update(EXTRA_MIMETYPES)

    assert app.static_folder is not None  # noqa: S101 - the factory always has one
    digests = Digests(Path(app.static_folder))

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict[str, str]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = digests.hashed_name(values["filename"])

    def static(filename: str) -> Response:
        original, current = digests.original(filename)
        response = app.send_static_file(original)
        # Read the (small) file into memory so that every client, gzip-only ones too, gets it
        # compressed with a Content-Length (Flask-Compress streams only with br and deflate).
        if response.status_code == 200:
            body = response.response
            response.direct_passthrough = False
            response.set_data(b"".join(body))
            body.close()
        if current:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response

    app.view_functions["static"] = static
