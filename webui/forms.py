"""The request boundary of a change, and form values as the core services expect them."""

from __future__ import annotations

from contextlib import contextmanager

from flask import request
from werkzeug.datastructures import MultiDict

from centrex.platform.errors import DomainError
from centrex.platform.unit_of_work import unit_of_work
from webui.access import current_principal
from webui.i18n import translate


@contextmanager
def change():
    """One request, one transaction: services run as the logged-in person (audit: who and from where),
    everything is committed at the end, or nothing is when anything fails."""
    with unit_of_work(current_principal().actor()):
        yield


def values(form: MultiDict, text: tuple = (), optional: tuple = (), checkboxes: tuple = ()) -> dict:
    """Pick fields from a submitted form: `text` as typed (stripped), `optional` as None when empty,
    `checkboxes` as booleans (an unticked box is not sent at all)."""
    out = {name: form.get(name, "").strip() for name in text}
    out.update({name: (form.get(name, "").strip() or None) for name in optional})
    out.update({name: name in form for name in checkboxes})
    return out


def twin_values(found: dict) -> dict:
    """A user form's values without an empty twin delay (the saved one, or 0, stays)."""
    return {k: v for k, v in found.items() if not (k == "twin_delay" and v is None)}


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def ids(form: MultiDict, name: str) -> set[int]:
    return {i for i in (int_or_none(v) for v in form.getlist(name)) if i is not None}


def errors_of(exc: DomainError) -> dict[str, list[str]]:
    """Field -> messages in the reader's language; "_form" holds the message for the whole form."""
    out: dict[str, list[str]] = {}
    for field, messages in _flatten(exc.fields):
        out.setdefault(field, []).extend(translate(m) for m in messages)
    out["_form"] = [translate(exc.text)]
    return out


def _flatten(fields: dict, prefix: str = ""):
    for key, value in fields.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        elif isinstance(value, (list, tuple)):
            yield name, [v if isinstance(v, str) else str(v) for v in value]
        else:
            yield name, [value if isinstance(value, str) else str(value)]


def wants_post() -> bool:
    return request.method == "POST"
