"""Every route, found in the URL map, driven with malformed values as each role: never a 5xx.

The test reads the forms each page offers (so new routes and fields are covered without editing
it), fills them plausibly, and then spoils one field at a time, every field at once, the path
parameters and the query string with values sampled from `corpus`.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests.conftest import PASSWORD
from tests.fuzz import corpus, world
from tests.fuzz.corpus import FormField, PageForm

ROLES = ["anonymous", "ambassador", "organiser", "admin"]
# Routes whose success changes what later requests see run last, signing out very last.
LATE = ("accept_invitation", "cancel", "delete", "leave", "decline", "reject", "lock", "mute", "resolve", "regenerate",
        "set_active", "change_role", "switch_language")
QUERY_NAMES = {"next", "lang", "page", "q", "before", "after_seq", "reply_to", "tz", "when",
               "convening", "role", "nations", "regions", "first_day", "last_day", "duration",
               "status", "region", "category", "grouping", "theme", "kind", "format"}
_PARAM = re.compile(r"<(?:([^>:]+):)?(\w+)>")


def _order(rule: Rule) -> tuple[int, str]:
    if rule.endpoint.endswith("logout"):
        return 2, rule.rule
    return (1 if any(word in rule.endpoint for word in LATE) else 0), rule.rule


class Fuzzer:
    """Sends the requests and collects every answer of 500 or above."""

    def __init__(self, app: Flask, client: FlaskClient, params: dict[str, str], role: str) -> None:
        self.app = app
        self.client = client
        self.params = params
        self.role = role
        self.failures: list[str] = []
        self.sent = 0
        self.post_forms: dict[str, list[PageForm]] = {}
        self.query_names: dict[str, set[str]] = {}
        self.csrf = ""

    def rules(self) -> list[Rule]:
        return sorted(self.app.url_map.iter_rules(), key=_order)

    def value(self, rule: Rule, name: str) -> str:
        return self.params.get(f"{rule.endpoint}:{name}", self.params.get(name, "1"))

    def path(self, rule: Rule, spoiled: dict[str, str] | None = None) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(2)
            raw = (spoiled or {}).get(name, self.value(rule, name))
            return quote(raw, safe="", errors="surrogatepass")

        return _PARAM.sub(fill, rule.rule)

    def send(self, method: str, path: str, *, query: list[tuple[str, str]] | None = None,
             form: list[tuple[str, str]] | None = None, json_body: object = None,
             label: str = "") -> str | None:
        url = f"{path}?{corpus.encode(query)}" if query else path
        kwargs: dict[str, object] = {}
        if form is not None:
            kwargs = {"data": corpus.encode(form), "content_type": "application/x-www-form-urlencoded"}
        elif json_body is not None:
            kwargs = {"data": json.dumps(json_body), "content_type": "application/json",
                      "headers": {"X-CSRFToken": self.csrf}}
        self.sent += 1
        where = f"{self.role} {method} {url[:160]!r} {label[:160]}"
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - any exception is what the test looks for
            self.failures.append(f"{where}: raised {error!r}"[:600])
            return None
        if response.status_code >= 500:
            self.failures.append(f"{where}: {response.status_code}")
        if response.status_code == 200 and response.mimetype == "text/html":
            return response.get_data(as_text=True)
        return None

    def crawl(self, rule: Rule) -> None:
        """GET the page with valid ids and remember its forms."""
        path = self.path(rule)
        html = self.send("GET", path, label="valid ids")
        if not html:
            return
        for page_form in corpus.read_forms(html, path):
            if page_form.method == "post":
                known = self.post_forms.setdefault(page_form.action, [])
                names = [f.name for f in page_form.fields]
                if all([f.name for f in other.fields] != names for other in known):
                    known.append(page_form)
            else:
                self.query_names.setdefault(page_form.action, set()).update(
                    f.name for f in page_form.fields)
            for form_field in page_form.fields:
                if form_field.name == "csrf_token" and form_field.value:
                    self.csrf = form_field.value

    def spoil_path(self, method: str, rule: Rule, form: list[tuple[str, str]] | None) -> None:
        for match in _PARAM.finditer(rule.rule):
            converter, name = match.groups()
            values = corpus.INTEGERS if converter == "int" else corpus.PATH_STRINGS
            for value in corpus.sample(values, f"{self.role}{rule.rule}{name}", 2):
                self.send(method, self.path(rule, {name: value}), form=form, label=f"path {name}")

    def spoil_query(self, rule: Rule) -> None:
        path = self.path(rule)
        names = sorted(QUERY_NAMES | self.query_names.get(path, set()))
        for value in corpus.sample(corpus.CORPUS, f"{self.role}{rule.rule}?", 2):
            self.send("GET", path, query=[(name, value) for name in names], label="query")

    def spoil_form(self, rule: Rule) -> None:
        path = self.path(rule)
        forms = self.post_forms.get(path) or [PageForm(path, "post", [
            FormField("csrf_token", "hidden", self.csrf)])]
        for page_form in forms:
            baseline = [(f.name, corpus.plausible(f, PASSWORD)) for f in page_form.fields]
            baseline = [(name, value) for name, value in baseline if value]
            self.send("POST", path, form=baseline, label="plausible")
            for index, form_field in enumerate(page_form.fields):
                for value in self._values_for(form_field, rule):
                    spoiled = [pair for pair in baseline if pair[0] != form_field.name]
                    spoiled.insert(min(index, len(spoiled)), (form_field.name, value))
                    self.send("POST", path, form=spoiled, label=f"{form_field.name}={value[:40]!r}")
            for value in corpus.sample(corpus.CORPUS, f"{self.role}{rule.rule}*", 2):
                every = [(name, value if name != "csrf_token" else token) for name, token in baseline]
                self.send("POST", path, form=every, label=f"every field={value[:40]!r}")
            text = next((f for f in page_form.fields if f.kind in ("text", "textarea", "search")), None)
            if text is not None:
                long = [(name, corpus.LONG if name == text.name else value) for name, value in baseline]
                self.send("POST", path, form=long, label=f"{text.name}=1 MB")
            fields = dict(baseline)
            self.send("POST", path, json_body={name: value if name == "csrf_token" else value + corpus.SURROGATE + "\x00"
                                               for name, value in fields.items()}, label="json surrogates")
            self.send("POST", path, json_body={name: value if name == "csrf_token" else [2**64, {"a": None}, True]
                                               for name, value in fields.items()}, label="json wrong types")
            self.send("POST", path, json_body=[corpus.SURROGATE, 1], label="json list")
        self.send("POST", path, query=[("next", v) for v in corpus.sample(corpus.STRINGS, path, 1)],
                  form=[("csrf_token", self.csrf)], label="next")
        self.spoil_path("POST", rule, [("csrf_token", self.csrf)])

    def _values_for(self, form_field: FormField, rule: Rule) -> list[str]:
        key = f"{self.role}{rule.rule}{form_field.name}"
        if form_field.kind == "number":
            return corpus.sample(corpus.INTEGERS, key, 1)
        if form_field.kind in ("date", "datetime-local"):
            return corpus.sample(corpus.DATES, key, 1)
        if form_field.name == "csrf_token":
            return corpus.sample(corpus.STRINGS, key, 1)
        return corpus.sample(corpus.CORPUS, key, 1)

    def run(self) -> None:
        rules = self.rules()
        for rule in rules:
            if "GET" in rule.methods:
                self.crawl(rule)
        for rule in rules:
            if "GET" in rule.methods:
                self.spoil_path("GET", rule, None)
                self.spoil_query(rule)
        for rule in rules:
            if "POST" in rule.methods:
                self.spoil_form(rule)


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_5xx_to_malformed_input(app_ctx, client, make_user, login, role: str) -> None:
    members, params = world.build(make_user)
    if role != "anonymous":
        login(members[role])
    fuzzer = Fuzzer(app_ctx, client, params, role)
    fuzzer.run()
    assert fuzzer.sent > 300
    assert not fuzzer.failures, f"{len(fuzzer.failures)} of {fuzzer.sent} failed:\n" + "\n".join(
        fuzzer.failures[:40])
