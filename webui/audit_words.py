"""The history of changes (audit rows) in words a person reads: what was done, to what (by its name), and what
changed, each field by its label and each value as the console shows it (names instead of ids)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale, gettext as _
from sqlalchemy import select

from centrex.models import AuditEntry
from centrex.platform.db import Base, db
from centrex.platform.errors import N_
from webui.destinations import describe as describe_destination
from webui.i18n import destination_labels

# What was done (AuditEntry.action), as a noun: no agreement to make with what it was done to.
ACTIONS = {
    "create": N_("Creation"), "update": N_("Modification"), "delete": N_("Deletion"),
    "assign": N_("Number given to a client"), "assign_role": N_("Console role changed"),
    "login": N_("Log-in to the console"), "activate": N_("Console access enabled"),
    "deactivate": N_("Console access disabled"), "change_password": N_("Password changed"),
    "reset_password": N_("Password reset"),
    "set_password_by_link": N_("Password chosen from an e-mailed link"),
    "send_password_link": N_("Link to choose a new password sent"),
    "accept_invitation": N_("Invitation accepted, password chosen"), "set_main": N_("Main number changed"),
    "reveal_secret": N_("SIP password shown"),
    "reveal_admin_password": N_("Phone admin password shown"), "regenerate_secret": N_("New SIP password"),
    "set_keys": N_("Phone keys set"), "set_default_keys": N_("Default phone keys set"),
    "set_agents": N_("Queue agents set"), "set": N_("Announcement chosen"),
    "revoke": N_("Revocation"), "purge": N_("Deleted at the end of its retention"), "upload": N_("File uploaded"),
    "submit": N_("Fax sent"), "resend": N_("Fax sent again"), "redeliver": N_("Delivered again"),
    "forward": N_("Forwarded by e-mail"),
    "reprovision": N_("Phone set up again"), "check_sync": N_("Phone told to reload its settings"),
    "dial_in": N_("Participant called in"), "click_to_call": N_("Call started from the console"),
    "rotate_secret": N_("New signing secret"), "mute": N_("Participant muted"),
    "unmute": N_("Participant unmuted"), "kick": N_("Participant removed"),
    "close_now": N_("Closed now: every call to the default destination"),
    "reopen": N_("Opened again: its hours apply"),
    "import_holidays": N_("Public holidays imported"),
}

# What it was done to (AuditEntry.object_type = the table's name).
OBJECTS = {
    "tenant": N_("Client"), "sip_user": N_("User"), "did_number": N_("Number"), "device": N_("Phone"),
    "phone_settings": N_("Phone settings of the company"),
    "device_key": N_("Phone key"), "ring_group": N_("Call group"), "schedule": N_("Schedule"),
    "forward_rule": N_("Call forwarding"), "account": N_("Console login"), "console_role": N_("Console role"),
    "call_policy": N_("Allowed calls"), "blocked_prefix": N_("Blocked prefix"),
    "conference_room": N_("Conference room"), "fax_box": N_("Fax box"), "fax": N_("Fax"),
    "ivr_menu": N_("Voice menu"), "ivr_entry": N_("Voice menu key"), "call_queue": N_("Queue"),
    "moh_class": N_("Music on hold"), "audio_file": N_("Audio file"),
    "number_announcement": N_("Announcement of a number"), "branding": N_("White label"),
    "phonebook_entry": N_("Phonebook contact"), "voicemail_box": N_("Shared voicemail"),
    "user_voicemail": N_("Voicemail"), "voicemail_message": N_("Voicemail message"), "api_token": N_("API key"),
    "webhook_subscription": N_("Webhook"), "webhook_delivery": N_("Webhook delivery"),
    "licensed_feature": N_("Licence"), "conversation": N_("Conversation"),
    "switch_node": N_("FreeSWITCH node"),
}

# Each field of a change by its label (keys of AuditEntry.changes).
FIELDS = {
    "sip_address": N_("SIP address"), "esl_address": N_("Event socket address"),
    "drained": N_("Drained (no new call)"),
    "register_expiry": N_("Registration expiry (seconds)"), "dtmf": N_("DTMF mode"),
    "codecs": N_("Codecs in order of preference"), "srtp": N_("SRTP (encrypted voice)"),
    "name": N_("Name"), "extension": N_("Extension"), "email": N_("E-mail"), "mobile": N_("Mobile"),
    "twin_enabled": N_("Mobile rings with the phones"), "twin_delay": N_("Mobile rings after (seconds)"),
    "call_class": N_("May call"), "allow_premium": N_("Premium-rate numbers"), "max_calls": N_("Calls at once"),
    "caller_id_mode": N_("Number shown to the called"), "enabled": N_("Active"), "language": N_("Language"),
    "sip_secret": N_("SIP password"), "e164": N_("Number"), "is_main": N_("Main number"),
    "main_number": N_("Main number"), "former": N_("Former main number"), "label": N_("Label"),
    "dest": N_("Destination"), "tenant_id": N_("Client"), "role": N_("Role"), "custom_role": N_("Console role"),
    "password": N_("Password"), "active": N_("Active"), "prefix": N_("Prefix"), "scopes": N_("Rights"),
    "rate_limit": N_("Requests per minute"), "duration_ms": N_("Duration"), "file": N_("File"),
    "kind": N_("Kind"), "strategy": N_("Ringing order"), "ring_seconds": N_("Ring for (seconds)"),
    "members": N_("Members"), "no_answer": N_("If nobody answers"), "user_ids": N_("Agents"),
    "max_wait_seconds": N_("Longest wait (seconds)"), "moh_class_id": N_("Music on hold"),
    "after_dest": N_("After the longest wait"), "access_code": N_("PIN"), "moderator_code": N_("Moderator PIN"),
    "max_members": N_("Participants at most"), "number": N_("Number"), "open_from": N_("Open from"),
    "open_until": N_("Open until"), "wait_for_moderator": N_("Wait for the moderator"),
    "description": N_("Description"), "permissions": N_("Permissions"), "emails": N_("E-mail addresses"),
    "retention_days": N_("Kept for (days)"), "secret": N_("Secret"), "sender_email": N_("Sender"),
    "schedule_id": N_("Schedule"), "user": N_("User"), "digits": N_("Key"), "menu_id": N_("Voice menu"),
    "greeting_id": N_("Greeting"), "invalid_action": N_("On a wrong key"), "invalid_dest": N_("After wrong keys"),
    "invalid_sound_id": N_("Wrong-key announcement"), "max_failures": N_("Wrong keys at most"),
    "no_input_seconds": N_("Wait for a key (seconds)"), "overall_timeout_seconds": N_("Longest time in the menu"),
    "repeat_greeting_id": N_("Repeated greeting"), "timeout_dest": N_("When no key is pressed"),
    "is_default": N_("Default"), "shuffle": N_("Random order"), "audio_id": N_("Announcement"),
    "personal": N_("Personal"), "default": N_("Otherwise"), "exceptions": N_("Holidays and exceptions"),
    "ranges": N_("Time ranges"), "country": N_("Country"), "domain": N_("SIP domain"),
    "max_users": N_("Users at most"), "status": N_("Status"), "timezone": N_("Time zone"),
    "email_mode": N_("E-mail for each new message"), "email_to": N_("E-mail to"), "user_id": N_("User"),
    "pin": N_("PIN"), "url": N_("Address"), "events": N_("Events"), "mac": N_("MAC address"),
    "vendor": N_("Make"), "model": N_("Model"), "keys": N_("Keys"), "credentials": N_("Credentials"),
    "bootstrap_until": N_("First set-up until"), "command": N_("Command"), "services_added": N_("Services added"),
    "services_removed": N_("Services removed"), "to": N_("Number called"), "pages": N_("Pages"),
    "requested_by": N_("Requested by"), "state": N_("State"), "expires_at": N_("Expires"),
    "call_id": N_("Call"), "who": N_("Who"), "member_id": N_("Participant"), "messages": N_("Messages"),
    "box": N_("Voicemail box"), "caller": N_("Caller"), "event_id": N_("Event"),
    "max_call_class": N_("Nobody may call further than"), "logo": N_("Logo"), "sender_name": N_("Sender name"),
    "received_at": N_("Received"), "primary_color": N_("Colour"), "transfer_mode": N_("Transfer"),
    "fax_box_id": N_("Fax box"), "copied_from": N_("Copied from"),
    "default_call_class": N_("New users may call"), "dest_type": N_("Destination kind"),
    "dest_id": N_("Destination"), "forwards": N_("Call forwardings deleted"),
    "groups": N_("Left the call groups"), "logins": N_("Console logins deleted"),
    "numbers_to": N_("Numbers given to"), "voicemail_messages": N_("Voicemail messages deleted"),
}
HIDDEN = {"***": N_("hidden"), "set": N_("set"), "changed": N_("changed"), "regenerated": N_("new")}
# Fields holding the id of another row: shown by that row's name.
REFERENCES = {"moh_class_id": "moh_class", "schedule_id": "schedule", "menu_id": "ivr_menu",
              "greeting_id": "audio_file", "invalid_sound_id": "audio_file", "repeat_greeting_id": "audio_file",
              "audio_id": "audio_file", "user_id": "sip_user", "tenant_id": "tenant", "fax_box_id": "fax_box"}
DEST_TEXT = re.compile(r"\b([a-z_]+):(\d*):([^\s;,]*)")
USER_MEMBER = re.compile(r"\buser (\d+)\b")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
YEARLY = re.compile(r"\byearly\b")
DEFAULT = re.compile(r"(?<=→ )default\b")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_RANGE = re.compile(r"\b(" + "|".join(DAYS) + r")\b")


@dataclass
class Line:
    """One history row in words."""

    entry: AuditEntry
    action: str
    subject: str
    changes: list[tuple[str, str]]


def models() -> dict[str, type]:
    return {m.class_.__tablename__: m.class_ for m in Base.registry.mappers if hasattr(m.class_, "__tablename__")}


def name_of(row) -> str:
    """How the console names a row: a user with its extension, a number, a login by its e-mail…"""
    if row is None:
        return ""
    table = row.__tablename__
    if table == "sip_user":
        return f"{row.name} ({row.extension})"
    if table == "forward_rule":
        return name_of(db.session.get(models()["sip_user"], row.user_id))
    for attribute in ("name", "e164", "email", "number", "label", "mac", "url", "digits", "prefix"):
        value = getattr(row, attribute, None)
        if value:
            return str(value)
    return ""


def _row(table: str | None, key, tenant_id: int | None) -> object | None:
    """The row `key` of `table` if it belongs to the company of the history row (never another's name)."""
    model = models().get(table or "")
    if model is None or key in (None, ""):
        return None
    try:
        row = db.session.get(model, int(key))
    except (TypeError, ValueError):
        return None
    owner = row.id if table == "tenant" else getattr(row, "tenant_id", None)
    return row if row is not None and owner == tenant_id else None


def _with_names(text: str, tenant_id: int | None) -> str:
    """Destinations kept as text (kind:id:value), users as 'user 1001' and days as 'mon-fri', in words."""
    labels = destination_labels()

    def destination(match: re.Match) -> str:
        kind, key, value = match.group(1), match.group(2), match.group(3)
        if kind not in labels:
            return match.group(0)
        return _destination(kind, int(key) if key else None, value or None, tenant_id)

    def user(match: re.Match) -> str:
        row = _user_by_extension(match.group(1), tenant_id)
        return name_of(row) if row else match.group(0).replace("user", _("User"))

    def day(match: re.Match) -> str:
        from babel.dates import get_day_names

        return get_day_names("abbreviated", locale=get_locale())[DAYS.index(match.group(1))]

    def iso_day(match: re.Match) -> str:
        from babel.dates import format_date

        return format_date(date.fromisoformat(match.group(0)), format="medium", locale=get_locale())

    text = DAY_RANGE.sub(day, USER_MEMBER.sub(user, DEST_TEXT.sub(destination, text)))
    text = ISO_DAY.sub(iso_day, text.replace(" -> ", " → "))
    return YEARLY.sub(_("every year"), DEFAULT.sub(_("the default destination"), text))


def _user_by_extension(extension: str, tenant_id: int | None):
    if tenant_id is None:
        return None
    user = models()["sip_user"]
    return db.session.execute(select(user).filter_by(tenant_id=tenant_id, extension=extension)).scalars().first()


def _destination(kind: str | None, key: int | None, value: str | None, tenant_id: int | None) -> str:
    from centrex.routing.targets import target_kind

    labels = destination_labels()
    options = {}
    if key is not None and kind in labels:
        try:
            table = target_kind(kind).model.__tablename__
        except (KeyError, LookupError, AttributeError):
            table = None
        row = _row(table, key, tenant_id)
        if row is not None:
            options = {kind: [(key, name_of(row))]}
    if key is None and kind not in ("external", "voicemail"):
        return labels.get(kind, kind) if kind else "—"
    return describe_destination(kind, key, value, options, labels)


def _form_choices(table: str, field: str) -> list[tuple[str, str]]:
    """The words the console's own forms give a setting (the same as where it is changed)."""
    from webui.views import client_menus, client_queues, routing_groups, voicemail_shared

    if field == "strategy":
        return (client_queues.strategies() if table == "call_queue" else routing_groups.strategies())
    if field == "email_mode":
        return voicemail_shared.email_modes()
    if field == "invalid_action":
        return client_menus.invalid_actions()
    if field == "caller_id_mode":
        return [("direct", _("The direct number")), ("main", _("The company main number"))]
    return []


def value_words(field: str, value, tenant_id: int | None, entry_table: str = "") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field in REFERENCES:
        row = _row(REFERENCES[field], value, tenant_id)
        return name_of(row) or f"#{value}"
    if field == "user_ids":
        rows = [_row("sip_user", key, tenant_id) for key in str(value).split(",") if key.strip().isdigit()]
        return ", ".join(name_of(row) for row in rows if row is not None) or "—"
    text = str(value)
    if field == "user" and text.isdigit():
        return name_of(_user_by_extension(text, tenant_id)) or text
    if text in HIDDEN:
        return _(HIDDEN[text])
    if field == "permissions":
        return _permissions(text)
    if field == "duration_ms" and text.isdigit():
        return _("%(seconds)s s", seconds=round(int(text) / 1000))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if text.startswith("[") and text.endswith("]"):  # a list kept as its Python text
        return ", ".join(part.strip(" '\"") for part in text[1:-1].split(",")) or "—"
    form_words = dict(_form_choices(entry_table, field)).get(text)
    if form_words:
        return form_words
    choice = CHOICES.get(field, {}).get(text)
    return _(choice) if choice else _with_names(text, tenant_id)


CHOICES = {
    "call_class": {"internal": N_("internal only"), "national": N_("national"),
                   "mobile": N_("national and mobile"), "international": N_("international")},
    "role": {"user": N_("Employee"), "admin": N_("Administrator"), "operator": N_("Operator")},
    "kind": {"always": N_("Always"), "busy": N_("When busy"), "no_answer": N_("When there is no answer"),
             "offline": N_("When the phone is offline (e.g. internet failure)"), "moh": N_("Music on hold"),
             "greeting": N_("Greeting"), "prompt": N_("Announcement")},
    "language": {"fr": "Français", "en": "English", "de": "Deutsch"},
    "status": {"active": N_("active"), "suspended": N_("suspended")},
}


def _permissions(text: str) -> str:
    """'groups:write, calls:read' as 'Call groups (write), Call history (read)'."""
    from webui.views.client_roles import area_labels

    labels, levels = area_labels(), {"read": _("read"), "write": _("write")}
    grants = [part.strip().partition(":") for part in text.split(",") if part.strip()]
    return ", ".join(f"{labels.get(area, area)} ({levels.get(level, level)})" for area, _sep, level in grants)


def changes_in_words(entry: AuditEntry) -> list[tuple[str, str]]:
    """(label, value) per change; a destination kept as <prefix>dest_type/_id/_value is one line."""
    changes = dict(entry.changes or {})
    out = []
    row = _row(entry.object_type, entry.object_id, entry.tenant_id)
    parts = ("dest_type", "dest_id", "dest_value")
    for prefix in sorted({k[: -len(p)] for k in changes for p in parts if k.endswith(p)}):
        kind = changes.pop(f"{prefix}dest_type", getattr(row, f"{prefix}dest_type", None))
        key = changes.pop(f"{prefix}dest_id", None)
        value = changes.pop(f"{prefix}dest_value", None)
        words = _destination(kind, key, value, entry.tenant_id) if kind else "—"
        out.append((_(FIELDS.get(f"{prefix}dest", FIELDS["dest"])), words))
    for field, value in changes.items():
        label = FIELDS.get(field)
        out.append((_(label) if label else field, value_words(field, value, entry.tenant_id, entry.object_type)))
    return out


def subject_of(entry: AuditEntry) -> str:
    """'User Sophie Martin (1002)': the kind, then the name (the row's now, or the one the change kept)."""
    kind = _(OBJECTS[entry.object_type]) if entry.object_type in OBJECTS else entry.object_type
    row = _row(entry.object_type, entry.object_id, entry.tenant_id)
    changes = entry.changes or {}
    name = name_of(row) or next((str(changes[k]) for k in ("name", "email", "e164", "number", "mac", "url",
                                                          "digits", "prefix") if changes.get(k)), "")
    return f"{kind} {name}".strip()


def in_words(entry: AuditEntry) -> Line:
    return Line(entry, action_words(entry.action), subject_of(entry), changes_in_words(entry))


def action_words(action: str) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else action


def object_words(table: str) -> str:
    return _(OBJECTS[table]) if table in OBJECTS else table


def actor_words(actor: str) -> str:
    return _("the system") if actor == "system" else actor
