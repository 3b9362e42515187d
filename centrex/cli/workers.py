"""CLI of the email outbox worker and the fax archive: `flask outbox run|list`, `flask fax purge|resend`."""
from __future__ import annotations

import importlib
import signal
import threading

import click
from flask.cli import AppGroup
from sqlalchemy import select

from centrex.cli.core import cli_transaction
from centrex.platform.db import db

# Modules whose periodic work and email hooks the worker runs (they register with centrex.platform.outbox on import).
WORKER_MODULES = ["centrex.fax.receive", "centrex.fax.send",
                  "centrex.webhooks.calls", "centrex.webhooks.delivery"]


def load_worker_modules() -> None:
    for name in WORKER_MODULES:
        importlib.import_module(name)


def register(app) -> None:
    outbox_cli = AppGroup("outbox", help="The email outbox (fax, voicemail, notices).")

    @outbox_cli.command("run")
    @click.option("--interval", default=2.0, show_default=True, help="Seconds between passes.")
    @click.option("--once", is_flag=True, help="One pass, then exit.")
    def outbox_run(interval, once):
        """Send queued emails and run the fax work (conversion, dialling) until stopped."""
        from centrex.platform import outbox
        from centrex.platform.audit import Actor, acting_as
        from centrex.platform.metrics import clean_dead_processes

        clean_dead_processes()

        load_worker_modules()
        with acting_as(Actor("outbox-worker")):
            if once:
                outbox.release_dead_claims()
                outbox.run_once()
                return
            stop = threading.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            outbox.run_worker(stop, interval)

    @outbox_cli.command("list")
    @click.option("--state", type=click.Choice(["waiting", "sending", "sent", "failed"]))
    @click.option("--limit", default=20, show_default=True)
    def outbox_list(state, limit):
        """The latest emails with their state, tries and the server's last answer."""
        from centrex.models import OutboxMessage

        query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if state:
            query = query.where(OutboxMessage.state == state)
        for m in db.session.execute(query).scalars():
            click.echo(f"{m.id:>6} {m.state:<8} {m.attempts}/{m.max_attempts} {m.purpose:<16} "
                       f"{', '.join(m.recipients)[:40]:<40} {m.last_answer or ''}")

    fax_cli = AppGroup("fax", help="Fax boxes and the fax archive.")

    @fax_cli.command("purge")
    def fax_purge():
        """Delete the faxes (files and rows) kept longer than their box's retention."""
        from centrex.fax.boxes import purge_expired

        with cli_transaction():
            count = purge_expired()
        click.echo(f"{count} fax(es) purged.")

    @fax_cli.command("resend")
    @click.argument("domain")
    @click.argument("fax_id", type=int)
    def fax_resend(domain, fax_id):
        """Email a received fax again, or dial a sent one again."""
        from centrex.fax.boxes import get_fax
        from centrex.fax.resend import resend
        from centrex.platform.tenancy import require_tenant

        load_worker_modules()
        with cli_transaction():
            fax = resend(get_fax(require_tenant(domain).id, fax_id))
        click.echo(f"Fax {fax_id}: {fax.state}.")

    app.cli.add_command(outbox_cli)
    app.cli.add_command(fax_cli)
