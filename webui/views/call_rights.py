"""Allowed call destinations ("Autoriser les appels vers") in the client menu: the company's rules (highest
call class, premium-rate numbers, blocked prefixes) and every user's call class and premium switch, saved
together in one transaction."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.models.call_rights import MAX_BLOCKED_PREFIXES
from centrex.models.user import CALL_CLASSES
from centrex.platform.errors import DomainError
from centrex.routing.call_rights import call_rights_of, save_call_rights, users_of
from webui.access import STAFF, allow
from webui.forms import change, errors_of, int_or_none
from webui.views.client import bp
from webui.views.routing_schedules import errors_on_rows

SPARE_PREFIX_ROWS = 3


def class_labels() -> list[tuple[str, str]]:
    words = {"internal": _("internal only"), "national": _("national"), "mobile": _("national and mobile"),
             "international": _("international")}
    return [(c, words[c]) for c in CALL_CLASSES]


def form_of(rights: dict) -> dict:
    form = {"max_call_class": rights["max_call_class"], "allow_premium": rights["allow_premium"],
            "default_call_class": rights["default_call_class"]}
    for row, item in enumerate(rights["prefixes"]):
        form.update({f"prefixes.{row}.prefix": item["prefix"], f"prefixes.{row}.label": item["label"]})
    for item in rights["users"]:
        form.update({f"users.{item['id']}.call_class": item["call_class"],
                     f"users.{item['id']}.allow_premium": item["allow_premium"]})
    return form


def rights_from_form(form) -> tuple[dict, dict]:
    """The service's data, and service list index -> form row (prefix row number, user id) for errors."""
    prefixes, prefix_rows, users, user_rows = [], [], [], []
    for row in range(MAX_BLOCKED_PREFIXES + SPARE_PREFIX_ROWS):
        p = f"prefixes.{row}"
        prefix, label = form.get(f"{p}.prefix", "").strip(), form.get(f"{p}.label", "").strip()
        if f"{p}.remove" in form or not (prefix or label):
            continue
        prefixes.append({"prefix": prefix, "label": label})
        prefix_rows.append(row)
    # Users named by the form (a tampered id reaches the service, which refuses it).
    named = {int_or_none(k.split(".")[1]) for k in form if k.startswith("users.") and k.count(".") == 2}
    named = sorted(named - {None})
    for user_id in named:
        users.append({"id": user_id, "call_class": form.get(f"users.{user_id}.call_class", ""),
                      "allow_premium": f"users.{user_id}.allow_premium" in form})
        user_rows.append(user_id)
    data = {"max_call_class": form.get("max_call_class", ""), "allow_premium": "allow_premium" in form,
            "prefixes": prefixes, "users": users}
    if "default_call_class" in form:
        data["default_call_class"] = form["default_call_class"]
    return data, {"prefixes": prefix_rows, "users": user_rows}


def prefix_rows_in(form) -> range:
    used = [int(k.split(".")[1]) for k in form if k.startswith("prefixes.") and k.split(".")[1].isdigit()
            and not k.endswith(".remove") and form.get(k)]
    return range(min(MAX_BLOCKED_PREFIXES, max(used + [-1]) + 1) + SPARE_PREFIX_ROWS)


@bp.route("/call-rights", methods=["GET", "POST"])
@allow(*STAFF)
def call_rights():
    form, errors, status = form_of(call_rights_of(g.tenant)), {}, 200
    if request.method == "POST":
        form = request.form
        data, rows = rights_from_form(form)
        try:
            with change():
                save_call_rights(g.tenant, data)
            flash(_("Allowed calls saved."))
            return redirect(url_for("client.call_rights"))
        except DomainError as exc:
            errors, status = errors_on_rows(errors_of(exc), rows), exc.status
    return (
        render_template(
            "console/client/call_rights.html",
            form=form,
            errors=errors,
            users=users_of(g.tenant.id),
            classes=class_labels(),
            class_words=dict(class_labels()),
            rank={c: i for i, c in enumerate(CALL_CLASSES)},
            prefix_rows=prefix_rows_in(form),
            max_prefixes=MAX_BLOCKED_PREFIXES,
        ),
        status,
    )
