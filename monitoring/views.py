"""/metrics, /healthz, /readyz and `flask health`."""
from __future__ import annotations

import logging
import time

import click
from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from centrex.calls import journal
from centrex.freeswitch.access import refusal
from centrex.models import OutboxMessage
from centrex.platform import health, heartbeat, metrics
from centrex.platform.db import db

bp = Blueprint("monitoring", __name__)
log = logging.getLogger("centrex.monitoring")
OUTBOX_STATES = ("waiting", "sending", "sent", "failed")
PENDING_WINDOW = 100_000  # pending CDRs are counted among this many latest journaled legs


class DatabaseCollector:
    """Gauges read at scrape time: outbox messages by state, calls pending import, worker heartbeats."""

    def __init__(self, instance: str):
        self.instance = instance

    def collect(self):
        ages = GaugeMetricFamily("centrex_worker_heartbeat_age_seconds",
                                 "Seconds since a worker's last heartbeat (absent: it never ran here).",
                                 labels=["worker"])
        for worker, age in heartbeat.ages(self.instance).items():
            if age is not None:
                ages.add_metric([worker], age)
        yield ages
        try:
            outbox = dict(db.session.execute(
                select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
            pending = len(journal.pending_calls(
                limit=10_000, after_id=max(0, journal.last_journal_id() - PENDING_WINDOW)))
        except Exception as exc:  # the database is down: the scrape still shows the processes' metrics
            db.session.rollback()
            log.warning("metrics: database gauges unavailable (%s)", type(exc).__name__)
            return
        by_state = GaugeMetricFamily("centrex_outbox_messages", "Outbox e-mails by state.", labels=["state"])
        for state in OUTBOX_STATES:
            by_state.add_metric([state], outbox.get(state, 0))
        yield by_state
        yield GaugeMetricFamily("centrex_cdrs_pending",
                                "Calls whose journaled legs are not yet imported (among the latest legs).",
                                value=pending)


@bp.get("/metrics")
def scrape():
    refused = refusal("metrics")
    if refused is not None:
        return refused
    metrics.clean_dead_processes(keep_counts=True)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(metrics.METRICS_DIR))
    registry.register(DatabaseCollector(current_app.instance_path))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


@bp.get("/healthz")
def alive():
    return jsonify(status="alive")


@bp.get("/readyz")
def ready():
    """200 when this web process can answer FreeSWITCH; 503 and the failing check otherwise. Stale
    workers are listed but do not take the web out of service (`flask health` alerts on them)."""
    started = time.perf_counter()
    checks = health.readiness()
    stale = heartbeat.stale(current_app.instance_path)
    ok = health.ready(checks)
    body = {"status": "ready" if ok else "not ready", "checks": checks,
            "stale_workers": {w: (round(a) if a is not None else "never") for w, a in stale.items()},
            "ms": round((time.perf_counter() - started) * 1000, 1)}
    return jsonify(body), 200 if ok else 503


def register_cli(app) -> None:
    @app.cli.command("health")
    @click.option("--stale-after", default=heartbeat.STALE_AFTER, show_default=True,
                  help="Seconds without a heartbeat after which a worker counts as stuck.")
    def health_command(stale_after):
        """Readiness checks and worker heartbeats; exits 1 when a check fails or a worker is stale."""
        checks = health.readiness()
        for name, state in checks.items():
            click.echo(f"{name}: {state}")
        ages = heartbeat.ages(current_app.instance_path)
        stale = False
        for worker, age in ages.items():
            late = age is None or age > stale_after
            stale = stale or late
            shown = "never" if age is None else f"{age:.0f} s ago"
            click.echo(f"worker {worker}: last heartbeat {shown}{' (STALE)' if late else ''}")
        raise SystemExit(0 if health.ready(checks) and not stale else 1)
