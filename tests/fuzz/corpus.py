"""Malformed values, how to sample them, and how to read the forms a page offers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

LONG = "x" * 1_000_000  # 1 MB, under MAX_CONTENT_LENGTH so it reaches the form
SURROGATE = "\ud800"  # sent as the bytes ED A0 80 in forms, as "\ud800" in JSON

INTEGERS = ["0", "-1", str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), str(-(2**63) - 1), "9" * 40, "1e308"]
STRINGS = [
    "", " ", "\x00", "a\x00b", "line\r\nbreak", "\r\n", "tab\tand\x0bvt\x1f\x7f", "\x85\u2028\u2029",
    f"lone {SURROGATE} surrogate", SURROGATE, "\u202eevil\u202c name", "\u2066isolate",
    "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%00", "%0d%0a",
    "//evil.example", "\\\\evil.example", "https://evil.example", "javascript:alert(1)",
    "a" * 300, "Europe/" + "a" * 400, "\u0645" * 5000, "NaN", "null", "[]", "true",
]
DATES = ["9999-12-31", "0001-01-01", "1899-12-31", "2200-13-01", "0000-00-00", "-1-01-01",
         "9999-12-31T23:59", "0001-01-01T00:00", "2026-02-30T25:61"]
PATH_STRINGS = ["\x00", "a\r\nb", SURROGATE, "..", "a" * 2000, "\u202e", "UZ\x00", "%00"]
CORPUS = INTEGERS + STRINGS + DATES


def sample(values: list[str], key: str, count: int) -> list[str]:
    """`count` values from `values`, chosen deterministically from `key` (so runs repeat)."""
    start = int(hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest(), 16) % len(values)
    return [values[(start + i) % len(values)] for i in range(min(count, len(values)))]


def encode(pairs: list[tuple[str, str]]) -> str:
    """A form or query string body, with lone surrogates sent as the UTF-8 bytes they stand for."""
    return "&".join(f"{quote(k, safe='', errors='surrogatepass')}="
                    f"{quote(v, safe='', errors='surrogatepass')}" for k, v in pairs)


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class PageForm:
    action: str
    method: str
    fields: list[FormField] = field(default_factory=list)


class FormReader(HTMLParser):
    """Collects every form of a page with its fields and their current values."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[PageForm] = []
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_path).path or self.page_path
            self.forms.append(PageForm(action, (a.get("method") or "get").lower()))
            return
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a and not self._select.value:
                self._select.value = value
            return
        if not self.forms or "name" not in a or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self.forms[-1].fields.append(FormField(a["name"], kind, "", [a.get("value", "on")]))
                return
            self.forms[-1].fields.append(FormField(a["name"], kind, a.get("value", "")))
        elif tag == "select":
            self._select = FormField(a["name"], "select", multiple="multiple" in a)
            self.forms[-1].fields.append(self._select)
        elif tag == "textarea":
            self._textarea = FormField(a["name"], "textarea")
            self.forms[-1].fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_forms(html: str, page_path: str) -> list[PageForm]:
    """The forms of a page."""
    reader = FormReader(page_path)
    reader.feed(html)
    return reader.forms


def plausible(form_field: FormField, password: str) -> str:
    """A value a person might type where the page left the field empty."""
    if form_field.value:
        return form_field.value
    name = form_field.name.lower()
    if form_field.kind == "select":
        return next((option for option in form_field.options if option), "")
    if form_field.kind in ("checkbox", "radio"):
        return ""
    if form_field.kind == "datetime-local":
        later = any(word in name for word in ("end", "close"))
        return "2027-03-03T18:00" if later else "2027-03-01T10:00"
    if form_field.kind == "date":
        return "2027-03-03" if any(word in name for word in ("last", "to")) else "2025-11-05"
    if form_field.kind == "number":
        return "3"
    if form_field.kind == "email" or "email" in name:
        return "fuzz@example.org"
    if form_field.kind == "password":
        return password
    if "website" in name or "link" in name or "url" in name:
        return "https://fuzz.example.org"
    return "Fuzz value"
