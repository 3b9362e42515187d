"""Custom roles ("Autorisations"): a company's named sets of rights, one level (read or write) per area
of the client menu. An administrator login given a role sees and changes only what the role grants."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.access.roles import create_role, delete_role, logins_with, roles_of, update_role
from centrex.models.role import PERMISSION_AREAS, Role
from centrex.platform.errors import DomainError
from webui.access import STAFF, allow
from webui.forms import change, errors_of
from webui.views.client import bp
from webui.views.editing import add_editor_routes


def area_labels() -> dict[str, str]:
    """The permission areas as the client menu names them, in the reader's language."""
    return {
        "users": _("Users"),
        "numbers": _("Numbers"),
        "devices": _("Phones"),
        "groups": _("Call groups"),
        "schedules": _("Schedules"),
        "queues": _("Queues"),
        "ivr": _("Voice menus"),
        "voicemail": _("Shared voicemail"),
        "audio": _("Audio files"),
        "call_rights": _("Allowed calls"),
        "scenario": _("Call scenario"),
        "calls": _("Call history"),
        "faxes": _("Faxes"),
        "network": _("Network map"),
        "presence": _("Who is on the phone"),
        "phonebook": _("Phonebook"),
        "history": _("History"),
        "api": _("API & webhooks"),
    }


def grants_from_form(form) -> dict[str, str]:
    """Ticked boxes perm.<area>.read / perm.<area>.write -> {area: level} (write includes read)."""
    grants = {}
    for area in PERMISSION_AREAS:
        if f"perm.{area}.write" in form:
            grants[area] = "write"
        elif f"perm.{area}.read" in form:
            grants[area] = "read"
    # A tampered form naming an unknown area reaches the service, which refuses it.
    for key in form:
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "perm" and parts[1] not in PERMISSION_AREAS:
            grants[parts[1]] = parts[2]
    return grants


def form_of(role: Role) -> dict:
    form = {"name": role.name, "description": role.description}
    for area, level in role.grants().items():
        form[f"perm.{area}.read"] = True
        if level == "write":
            form[f"perm.{area}.write"] = True
    return form


@bp.get("/roles")
@allow(*STAFF)
def roles():
    listed = roles_of(g.tenant.id)
    return render_template(
        "console/client/roles.html",
        roles=listed,
        holders={r.id: logins_with(r) for r in listed},
        areas=PERMISSION_AREAS,
        labels=area_labels(),
    )


def role_page(role: Role | None):
    form = form_of(role) if role else {}
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        data = {
            "name": form.get("name", "").strip(),
            "description": form.get("description", "").strip(),
            "permissions": grants_from_form(form),
        }
        try:
            with change():
                if role is None:
                    role = create_role(g.tenant, data)
                else:
                    update_role(role, data)
            flash(_("Role %(name)s saved.", name=role.name))
            return redirect(url_for("client.roles"))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    return (
        render_template(
            "console/client/role_form.html",
            role=role,
            form=form,
            errors=errors,
            areas=PERMISSION_AREAS,
            labels=area_labels(),
        ),
        status,
    )


def role_in_use(errors: dict[str, list[str]]) -> str:
    return f"{errors['_form'][0]} ({', '.join(errors.get('logins', []))})"


add_editor_routes(bp, key="role", path="/roles", id_name="role_id", model=Role, page=role_page,
                  remove=delete_role, listing="client.roles", refused=role_in_use,
                  removed=lambda role: _("Role %(name)s removed.", name=role.name))
