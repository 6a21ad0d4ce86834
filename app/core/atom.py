"""Atom 1.0 feeds (RFC 4287), one builder for every feature's feed (registry, library, initiatives)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Response

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Entry:
    """One entry; `summary` is plain text, `html` is sanitised HTML content (one or the other)."""

    id: str
    title: str
    updated: datetime
    link: str
    summary: str = ""
    html: str = ""
    author: str = ""


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrib=dict(attributes))
    if text is not None:
        element.text = text
    return element


def atom_response(*, feed_id: str, title: str, updated: datetime, self_link: str, author: str,
                  entries: Iterable[Entry], alternate: str = "") -> Response:
    """The feed as an `application/atom+xml` response."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    _add(feed, "updated", updated.isoformat())
    _add(_add(feed, "author"), "name", author)
    _add(feed, "link", rel="self", href=self_link)
    if alternate:
        _add(feed, "link", rel="alternate", href=alternate)
    for item in entries:
        entry = _add(feed, "entry")
        _add(entry, "id", item.id)
        _add(entry, "title", item.title)
        _add(entry, "updated", item.updated.isoformat())
        _add(entry, "link", rel="alternate", href=item.link)
        if item.author:
            _add(_add(entry, "author"), "name", item.author)
        if item.html:
            _add(entry, "content", item.html, type="html")
        else:
            _add(entry, "summary", item.summary)
    return Response(ET.tostring(feed, encoding="utf-8", xml_declaration=True), mimetype="application/atom+xml")
