"""`flask mail send-queued | worker | status`: the outbox sender for cron, timers and services."""

from __future__ import annotations

import json
import signal
import threading

import click
from flask import Flask
from flask.cli import with_appcontext

from app.extensions import db
from app.notifications import outbox


def register(app: Flask) -> None:
    """Attach `flask mail` to the app."""
    app.cli.add_command(mail)


@click.group()
def mail() -> None:
    """The e-mail outbox."""


def _report(report: outbox.SendReport) -> str:
    return (f"sent {report.sent}, retrying later {report.retrying}, failed {report.failed}, "
            f"purged {report.purged}")


@mail.command("send-queued")
@with_appcontext
def send_queued() -> None:
    """Send every due e-mail once, then exit (for cron or a systemd timer)."""
    click.echo(_report(outbox.send_queued()))
    db.session.remove()


@mail.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def worker(interval: float) -> None:
    """Send due e-mails in a loop until stopped (for a long-running service)."""
    stopping = threading.Event()
    # SIGTERM (systemd stop) ends the loop between two mails, never in the middle of a send.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    click.echo(f"mail worker: a pass every {interval:g} s; stop with Ctrl-C or SIGTERM")
    try:
        while not stopping.is_set():
            try:
                report = outbox.send_queued(stop=stopping)
                if report.sent or report.retrying or report.failed:
                    click.echo(_report(report))
            except Exception as error:  # a database restart must not end the service
                click.echo(f"mail worker pass failed: {error}", err=True)
                db.session.rollback()
            db.session.remove()
            stopping.wait(interval)
    except KeyboardInterrupt:
        pass
    click.echo("mail worker stopped")


@mail.command("status")
@with_appcontext
def status() -> None:
    """Print the outbox's counts per status and the backlog as JSON."""
    backlog = outbox.outbox_backlog()
    click.echo(json.dumps({"status": outbox.status_counts(), "due": backlog.due,
                           "oldest_due_seconds": round(backlog.oldest_age_seconds, 1)}))
