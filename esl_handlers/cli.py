"""`flask esl run` (the listener service) and `flask cdr …` (rebuild, spool import, what is pending)."""
from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from centrex.calls import journal as cdr
from centrex.cli.core import cli_transaction

log = logging.getLogger("centrex.esl")


def _settings(config):
    from esl_handlers.listener import Settings

    spool = config.get("CDR_SPOOL_DIR") or os.environ.get("CENTREX_CDR_SPOOL_DIR")
    profiles = config.get("ESL_REGISTRATION_PROFILES") or \
        os.environ.get("CENTREX_ESL_REGISTRATION_PROFILES", "internal").split(",")
    return Settings(spool_dir=Path(spool) if spool else None,
                    registration_profiles=[p.strip() for p in profiles if p.strip()])


def register(app) -> None:
    esl_cli = AppGroup("esl", help="The FreeSWITCH event-socket listener.")

    @esl_cli.command("run")
    def run():
        """Listen to every node of CENTREX_ESL_NODES until SIGTERM/SIGINT (then finish what was read)."""
        from centrex.platform.metrics import clean_dead_processes
        from esl_handlers.listener import Listener

        clean_dead_processes()
        listener = Listener(current_app._get_current_object(), list(current_app.config.get("ESL_NODES", [])),
                            _settings(current_app.config))

        def stop(signum, frame):
            log.info("%s received: stopping after the events already read", signal.Signals(signum).name)
            listener.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("ESL listener starting: %s", ", ".join(a.name for a in listener.addresses) or "no node")
        listener.run()

    cdr_cli = AppGroup("cdr", help="Call detail records: journal, import, rebuild.")

    @cdr_cli.command("rebuild")
    def rebuild():
        """Recompute every call record from the journal (one transaction)."""
        with cli_transaction():
            counts = cdr.rebuild()
        click.echo(f"Rebuilt: {counts.imported} calls imported, {counts.waiting} waiting for their A leg, "
                   f"{counts.unknown_tenant} of no known tenant, {counts.failed} unreadable.")

    @cdr_cli.command("import-spool")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    def import_spool_command(directory):
        """Import mod_xml_cdr's spooled records from DIRECTORY (bad files go to DIRECTORY/failed/)."""
        from esl_handlers.spool import import_spool

        if not directory.is_dir():
            raise click.ClickException(f"{directory}: no such directory")
        counts = import_spool(directory)
        click.echo(f"{counts.files} files imported ({counts.calls_with_new_legs} calls with new legs), "
                   f"{counts.failed} set aside in {directory / 'failed'}.")

    @cdr_cli.command("pending")
    @click.option("--limit", default=20, show_default=True)
    def pending(limit):
        """What the journal holds that is not (yet) a call record, and why."""
        summary = cdr.journal_summary()
        counts = ", ".join(f"{status}: {count}" for status, count in sorted(summary.items()))
        click.echo(counts or "journal empty")
        for row in cdr.journal_problems(limit):
            click.echo(f"{row.received_at:%Y-%m-%d %H:%M:%S} {row.leg_uuid} call {row.call_uuid} "
                       f"[{row.status}] {row.detail or ''}")

    app.cli.add_command(esl_cli)
    app.cli.add_command(cdr_cli)
