"""French and English: the locale of each request (French unless the reader chose English), and the
core's English messages (services, schemas, marshmallow) shown in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

from flask import request
from flask_babel import Babel, get_locale, gettext

LANGUAGES = {"fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "fr"
LANG_COOKIE = "console_lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def N_(message: str) -> str:  # noqa: N802 - marks a string for extraction, translated later
    return message


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
        "back": gettext("Back to the previous menu"),
        "top": gettext("Back to the first menu"),
    }


# Messages of the core and of marshmallow, word for word.
CORE_MESSAGES = (
    N_("Some fields are not valid."),
    N_("Expected an object of fields."),
    N_("Already used."),
    N_("Not a valid email address."),
    N_("Unknown role."),
    N_("A valid email address is needed."),
    N_("An admin or user account belongs to a company."),
    N_("The user belongs to another company."),
    N_("This email address already has an account."),
    N_("This MAC address is already registered."),
    N_("Already registered."),
    N_("This user does not exist in this company."),
    N_("Unknown."),
    N_("Already in the pool."),
    N_("Only a company's number can be its main number."),
    N_("Needs a company."),
    N_("This number does not belong to this company."),
    N_("An external destination needs a number."),
    N_("Required."),
    N_("Not available."),
    N_("The destination does not exist in this company."),
    N_("A new voicemail PIN is needed when the extension changes."),
    N_("Required when the extension changes."),
    N_("Control characters and line breaks are not allowed."),
    N_("« ${ » is not allowed: FreeSWITCH would read it as a variable."),
    N_("A MAC address has 12 hexadecimal digits."),
    N_("Not a valid SIP domain."),
    N_("Unknown time zone."),
    N_("An extension is 2 to 6 digits and does not start with 0."),
    N_("This PIN is too easy to guess (one digit repeated, or digits in a row)."),
    N_("A PIN may not repeat the box's own number."),
    N_("Use the international format, e.g. +41791234567."),
    N_("Use the international format, e.g. +41215550100."),
    N_("Digits only."),
    N_("String does not match expected pattern."),
    N_("Missing data for required field."),
    N_("Not a valid integer."),
    N_("Not a valid boolean."),
    N_("Field may not be null."),
    N_("Not a valid string."),
    N_("Unknown field."),
    N_("Invalid value."),
    N_("Invalid input type."),
    N_("The current password is not correct."),
    N_("Not correct."),
    N_("The new password is too short."),
    N_("The two passwords differ."),
    N_("This user already has a console login."),
    N_("Already has a login."),
    N_("A colour is written #RRGGBB."),
    N_("The logo is too large."),
    N_("At most 256 KB."),
    N_("The logo must be a PNG or JPEG image."),
    N_("PNG or JPEG only."),
    N_("Your role does not give access to this page."),
    N_("No such client."),
    N_("The two PINs differ."),
    N_("No connection to FreeSWITCH is configured."),
    N_("This phone has no user: it is not registered, so it cannot be told to reboot."),
    N_("A firmware URL is an http:// or https:// address."),
    N_("You cannot deactivate your own login."),
    N_("Choose to activate or deactivate."),
    N_("Digits, * and # only (an optional leading +)."),
    # queues and voice menus
    N_("A short number is 2 to 6 digits and does not start with 0."),
    N_("Already used in this company."),
    N_("Emergency number."),
    N_("A user appears twice."),
    N_("Duplicates."),
    N_("These users are not in this company."),
    N_("A queue cannot overflow into itself."),
    N_("Same queue."),
    N_("Set a maximum wait for the destination after it to be used."),
    N_("Required with a destination after the wait."),
    N_("Still the destination of a number."),
    N_("Still the destination of a number or another menu."),
    N_("Still the destination of a menu or a queue."),
    N_("The overall timeout cannot be shorter than the delay before repeating."),
    N_("Shorter than no_input_seconds."),
    N_("Choose the message played after a wrong key."),
    N_("Choose where a wrong key sends the call."),
    N_("Choose one of this company's announcements."),
    N_("A choice cannot lead to its own menu; use 'top' or leave the key unused."),
    N_("Same menu."),
    N_("1 to 4 keys among 0-9, * and #."),
    # audio files and voicemail
    N_("Choose a WAV or MP3 file."),
    N_("Choose where the file goes."),
    N_("The recording is not available."),
    N_("Not found."),
    N_("Still in use."),
    N_("Required, at most 120 characters."),
    N_("Hold music goes into one of this company's music classes."),
    N_("Required for hold music, only for hold music."),
    N_("Choose one of this company's greetings."),
    N_("A shared box needs a PIN."),
    N_("A box number is 2 to 6 digits and does not start with 0."),
    N_("A new PIN is needed when the box number changes."),
    N_("Messages can only leave the box when the e-mail carries the recording."),
    N_("Needs email_mode 'attach'."),
    N_("Give the address that receives the e-mails."),
    # custom roles (centrex/services/roles.py, webui/access.py)
    N_("Your role lets you see this page, not change it."),
    N_("A role of this name already exists."),
    N_("Only an administrator login can have a custom role."),
    N_("Only for administrators."),
    N_("This role does not exist in this company."),
    N_("You cannot limit your own login."),
    N_("Not your own login."),
    N_("Your role cannot give these rights."),
    # Allowed call destinations (centrex.services.call_rights)
    N_("A prefix is + followed by 2 to 15 digits, e.g. +882."),
    N_("Listed twice."),
    N_("Unknown user."),
    N_("At most 100 blocked prefixes."),
)

# Messages with values in them: pattern -> message with %(name)s placeholders.
PATTERNS = (
    (re.compile(r"^At least (?P<n>\d+) characters\.$"), N_("At least %(n)s characters.")),
    (
        re.compile(r"^The password needs at least (?P<n>\d+) characters\.$"),
        N_("The password needs at least %(n)s characters."),
    ),
    (re.compile(r"^(?P<number>\+\d+) is already in the pool\.$"), N_("%(number)s is already in the pool.")),
    (
        re.compile(r"^Destinations of type (?P<kind>\w+) are not available yet\.$"),
        N_("Destinations of type %(kind)s are not available yet."),
    ),
    (
        re.compile(r"^The domain (?P<domain>\S+) is already used\.$"),
        N_("The domain %(domain)s is already used."),
    ),
    (
        re.compile(r"^Extension (?P<ext>\d+) is already used in this company\.$"),
        N_("Extension %(ext)s is already used in this company."),
    ),
    (
        re.compile(r"^The licence allows (?P<n>\d+) users; all seats are taken\.$"),
        N_("The licence allows %(n)s users; all seats are taken."),
    ),
    (re.compile(r"^Shorter than minimum length (?P<n>\d+)\.$"), N_("Shorter than minimum length %(n)s.")),
    (re.compile(r"^A PIN is (?P<n>\d+) to 10 digits\.$"), N_("A PIN is %(n)s to 10 digits.")),
    (re.compile(r"^Longer than maximum length (?P<n>\d+)\.$"), N_("Longer than maximum length %(n)s.")),
    (
        re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
        N_("Length must be between %(min)s and %(max)s."),
    ),
    (
        re.compile(
            r"^Must be greater than or equal to (?P<min>-?\d+) and less than or equal to (?P<max>-?\d+)\.$"
        ),
        N_("Must be between %(min)s and %(max)s."),
    ),
    (re.compile(r"^Must be greater than or equal to (?P<min>-?\d+)\.$"), N_("Must be at least %(min)s.")),
    (re.compile(r"^Must be less than or equal to (?P<max>-?\d+)\.$"), N_("Must be at most %(max)s.")),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), N_("Must be one of: %(choices)s.")),
    (re.compile(r"^\w+ \d+ not found$"), N_("Not found.")),
    (re.compile(r"^(?P<thing>\S+) is already used\.$"), N_("%(thing)s is already used.")),
    (re.compile(r"^A queue named (?P<name>.+) exists already\.$"), N_("A queue named %(name)s exists already.")),
    (re.compile(r"^A menu named (?P<name>.+) exists already\.$"), N_("A menu named %(name)s exists already.")),
    (re.compile(r"^A music class named (?P<name>.+) exists already\.$"),
     N_("A music class named %(name)s exists already.")),
    (
        re.compile(r"^Numbers starting with (?P<prefix>\+[0-9]+) are blocked for the whole company\.$"),
        N_("Numbers starting with %(prefix)s are blocked for the whole company."),
    ),
    (
        re.compile(r"^The role is given to (?P<n>\d+) login\(s\): give them another role first\.$"),
        N_("The role is given to %(n)s login(s): give them another role first."),
    ),
)
_KNOWN = frozenset(CORE_MESSAGES)


def translate_message(message: str) -> str:
    """A core message in the reader's language (unchanged when it is not one we know)."""
    if message in _KNOWN:
        return gettext(message)
    for pattern, template in PATTERNS:
        match = pattern.match(message)
        if match:
            return gettext(template, **match.groupdict())
    if " / " in message:  # bilingual core messages: "Français. / English." (or the other way round)
        first, _sep, second = message.partition(" / ")
        french_first = len(_FRENCH_MARKS.findall(first)) > len(_FRENCH_MARKS.findall(second))
        french, english = (first, second) if french_first else (second, first)
        return french if str(get_locale()) == "fr" else english
    return message


# How to tell the French half of a bilingual core message: accents, guillemets, common short words.
_FRENCH_MARKS = re.compile(r"[àâçéèêëîïôûùœ«»]|\b(?:le|la|les|un|une|des|du|est|pas|ce|cette|ne|de|à)\b",
                           re.IGNORECASE)
