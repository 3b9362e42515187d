"""Allowed call destinations of a company ("Autoriser les appels vers"): the company-wide rules (ceiling on
call classes, premium-rate numbers, blocked prefixes) and every user's own call class and premium switch,
changed together in one save. Validated as a whole first (errors per field and per row), then flushed and
audited; nothing is half-saved."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, pre_load, validates_schema

from centrex.models import Tenant, User
from centrex.models.call_rights import MAX_BLOCKED_PREFIXES, BlockedPrefix, CallPolicy
from centrex.models.user import CALL_CLASSES
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid, Message
from centrex.platform.forms import load
from centrex.platform.schemas import no_control_chars
from centrex.platform.tenancy import scoped
from centrex.routing.engine import dialing

PREFIX_RE = re.compile(r"^\+[0-9]{2,15}$")
DEFAULT_CEILING = "international"


class PrefixSchema(Schema):
    prefix = fields.String(required=True, validate=validate.Regexp(
        PREFIX_RE, error=N_("A prefix is + followed by 2 to 15 digits, e.g. +882.")))
    label = fields.String(load_default="", validate=[validate.Length(max=80), no_control_chars])

    @pre_load
    def as_e164(self, data, **_):
        """'00 882' or '+882 ' as typed -> '+882'."""
        if isinstance(data, dict) and isinstance(data.get("prefix"), str):
            prefix = "".join(data["prefix"].split())
            data = {**data, "prefix": "+" + prefix[2:] if prefix.startswith("00") else prefix}
        return data


class UserRightsSchema(Schema):
    id = fields.Integer(required=True)
    call_class = fields.String(required=True, validate=validate.OneOf(CALL_CLASSES))
    allow_premium = fields.Boolean(load_default=False)


class CallRightsSchema(Schema):
    max_call_class = fields.String(load_default=DEFAULT_CEILING, validate=validate.OneOf(CALL_CLASSES))
    default_call_class = fields.String(validate=validate.OneOf(CALL_CLASSES))  # left out: unchanged
    allow_premium = fields.Boolean(load_default=True)
    prefixes = fields.List(fields.Nested(PrefixSchema), load_default=list, validate=validate.Length(
        max=MAX_BLOCKED_PREFIXES, error=Message.of(N_("At most %(n)s blocked prefixes."), n=MAX_BLOCKED_PREFIXES)))
    users = fields.List(fields.Nested(UserRightsSchema), load_default=list)

    @validates_schema(skip_on_field_errors=False)  # a repeated prefix is shown with the other errors
    def no_duplicates(self, data, **_):
        errors, seen = {}, set()
        for index, item in enumerate(data.get("prefixes") or []):
            prefix = item.get("prefix") if isinstance(item, dict) else None
            if prefix is not None and prefix in seen:
                errors[index] = {"prefix": [N_("Listed twice.")]}
            seen.add(prefix)
        if errors:
            raise ValidationError({"prefixes": errors})


_schema = CallRightsSchema()


def policy_of(tenant_id: int) -> CallPolicy | None:
    return db.session.execute(scoped(CallPolicy, tenant_id)).scalar_one_or_none()


def blocked_prefixes(tenant_id: int) -> list[BlockedPrefix]:
    return list(db.session.execute(scoped(BlockedPrefix, tenant_id).order_by(BlockedPrefix.prefix)).scalars())


def company_refusal(tenant_id: int, dialled: dialing.Dialled) -> str | None:
    """Why the company's rules refuse a classified number (for checks outside the dialplan, e.g.
    click-to-call), or None. The dialplan itself applies the same rules in the routing engine."""
    for blocked in blocked_prefixes(tenant_id):
        if dialled.number.startswith(blocked.prefix):
            return Message.of(N_("Numbers starting with %(prefix)s are blocked for the whole company."),
                              prefix=blocked.prefix)
    policy = policy_of(tenant_id)
    if policy is not None and not dialing.allowed(policy.max_call_class, dialled.needs):
        return Message.of(N_("The company allows calls up to the class %(call_class)s."),
                          call_class=policy.max_call_class)
    if policy is not None and dialled.premium and not policy.allow_premium:
        return Message.of(N_("Premium-rate numbers are refused for the whole company."))
    return None


def users_of(tenant_id: int) -> list[User]:
    return list(db.session.execute(scoped(User, tenant_id).order_by(User.extension)).scalars())


def call_rights_of(tenant: Tenant) -> dict:
    """The page's data as the service takes it back: company rules, prefixes, users' rights."""
    policy = policy_of(tenant.id)
    return {
        "max_call_class": policy.max_call_class if policy else DEFAULT_CEILING,
        "default_call_class": tenant.default_call_class,
        "allow_premium": policy.allow_premium if policy else True,
        "prefixes": [{"prefix": p.prefix, "label": p.label} for p in blocked_prefixes(tenant.id)],
        "users": [{"id": u.id, "call_class": u.call_class, "allow_premium": u.allow_premium}
                  for u in users_of(tenant.id)],
    }


def save_call_rights(tenant: Tenant, data: dict) -> None:
    """Replace the company rules and prefixes, and set the listed users' rights (others keep theirs)."""
    values = load(_schema, data)
    users = _users_named(tenant.id, values["users"])
    _save_policy(tenant, values["max_call_class"], values["allow_premium"])
    if values.get("default_call_class", tenant.default_call_class) != tenant.default_call_class:
        tenant.default_call_class = values["default_call_class"]
        db.session.flush()
        audit.record("update", tenant, tenant_id=tenant.id,
                     changes={"default_call_class": tenant.default_call_class})
    _save_prefixes(tenant, values["prefixes"])
    for row in values["users"]:
        user = users[row["id"]]
        changed = {k: row[k] for k in ("call_class", "allow_premium") if getattr(user, k) != row[k]}
        if changed:
            for key, value in changed.items():
                setattr(user, key, value)
            db.session.flush()
            audit.record("update", user, tenant_id=tenant.id,
                         changes={"extension": user.extension, **changed})


