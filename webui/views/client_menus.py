"""Voice menus ("Menu vocal") in the client menu: a greeting, then each key (0-9, *, #) sends the caller
somewhere, possibly to another menu (e.g. "choose your language", then one menu per language). What to
do when nobody presses a key or a wrong key is pressed is set per menu."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.features.ivr import create_menu, delete_entry, delete_menu, entries_of, set_entry, update_menu
from centrex.models import AudioFile, IvrEntry, IvrMenu, Number
from centrex.platform.db import db
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import scoped
from webui import destinations
from webui.access import STAFF, allow
from webui.forms import change, errors_of, int_or_none
from webui.views.client import bp, tenant_rows
from webui.views.editing import add_editor_routes

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#")
MENU_FIELDS = ("name", "extension", "greeting_id", "repeat_greeting_id", "no_input_seconds",
               "overall_timeout_seconds", "invalid_action", "invalid_sound_id", "max_failures")
WIDGETS = (("timeout", "timeout_"), ("invalid", "invalid_"))  # form widget, column prefix


def slot(digits: str) -> str:
    """The form name of a key: '*' and '#' are spelled out."""
    return digits.replace("*", "star").replace("#", "hash")


def invalid_actions() -> list[tuple[str, str]]:
    return [
        ("replay", _("Play the greeting again")),
        ("message", _("Play a message, then the greeting again")),
        ("destination", _("Send the call to a destination")),
    ]


def menu_from_form(form) -> dict:
    data = {
        "name": form.get("name", "").strip(),
        "extension": form.get("extension", "").strip() or None,
        "greeting_id": int_or_none(form.get("greeting_id")),
        "repeat_greeting_id": int_or_none(form.get("repeat_greeting_id")),
        "no_input_seconds": form.get("no_input_seconds", "").strip() or "60",
        "overall_timeout_seconds": form.get("overall_timeout_seconds", "").strip() or "180",
        "invalid_action": form.get("invalid_action", "replay"),
        "invalid_sound_id": int_or_none(form.get("invalid_sound_id")),
        "max_failures": form.get("max_failures", "").strip() or "3",
    }
    for widget, columns in WIDGETS:
        data.update(destinations.columns_from_form(form, widget, columns))
    return data


def form_of(menu: IvrMenu, entries: list[IvrEntry]) -> dict:
    form = {key: getattr(menu, key) for key in MENU_FIELDS}
    for widget, columns in WIDGETS:
        form.update(destinations.columns_to_form(
            widget, *(getattr(menu, f"{columns}dest_{part}") for part in ("type", "id", "value"))))
    for entry in entries:
        name = f"keys.{slot(entry.digits)}"
        form[f"{name}.label"] = entry.label
        form.update(destinations.columns_to_form(name, entry.dest_type, entry.dest_id, entry.dest_value))
    return form


def save_keys(menu: IvrMenu, form, digits_list: list[str]) -> None:
    """Each key as the form says: a destination (set), or none (the key's choice is removed)."""
    current = {entry.digits: entry for entry in entries_of(menu)}
    for digits in digits_list:
        name = f"keys.{slot(digits)}"
        dest = destinations.columns_from_form(form, name)
        try:
            if dest["dest_type"]:
                label = form.get(f"{name}.label", "").strip() or None
                set_entry(g.tenant, menu, {"digits": digits, "label": label, **dest})
            elif digits in current:
                delete_entry(g.tenant, current[digits])
        except DomainError as exc:
            fields = {(f"{name}.label" if key == "label" else name): messages
                      for key, messages in exc.fields.items()}
            raise type(exc)(exc.text, fields=fields or {name: [exc.text]}) from exc


def menu_errors(exc: DomainError) -> dict:
    errors = errors_of(exc)
    for widget, columns in WIDGETS:
        errors = destinations.errors_to_widget(errors, columns, widget)
    return errors


def tree_of(menus: list[IvrMenu]) -> list[dict]:
    """Menus as trees: a root (a menu no key of another menu leads to), its keys, its sub-menus below."""
    entries = {menu.id: [] for menu in menus}
    for entry in tenant_rows(IvrEntry, IvrEntry.digits):
        entries.setdefault(entry.menu_id, []).append(entry)
    by_id = {menu.id: menu for menu in menus}
    children = {menu.id: [e.dest_id for e in entries[menu.id] if e.dest_type == "ivr" and e.dest_id in by_id
                          and e.dest_id != menu.id] for menu in menus}
    pointed = {child for kids in children.values() for child in kids}
    seen: set[int] = set()

    def node(menu_id: int) -> dict:
        seen.add(menu_id)
        kids = [node(kid) for kid in dict.fromkeys(children[menu_id]) if kid not in seen]
        return {"menu": by_id[menu_id], "entries": sorted(entries[menu_id], key=lambda e: key_order(e.digits)),
                "children": kids}

    trees = [node(menu.id) for menu in menus if menu.id not in pointed]
    trees += [node(menu.id) for menu in menus if menu.id not in seen]  # menus that only lead to each other
    return trees


def key_order(digits: str) -> tuple:
    return (KEYS.index(digits) if digits in KEYS else len(KEYS), digits)


@bp.get("/menus")
@allow(*STAFF)
def menus():
    numbers: dict[int, list[str]] = {}
    for number in db.session.execute(scoped(Number, g.tenant.id).where(Number.dest_type == "ivr")
                                     .order_by(Number.e164)).scalars():
        numbers.setdefault(number.dest_id, []).append(number.e164)
    return render_template(
        "console/routing/menus.html",
        trees=tree_of(tenant_rows(IvrMenu, IvrMenu.id)),
        numbers=numbers,
        prompts={a.id: a.name for a in tenant_rows(AudioFile, AudioFile.name)},
        options=destinations.service_choices(g.tenant.id),
        describe=destinations.describe,
    )


def menu_page(menu: IvrMenu | None):
    entries = entries_of(menu) if menu else []
    digits_list = list(KEYS) + sorted({e.digits for e in entries} - set(KEYS))
    form = form_of(menu, entries) if menu else {"no_input_seconds": 60, "overall_timeout_seconds": 180,
                                                "invalid_action": "replay", "max_failures": 3}
    errors, status, existing = {}, 200, menu
    if request.method == "POST":
        form = request.form
        try:
            with change():
                data = menu_from_form(form)
                if menu is None:
                    menu = create_menu(g.tenant, data)
                else:
                    update_menu(g.tenant, menu, data)
                save_keys(menu, form, digits_list)
            flash(_("Voice menu %(name)s saved.", name=menu.name))
            return redirect(url_for("client.menus"))
        except DomainError as exc:
            errors, status, menu = menu_errors(exc), exc.status, existing  # as in the database
    options = destinations.service_choices(g.tenant.id)
    key_options = dict(options, ivr=[(i, n) for i, n in options.get("ivr", []) if menu is None or i != menu.id])
    prompts = [(a.id, a.name) for a in db.session.execute(
        scoped(AudioFile, g.tenant.id).where(AudioFile.kind == "prompt").order_by(AudioFile.name)).scalars()]
    return (
        render_template(
            "console/routing/menu_form.html",
            menu=menu,
            form=form,
            errors=errors,
            prompts=prompts,
            invalid_actions=invalid_actions(),
            options=options,
            key_options=key_options,
            final_kinds=destinations.SERVICE_KINDS,
            key_kinds=destinations.MENU_KEY_KINDS,
            keys=[(digits, slot(digits)) for digits in digits_list],
        ),
        status,
    )


add_editor_routes(bp, key="menu", path="/menus", id_name="menu_id", model=IvrMenu, page=menu_page,
                  remove=lambda menu: delete_menu(g.tenant, menu), listing="client.menus",
                  removed=lambda menu: _("Voice menu %(name)s removed.", name=menu.name))
