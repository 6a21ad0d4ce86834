"""Glue between HTTP and the services: error pages, form errors, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.core.db import commits_so_far, is_contention, retry_on_busy, run_in_transaction
from app.core.errors import DomainError, NotFound, ServiceBusy
from app.core.forms import Form
from app.core.inputs import has_control_characters

T = TypeVar("T")

ERROR_TITLES = {
    400: _l("The request could not be processed"),
    403: _l("You are not allowed to see this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This clashes with what is already recorded"),
    413: _l("The upload is too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
    503: _l("The platform is busy"),
}
ERROR_TEXTS = {
    400: _l("Please check what you sent and try again."),
    403: _l("Your account does not give access to this page. Sign in with another account or go back."),
    404: _l("The address may be mistyped, or the page has moved."),
    405: _l("Go back and use the page's own buttons and links."),
    409: _l("Reload the page to see the latest version, then try again."),
    413: _l("Send a smaller file."),
    429: _l("Please wait a moment before trying again."),
    500: _l("The error has been logged. Please try again in a few minutes."),
    503: _l("Many people are acting at this moment. Nothing was changed: please try again."),
}


def wants_json() -> bool:
    """True when the client asked for JSON rather than a page."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str | None = None, code: str | None = None) -> tuple[Response | str, int]:
    """A translated error page (or JSON body) with `status`."""
    status = status if status in ERROR_TITLES else 500
    text = message or str(ERROR_TEXTS[status])
    if wants_json() or request.path.endswith(".json"):
        return jsonify(ok=False, error=text, code=code or str(status)), status
    return render_template("errors/error.html", status=status, title=ERROR_TITLES[status],
                           message=text), status


def retry_busy_requests(app: Flask) -> None:
    """Run a view again when its unit of work met contention, if it had committed nothing yet.

    Views that own a unit of work directly (`with unit_of_work():`) get the same bounded retry as
    forms going through `submit()`; the form data is already parsed, so running again is cheap.
    """
    dispatch = app.dispatch_request

    def dispatch_with_retry():
        committed = commits_so_far()
        return retry_on_busy(lambda: _guarded(dispatch, committed))

    app.dispatch_request = dispatch_with_retry  # type: ignore[method-assign]


def _guarded(dispatch: Callable[[], T], committed: int) -> T:
    try:
        return dispatch()
    except ServiceBusy as busy:
        if commits_so_far() != committed:
            busy.final = True  # part of the request is stored: running it again would repeat it
        raise


def register_error_handlers(app: Flask) -> None:
    """Map domain errors, CSRF failures and HTTP errors to translated pages."""

    retry_busy_requests(app)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return error_response(error.status if error.status != 409 else 409, str(error), error.code)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(400, str(_l("Your form expired or was sent from elsewhere. Reload the page and try again.")), "csrf")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return error_response(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if is_contention(error):
            # A write outside a unit of work (none should be) met another writer: still not a 500.
            app.logger.warning("database busy outside a unit of work")
            return error_response(503, code=ServiceBusy.code)
        app.logger.exception("unhandled error")
        return error_response(500)


def attach_error(form: Form, error: DomainError) -> None:
    """Show a service's refusal beside the field it concerns, or as a flash message."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


def flash_errors(form: Form) -> None:
    """Show every field error of a form as a flash message (for forms posted from another page)."""
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


def _attempt(form: Form, action: Callable[[], T], *, done: str | None, elsewhere: bool,
             run: Callable[[Callable[[], T]], T] | None) -> tuple[bool, T | None]:
    if not form.validate_on_submit():
        if elsewhere:
            flash_errors(form)
        return False, None
    try:
        result = (run or run_in_transaction)(action)
    except (ServiceBusy, NotFound):
        raise  # the 503 page / the 404 page, never a note beside a field
    except DomainError as error:
        if elsewhere:
            flash(str(error), "error")
        else:
            attach_error(form, error)
        return False, None
    if done:
        flash(done, "success")
    return True, result


def submit(form: Form, action: Callable[[], T], *, done: str | None = None, elsewhere: bool = False,
           run: Callable[[Callable[[], T]], T] | None = None) -> T | None:
    """The one way a view runs a service for a posted form.

    When the form validates, `action` runs in its own transaction (`run`, by default
    `run_in_transaction`; rooms pass their writer); contention with other writers runs it again, and
    when it outlasts the retries `ServiceBusy` goes on to the 503 page. A service's refusal is shown
    beside its field, or as a flash message when the form was posted from another page
    (`elsewhere=True`, whose field errors are flashed too). `done` is flashed on success. Returns the
    action's result, or None when nothing was done. Use `acted()` when the action returns nothing.
    """
    return _attempt(form, action, done=done, elsewhere=elsewhere, run=run)[1]


def acted(form: Form, action: Callable[[], object], *, done: str | None = None, elsewhere: bool = True,
          run: Callable[[Callable[[], object]], object] | None = None) -> bool:
    """`submit()` for buttons and actions whose service returns nothing: True when it was done."""
    return _attempt(form, action, done=done, elsewhere=elsewhere, run=run)[0]


def safe_next(target: str | None, default_endpoint: str = "main.home") -> str:
    """A local path to go to after an action; never another site, never a header-breaking value.

    Browsers drop tabs and line breaks from a location and read a backslash as a slash, so any
    control character, whitespace or backslash refuses the target, and the path is rebuilt from its
    parsed parts rather than passed on as sent.
    """
    if not target or len(target) > 2000 or has_control_characters(target) or "\\" in target:
        return url_for(default_endpoint)
    if any(character.isspace() for character in target):
        return url_for(default_endpoint)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return url_for(default_endpoint)
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def redirect_next(default_endpoint: str = "main.home") -> Response:
    """Redirect to ?next= when it is local, else to `default_endpoint`."""
    return redirect(safe_next(request.values.get("next"), default_endpoint))