def _users_named(tenant_id: int, rows: list[dict]) -> dict[int, User]:
    """The company's users the rows name; a row naming a user of no (or another) company is refused."""
    wanted = {row["id"] for row in rows}
    found = {u.id: u for u in db.session.execute(
        scoped(User, tenant_id).where(User.id.in_(sorted(wanted)))).scalars()} if wanted else {}
    errors = {i: {"id": [N_("Unknown user.")]} for i, row in enumerate(rows) if row["id"] not in found}
    if errors:
        raise Invalid(N_("Some fields are not valid."), fields={"users": errors})
    return found


def _save_policy(tenant: Tenant, ceiling: str, premium: bool) -> None:
    policy = policy_of(tenant.id)
    if policy is None:
        if ceiling == DEFAULT_CEILING and premium:
            return  # no row: the defaults already apply
        policy = CallPolicy(tenant_id=tenant.id, max_call_class=DEFAULT_CEILING, allow_premium=True)
        db.session.add(policy)
        db.session.flush()
    changed: dict[str, object] = {}
    if policy.max_call_class != ceiling:
        policy.max_call_class = changed["max_call_class"] = ceiling
    if policy.allow_premium != premium:
        policy.allow_premium = changed["allow_premium"] = premium
    if changed:
        db.session.flush()
        audit.record("update", policy, tenant_id=tenant.id, changes=changed)


def _save_prefixes(tenant: Tenant, wanted: list[dict]) -> None:
    have = {p.prefix: p for p in blocked_prefixes(tenant.id)}
    labels = {item["prefix"]: item["label"].strip() for item in wanted}
    for prefix, row in have.items():
        if prefix not in labels:
            audit.record("delete", row, tenant_id=tenant.id, changes={"prefix": prefix, "label": row.label})
            db.session.delete(row)
        elif row.label != labels[prefix]:
            row.label = labels[prefix]
            audit.record("update", row, tenant_id=tenant.id, changes={"prefix": prefix, "label": row.label})
    db.session.flush()
    for prefix, label in labels.items():
        if prefix not in have:
            row = BlockedPrefix(tenant_id=tenant.id, prefix=prefix, label=label)
            db.session.add(row)
            db.session.flush()
            audit.record("create", row, tenant_id=tenant.id, changes={"prefix": prefix, "label": label})
