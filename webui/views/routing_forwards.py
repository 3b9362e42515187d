"""Call forwarding rules of one user: always, when busy, after N seconds without answer, when the phone is
offline; each optionally limited to a schedule and switched on or off without deleting it. The user
manages their own (self-care); the company's administrator manages anyone's (client menu)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.models import ForwardRule, Schedule, User
from centrex.platform.errors import N_, DomainError, NotFound
from centrex.platform.tenancy import get_scoped
from centrex.routing.forwards import add_forward_rule, delete_forward_rule, forward_rules, set_forward_enabled
from webui import destinations
from webui.access import STAFF, USER, allow, current_principal
from webui.forms import change, errors_of, int_or_none
from webui.views import client, me
from webui.views.client import tenant_rows

DESTINATION_KINDS = ["user", "ring_group", "voicemail", "external"]


def kinds() -> list[tuple[str, str]]:
    return [
        ("always", _("Always")),
        ("busy", _("When busy")),
        ("no_answer", _("When there is no answer")),
        ("offline", _("When the phone is offline (e.g. internet failure)")),
    ]


def rule_of(user: User, rule_id: int) -> ForwardRule:
    rule = get_scoped(ForwardRule, user.tenant_id, rule_id)
    if rule.user_id != user.id:
        raise NotFound(N_("ForwardRule not found"))
    return rule


def forwarding_page(user: User, here: str, **url_args):
    form, errors, status = {"kind": "no_answer", "ring_seconds": 20}, {}, 200
    if request.method == "POST":
        form = request.form
        data = {
            "kind": form.get("kind", ""),
            "enabled": True,
            "ring_seconds": (
                int_or_none(form.get("ring_seconds")) if form.get("kind") == "no_answer" else None
            ),
            "schedule_id": int_or_none(form.get("schedule_id")),
            "dest": destinations.from_form(form, "dest"),
        }
        if data["dest"] is None:
            errors, status = {
                "dest": [_("Choose where the calls go.")],
                "_form": [_("Some fields are not valid.")],
            }, 422
        else:
            try:
                with change():
                    add_forward_rule(user, data)
                flash(_("Forwarding saved."))
                return redirect(url_for(here, **url_args))
            except DomainError as exc:
                errors, status = errors_of(exc), exc.status
    options = destinations.choices(user.tenant_id)
    options["user"] = [(i, label) for i, label in options["user"] if i != user.id]
    schedules = tenant_rows(Schedule, Schedule.name)
    return (
        render_template(
            "console/routing/forwarding.html",
            user=user,
            rules=forward_rules(user),
            form=form,
            errors=errors,
            options=options,
            kinds=kinds(),
            kind_names=dict(kinds()),
            schedule_options=[(s.id, s.name) for s in schedules],
            schedule_names={s.id: s.name for s in schedules},
            dest_kinds=DESTINATION_KINDS,
            describe=destinations.describe,
            here=here,
            url_args=url_args,
        ),
        status,
    )


def switch_rule(user: User, rule_id: int, here: str, **url_args):
    rule = rule_of(user, rule_id)
    wanted = request.form.get("enabled") == "1"
    try:
        with change():
            set_forward_enabled(rule, wanted)
        flash(_("Forwarding switched on.") if wanted else _("Forwarding switched off (kept)."))
    except DomainError as exc:
        flash(errors_of(exc)["_form"][0], "error")
    return redirect(url_for(here, **url_args))


def remove_rule(user: User, rule_id: int, here: str, **url_args):
    rule = rule_of(user, rule_id)
    with change():
        delete_forward_rule(rule)
    flash(_("Forwarding removed."))
    return redirect(url_for(here, **url_args))


def own_user() -> User:
    principal = current_principal()
    return get_scoped(User, principal.tenant_id, principal.user_id)


@me.bp.route("/forwarding", methods=["GET", "POST"])
@allow(USER)
def my_forwarding():
    return forwarding_page(own_user(), "me.my_forwarding")


@me.bp.post("/forwarding/<int:rule_id>/switch")
@allow(USER)
def my_forwarding_switch(rule_id):
    return switch_rule(own_user(), rule_id, "me.my_forwarding")


@me.bp.post("/forwarding/<int:rule_id>/delete")
@allow(USER)
def my_forwarding_delete(rule_id):
    return remove_rule(own_user(), rule_id, "me.my_forwarding")


@client.bp.route("/users/<int:user_id>/forwarding", methods=["GET", "POST"])
@allow(*STAFF)
def user_forwarding(user_id):
    return forwarding_page(get_scoped(User, g.tenant.id, user_id), "client.user_forwarding", user_id=user_id)


@client.bp.post("/users/<int:user_id>/forwarding/<int:rule_id>/switch")
@allow(*STAFF)
def user_forwarding_switch(user_id, rule_id):
    user = get_scoped(User, g.tenant.id, user_id)
    return switch_rule(user, rule_id, "client.user_forwarding", user_id=user_id)


@client.bp.post("/users/<int:user_id>/forwarding/<int:rule_id>/delete")
@allow(*STAFF)
def user_forwarding_delete(user_id, rule_id):
    user = get_scoped(User, g.tenant.id, user_id)
    return remove_rule(user, rule_id, "client.user_forwarding", user_id=user_id)
