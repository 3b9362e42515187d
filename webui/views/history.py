"""The history of changes (audit log), filterable: shared by the operator's and a client's menu."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import render_template, request
from sqlalchemy import Select, func

from centrex.models import AuditEntry, Tenant
from centrex.platform.db import db
from webui.audit_words import action_words, actor_words, in_words, object_words

PAGE_SIZE = 50


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def render_history(query: Select, template: str, tenants: list[Tenant] | None = None, **extra):
    """Filter `query` (already limited to what the reader may see) by the request's arguments."""
    args = request.args
    base = query
    filters = {
        "actor": args.get("actor", "").strip(),
        "action": args.get("action", ""),
        "object_type": args.get("object_type", ""),
        "tenant": args.get("tenant", ""),
        "since": args.get("since", ""),
        "until": args.get("until", ""),
    }
    if filters["actor"]:
        query = query.where(func.lower(AuditEntry.actor).like(f"%{filters['actor'].lower()}%"))
    if filters["action"]:
        query = query.where(AuditEntry.action == filters["action"])
    if filters["object_type"]:
        query = query.where(AuditEntry.object_type == filters["object_type"])
    if tenants is not None and filters["tenant"].isdigit():
        query = query.where(AuditEntry.tenant_id == int(filters["tenant"]))
    since, until = _day(filters["since"]), _day(filters["until"])
    if since:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min, timezone.utc))
    if until:
        query = query.where(
            AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min, timezone.utc)
        )
    page = max(1, int(args.get("page", "1")) if args.get("page", "1").isdigit() else 1)
    rows = (
        db.session.execute(
            query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
        .scalars()
        .all()
    )
    actions = (
        db.session.execute(base.with_only_columns(AuditEntry.action).distinct().order_by(AuditEntry.action))
        .scalars()
        .all()
    )
    kinds = (
        db.session.execute(
            base.with_only_columns(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
        )
        .scalars()
        .all()
    )
    names = {t.id: t.name for t in tenants} if tenants is not None else {}
    return render_template(
        f"console/{template}",
        entries=[in_words(entry) for entry in rows[:PAGE_SIZE]],
        more=len(rows) > PAGE_SIZE,
        page=page,
        filters=filters,
        actions=sorted(((a, action_words(a)) for a in actions), key=lambda c: c[1].lower()),
        kinds=sorted(((k, object_words(k)) for k in kinds), key=lambda c: c[1].lower()),
        actor_words=actor_words,
        tenants=tenants,
        tenant_names=names,
        **extra,
    )
