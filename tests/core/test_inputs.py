"""Input from outside: bounded ids, cleaned text, bounded dates, allow-listed zones, safe redirects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, StringField, TextAreaField

from app.core.forms import Form
from app.core.inputs import MAX_ID, bounded_id, clean_line, clean_text, has_control_characters
from app.core.permissions import Role
from app.core.web import safe_next
from app.i18n import is_valid_timezone


def test_clean_line_drops_breaks_controls_surrogates_and_bidi_overrides() -> None:
    assert clean_line("Forum\r\nSUMMARY:x") == "Forum SUMMARY:x"
    assert clean_line("a\tb\x00c\x1fd\x7fe\x9f") == "a bcde"
    assert clean_line("\u202eevil\u202c \u2066name\u2069") == "evil name"
    assert clean_line("lone \ud800 surrogate") == "lone  surrogate"
    assert clean_line("a\u2028b\x85c") == "a b c"
    assert clean_line("Ташкент ٢٠٢٦ 撒马尔罕") == "Ташкент ٢٠٢٦ 撒马尔罕"


def test_clean_text_keeps_line_breaks_and_right_to_left_marks() -> None:
    assert clean_text("one\r\ntwo\rthree\u2028four") == "one\ntwo\nthree\nfour"
    assert clean_text("tab\tkept\x00\x08\ud800") == "tab\tkept"
    assert clean_text("\u200fمرحبا\u200e") == "\u200fمرحبا\u200e"


def test_bounded_id_accepts_only_what_a_column_holds() -> None:
    assert bounded_id("42") == 42
    assert bounded_id(MAX_ID) == MAX_ID
    for bad in (0, -1, MAX_ID + 1, "9" * 40, "1e3", "", None, True, "x"):
        assert bounded_id(bad) is None
    assert has_control_characters("a\nb") and not has_control_characters("a b")


class _Sample(Form):
    title = StringField()
    body = TextAreaField()
    secret = PasswordField()
    number = IntegerField()
    day = DateField()


def test_every_form_field_is_cleaned_and_bounded(app_ctx) -> None:
    with app_ctx.test_request_context(method="POST", data={
            "title": "A\r\nB\u202e", "body": "x\r\ny\x00", "secret": "pw\x00", "number": str(2**63),
            "day": "9999-12-31"}):
        form = _Sample(meta={"csrf": False})
        assert not form.validate()
        assert form.title.data == "A B" and form.body.data == "x\ny" and form.secret.data == "pw"
        assert form.number.errors == ["This number is too large."]
        assert form.day.errors == ["Enter a date between the years 1900 and 2200."]


def test_a_json_body_of_the_wrong_shape_is_no_form_data(app_ctx) -> None:
    for payload in ([1, 2], {"title": {"a": 1}, "number": [2**64], "body": None}, "text"):
        with app_ctx.test_request_context(method="POST", data=json.dumps(payload),
                                          content_type="application/json"):
            form = _Sample(meta={"csrf": False})
            form.validate()
            assert form.title.data in (None, "")
            assert form.body.data in (None, "")
    with app_ctx.test_request_context(method="POST", data=json.dumps({"title": "a\ud800b", "day": True}),
                                      content_type="application/json"):
        form = _Sample(meta={"csrf": False})
        assert form.title.data == "ab"


def test_every_form_in_the_app_is_a_cleaned_form(app_ctx) -> None:
    import app as package

    def subclasses(cls: type) -> list[type]:
        return [cls, *[c for sub in cls.__subclasses__() for c in subclasses(sub)]]

    ours = [cls for cls in subclasses(FlaskForm) if cls.__module__.startswith(package.__name__ + ".")]
    assert len(ours) > 30
    assert [cls for cls in ours if not issubclass(cls, Form)] == []
    root = Path(package.__file__).parent
    uses = [str(path.relative_to(root)) for path in root.rglob("*.py")
            if path != root / "core" / "forms.py" and "FlaskForm" in path.read_text(encoding="utf-8")]
    assert uses == [], "use app.core.forms.Form, whose fields are cleaned"


@pytest.mark.parametrize("target", [
    "/rooms/\r\nSet-Cookie: a=b", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", "/\t/evil.example", "/ok\x00", "javascript:alert(1)", "evil", "",
    "/" + "a" * 3000, "/\ud800",
])
def test_safe_next_refuses_what_could_leave_the_site_or_break_a_header(app_ctx, target: str) -> None:
    with app_ctx.test_request_context():
        assert safe_next(target) == "/"


def test_safe_next_returns_the_rebuilt_local_path(app_ctx) -> None:
    with app_ctx.test_request_context():
        assert safe_next("/convenings/3?tz=viewer#agenda") == "/convenings/3?tz=viewer#agenda"


def test_over_long_and_path_like_zone_names_are_not_zones() -> None:
    assert not is_valid_timezone("Europe/" + "a" * 400)
    assert not is_valid_timezone("a" * 300)
    assert not is_valid_timezone("Asia/Tashkent\x00")
    assert is_valid_timezone("Asia/Tashkent")


@pytest.mark.parametrize("path", [
    f"/convenings/{2**63}", f"/convenings/{2**63 - 1}", f"/convenings/{2**31}", "/convenings/0",
    "/convenings/-1", f"/convenings/{2**31}.ics", f"/registry/partners/{2**31}",
    f"/rooms/{10**30}/messages", "/registry/states/U%00Z", "/reset/a%0d%0ab",
])
def test_out_of_range_ids_and_control_characters_in_paths_are_not_found(client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_integer_query_values_beyond_any_column_are_ignored(login_as) -> None:
    client, _ = login_as(Role.ADMIN)
    assert client.get(f"/admin/users?page={2**64}").status_code == 200
    assert client.get(f"/admin/users?page={2**31}").status_code == 200
    assert client.get(f"/registry/notifications?page=-{2**70}").status_code == 200
