"""Jinja2 environments for phone files: XML autoescaped; key=value files refuse any value with a control
character or a line break (it could inject a key). Both refuse control characters (invalid in XML too)."""
from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TEMPLATES = Path(__file__).resolve().parent / "templates"


class UnsafeValue(ValueError):
    """A value that must not reach a phone's file (the message names no secret)."""


def _guard(value):
    if value is None:
        return ""
    if isinstance(value, str) and _CONTROL.search(value):
        raise UnsafeValue("a value with a control character or line break was refused")
    return value


def _environment(autoescape: bool) -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=autoescape, finalize=_guard,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


XML = _environment(autoescape=True)
KEY_VALUE = _environment(autoescape=False)


def render_xml(name: str, **context) -> str:
    return XML.get_template(name).render(**context)


def render_key_value(name: str, **context) -> str:
    return KEY_VALUE.get_template(name).render(**context)
