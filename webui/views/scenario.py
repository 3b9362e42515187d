"""The call scenario ("Scénario d'appels"): a drawn picture of where a number's calls go, and the
routing engine's dry run, "what happens if someone calls at …" (also as JSON)."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import g, jsonify, render_template, request
from flask_babel import format_date, get_locale, gettext as _

from centrex.models import Number
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import get_scoped
from centrex.routing.engine.schedule import local_time
from centrex.routing.explain import explain_call
from webui.access import STAFF, allow
from webui.forms import errors_of, int_or_none
from webui.i18n import destination_labels
from webui.scenario_tree import BOX_H, BOX_W, numbers_of, scenario_of
from webui.views.client import bp

OUTSIDE_CALLER = "+41791234567"
# Steps of the dry run that tell how the switch does its work, not where the call goes: not on the page
# (the JSON keeps them).
INTERNAL_NOTES = {"tenant_stamp", "keep_limits", "enter_tenant"}
ISO_MOMENT = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::\d{2})?(?:[+-]\d{2}:\d{2})?)?")


def readable_moment(match: re.Match) -> str:
    """'2026-12-07 10:00' as people read it: 'lundi 7 décembre 2026 à 10:00'."""
    day = format_date(date.fromisoformat(match.group(1)), format="full")
    return _("%(day)s at %(time)s", day=day, time=match.group(2)) if match.group(2) else day


def for_people(steps: list[dict], lang: str) -> list[dict]:
    """The dry run's steps in the reader's language, without the switch's internals, dates in words."""
    out = []
    for step in steps:
        if step.get("note") in INTERNAL_NOTES:
            continue
        text = step["text"][lang] if isinstance(step["text"], dict) else step["text"]
        branches = [{**branch, "when": branch["when"][lang], "steps": for_people(branch["steps"], lang)}
                    for branch in step.get("branches", [])]
        out.append({**step, "text": ISO_MOMENT.sub(readable_moment, text), "branches": branches})
    return out


def parse_moment(day: str, time: str) -> datetime | None:
    try:
        return datetime.fromisoformat(f"{day}T{time or '00:00'}")
    except ValueError:
        return None


@bp.get("/scenario")
@allow(*STAFF)
def scenario():
    numbers = numbers_of(g.tenant.id)
    wanted = int_or_none(request.args.get("number"))
    number = (
        get_scoped(Number, g.tenant.id, wanted) if wanted is not None else (numbers[0] if numbers else None)
    )
    picture = None
    if number is not None:
        nodes, edges, width, height = scenario_of(number, destination_labels())
        picture = {
            "nodes": nodes,
            "edges": edges,
            "width": width,
            "height": height,
            "box_w": BOX_W,
            "box_h": BOX_H,
        }
    now = local_time(datetime.now().astimezone(), g.tenant.timezone)
    form = {
        "caller": request.args.get("caller", OUTSIDE_CALLER),
        "day": request.args.get("day", now.date().isoformat()),
        "time": request.args.get("time", now.strftime("%H:%M")),
    }
    result, errors, status = None, {}, 200
    if number is not None and "day" in request.args:
        moment = parse_moment(form["day"], form["time"])
        if moment is None:
            errors, status = {"day": [_("A date and a time are needed.")]}, 422
        else:
            try:
                result = explain_call(g.tenant.id, form["caller"], number.e164, moment)
                result = {**result, "at": readable_moment(ISO_MOMENT.match(result["at"])),
                          "steps": for_people(result["steps"], str(get_locale() or "fr"))}
            except DomainError as exc:
                errors, status = errors_of(exc), exc.status
    return (
        render_template(
            "console/routing/scenario.html",
            numbers=numbers,
            number=number,
            picture=picture,
            form=form,
            result=result,
            errors=errors,
        ),
        status,
    )


@bp.get("/scenario/explain.json")
@allow(*STAFF)
def explain_json():
    """The dry run as JSON: ?destination=<number or extension>&caller=<…>&at=<YYYY-MM-DDTHH:MM, local>."""
    args = request.args
    try:
        moment = datetime.fromisoformat(args.get("at", "")) if args.get("at") else None
    except ValueError:
        moment = None
    if moment is None:
        return (
            jsonify(
                error="at: a local date and time, e.g. 2026-12-01T09:00",
                fields={"at": ["A date and time YYYY-MM-DDTHH:MM."]},
            ),
            422,
        )
    try:
        return jsonify(explain_call(g.tenant.id, args.get("caller", ""), args.get("destination", ""), moment))
    except DomainError as exc:
        return jsonify(error=exc.message, fields=exc.fields), exc.status
