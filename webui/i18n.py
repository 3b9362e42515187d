"""French and English: the locale of each request (French unless the reader chose English), and the
core's messages (services, schemas, marshmallow) shown in the reader's language by their key."""

from __future__ import annotations

from pathlib import Path

from flask import request
from flask_babel import Babel, gettext

from centrex.platform.errors import Message

LANGUAGES = {"fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "fr"
LANG_COOKIE = "console_lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def select_locale() -> str:
    lang = request.cookies.get(LANG_COOKIE) if request else None
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def init_babel(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config.get("CONSOLE_TIMEZONE", "Europe/Zurich"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_locale)


def destination_labels() -> dict[str, str]:
    """What a number may point to, in the reader's language (keys: Number.dest_type)."""
    return {
        "user": gettext("User"),
        "ring_group": gettext("Call group"),
        "ivr": gettext("Voice menu"),
        "queue": gettext("Queue"),
        "voicemail": gettext("Voicemail"),
        "conference": gettext("Conference"),
        "fax": gettext("Fax"),
        "schedule": gettext("Schedule"),
        "external": gettext("An outside number"),
        "hangup": gettext("Hang up"),
        "access": gettext("Access for the employees' mobiles"),
        "back": gettext("Back to the previous menu"),
        "top": gettext("Back to the first menu"),
    }


def translate(text: str) -> str:
    """A message of the core (a key, or a Message with its parameters) in the reader's language; a text
    the catalogue does not know (a name, an address) is shown as it is."""
    if not text:
        return text
    if isinstance(text, Message):
        params = {name: translate(value) if isinstance(value, Message) else value
                  for name, value in text.params.items()}
        return gettext(text.key, **params) if params else gettext(text.key)
    return gettext(str(text))
