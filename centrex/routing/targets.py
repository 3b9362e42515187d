"""Which models stand behind the service destinations (IVR menus, queues, conference rooms, shared
voicemail boxes, fax boxes), so the loader can check they exist and name them for FreeSWITCH.

Feature modules declare their model here (or only through centrex.services.numbers.register_target_model,
in which case the key/number columns are guessed from the usual names). Nothing is imported from them."""
from __future__ import annotations

from dataclasses import dataclass

SERVICE_KINDS = ("ivr", "queue", "conference", "voicemail", "fax")

# Column names tried, in order, when a feature did not say which one holds what.
_KEY_GUESSES = {
    "conference": ("room_number", "number", "extension"),
    "voicemail": ("box", "box_number", "mailbox", "number", "extension"),
}
_NUMBER_GUESSES = ("extension", "number", "room_number", "short_number")
_LABEL_GUESSES = ("name", "label", "title")


@dataclass(frozen=True)
class TargetSpec:
    kind: str
    model: type
    key: str | None = None        # column whose value names it in FreeSWITCH (None: the id)
    number: str | None = None     # column with an internal short number people dial, if any
    label: str | None = None      # column with its name for people


_specs: dict[str, TargetSpec] = {}


def register_target(kind: str, model, *, key: str | None = None, number: str | None = None,
                    label: str | None = None) -> None:
    """Declare the model of a service destination kind, for routing and for DID destination checks."""
    from centrex.services.numbers import register_target_model

    if kind not in SERVICE_KINDS:
        raise ValueError(f"{kind} is not a service destination")
    _specs[kind] = TargetSpec(kind, model, key, number, label)
    register_target_model(kind, model)


def _guess(model, names) -> str | None:
    columns = getattr(getattr(model, "__table__", None), "columns", None)
    if columns is None:
        return None
    return next((name for name in names if name in columns), None)


def specs() -> list[TargetSpec]:
    """Every service kind with a known model: declared here, or found in the numbers registry."""
    from centrex.services.numbers import target_model

    found = []
    for kind in SERVICE_KINDS:
        spec = _specs.get(kind)
        if spec is None:
            model = target_model(kind)
            if model is None:
                continue
            spec = TargetSpec(kind, model, _guess(model, _KEY_GUESSES.get(kind, ())),
                              _guess(model, _NUMBER_GUESSES), _guess(model, _LABEL_GUESSES))
        found.append(spec)
    return found
