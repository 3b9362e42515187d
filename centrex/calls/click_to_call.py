"""Click-to-call: ring a user's phone, and when they pick up, dial the destination for them.

The destination is checked against the user's call permissions first (the routing engine's dialing
rules), so a CRM gets a clear refusal rather than a call that fails. Then one originate through the
switch port: `{origination_uuid=<call id>,…}user/<ext>@<domain> <destination> XML <domain>` — the user's
phone rings; when answered, the channel enters the tenant's dialplan as if the user had dialled the
number (forwarding, ring groups, caller ID, the carrier gateway and the call limit all apply there).
The originate waits for the user to answer, so it runs after the request, in the background; its
outcome is recorded on the ApiCall row, and the live channels and the call record say the rest."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta, timezone

from marshmallow import Schema, fields
from sqlalchemy import or_, select, update

from centrex.freeswitch import commands
from centrex.models import ApiCall, CallRecord, LiveChannel, Number, RingGroup, Tenant, User
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.errors import N_, Forbidden, Invalid, Message
from centrex.platform.forms import load
from centrex.platform.ports import SwitchError, switch
from centrex.platform.schemas import EXTENSION_RE
from centrex.platform.tenancy import scoped
from centrex.routing.call_rights import company_refusal
from centrex.routing.engine import dialing

log = logging.getLogger(__name__)

# How far a click-to-call got: the user's phone rings; the user answered and the destination rings;
# both talk; it is over; it never got going (the reason says why).
PROGRESS = ("ringing_user", "ringing_destination", "connected", "ended", "failed")


class ClickToCallSchema(Schema):
    from_user = fields.String(
        required=True,
        validate=validate.Regexp(EXTENSION_RE, error=N_("An extension, e.g. 1001.")),
        metadata={"description": "The extension whose phone rings first."},
    )
    to = fields.String(
        required=True,
        validate=validate.Regexp(r"^\+?[0-9][0-9 ()./-]{0,31}$", error=N_("A phone number or an extension.")),
        metadata={"description": "Who to call: an extension, a national or +E.164 number."},
    )


_schema = ClickToCallSchema()


def destination_for(tenant: Tenant, user: User, to: str) -> str:
    """What the dialplan is given to dial, once checked against the user's permissions."""
    digits = dialing.clean(to)
    internal = db.session.execute(
        select(User.id)
        .where(User.tenant_id == tenant.id, User.extension == digits)
        .union_all(
            select(RingGroup.id).where(RingGroup.tenant_id == tenant.id, RingGroup.extension == digits)
        )
    ).first()
    if internal is not None:
        if digits == user.extension:
            raise Invalid(
                N_("A user cannot call themselves."), fields={"to": [N_("This is the caller's own extension.")]}
            )
        return digits
    dialled = dialing.classify(to, tenant.country)
    if dialled.kind == "invalid":
        raise Invalid(
            N_("%(number)s cannot be dialled: %(reason)s."), number=to, reason=dialled.reason,
            fields={"to": [N_("Not a number that can be dialled.")]}
        )
    if dialled.kind == "emergency":
        raise Invalid(
            N_("Emergency numbers are not dialled on someone's behalf."),
            fields={"to": [N_("Emergency numbers must be dialled from the phone.")]},
        )
    own = db.session.execute(scoped(Number, tenant.id).where(Number.e164 == dialled.number)).first()
    if own is None:
        if not dialing.allowed(user.call_class, dialled.needs):
            raise Forbidden(
                N_("%(name)s may not call %(kind)s numbers."), name=user.name, kind=dialled.kind,
                fields={"to": [Message.of(N_("Needs the call class %(needs)s."), needs=dialled.needs)]},
            )
        if dialled.premium and not user.allow_premium:
            raise Forbidden(
                N_("%(name)s may not call premium-rate numbers."), name=user.name,
                fields={"to": [N_("Premium-rate numbers are not allowed for this user.")]},
            )
        refusal = company_refusal(tenant.id, dialled)
        if refusal is not None:
            raise Forbidden(refusal, fields={"to": [refusal]})
    return dialled.number


def place_call(tenant: Tenant, data: dict, *, token_id: int | None = None) -> ApiCall:
    """Check and record a click-to-call (flushed, audited); `start()` it after the commit."""
    values = load(_schema, data)
    user = db.session.execute(
        scoped(User, tenant.id).where(User.extension == values["from_user"])
    ).scalar_one_or_none()
    if user is None:
        raise Invalid(
            N_("No user with extension %(ext)s in this company."), ext=values["from_user"],
            fields={"from_user": [N_("Unknown extension.")]},
        )
    if not user.enabled:
        raise Invalid(N_("%(name)s is disabled."), name=user.name, fields={"from_user": [N_("This user is disabled.")]})
    to_dial = destination_for(tenant, user, values["to"])
    call = ApiCall(
        id=str(uuid.uuid4()),
        tenant_id=tenant.id,
        user_id=user.id,
        token_id=token_id,
        from_extension=user.extension,
        to_number=to_dial,
        state="dialing",
    )
    db.session.add(call)
    db.session.flush()
    # Written on the user (audit object ids are integers; the call's id is a UUID).
    audit.record("click_to_call", user, tenant_id=tenant.id, changes={"call_id": call.id, "to": to_dial})
    return call


def originate_arguments(call: ApiCall, domain: str) -> tuple[str, str, dict[str, str]]:
    """(leg, destination, channel variables) of the originate. The variables name the user to the
    dialplan (as a phone's authenticated call would) and make the A leg's UUID the call's id."""
    variables = {
        **commands.origination_variables(uuid=call.id, caller_id_number=call.from_extension),
        **commands.as_user_variables(call.from_extension, domain),
        "centrex_click_to_call": call.id,
    }
    return (commands.user_leg(call.from_extension, domain), commands.dialplan_destination(call.to_number, domain),
            variables)


def run_originate(call_id: str) -> str:
    """Send the originate and record how it ended (the user answered: `connecting`; else `failed` with
    FreeSWITCH's cause). A job boundary: commits."""
    call = db.session.get(ApiCall, call_id)
    domain = db.session.get(Tenant, call.tenant_id).domain
    leg, destination, variables = originate_arguments(call, domain)
    db.session.commit()  # no transaction held open while the phone rings
    try:
        job = switch().originate(leg, destination, variables=variables)
    except SwitchError as exc:
        outcome = {"state": "failed", "reason": str(exc)[:255]}
        log.info("Click-to-call %s failed: %s", call_id, exc)
    else:
        outcome = {"state": "connecting", "job_uuid": job}
    _record(call_id, outcome)
    return outcome["state"]


def _record(call_id: str, values: dict) -> None:
    """One UPDATE in its own transaction (on SQLite a transaction that reads first, then writes, fails
    when a web worker wrote meanwhile)."""
    db.session.execute(
        update(ApiCall).where(ApiCall.id == call_id).values(**values, updated_at=datetime.now(timezone.utc))
    )
    db.session.commit()


def start(app, call_id: str) -> threading.Thread | None:
    """Run the originate after the request, in a thread with its own app context and session (tests
    whose database session cannot be shared with a thread set CLICK_TO_CALL_INLINE: it runs here)."""
    if app.config.get("CLICK_TO_CALL_INLINE"):
        run_originate(call_id)
        return None

    def work():
        with app.app_context():
            try:
                run_originate(call_id)
            except Exception:  # noqa: BLE001 - a thread must log, not die silently
                db.session.rollback()
                log.exception("Click-to-call %s: originate crashed", call_id)
                _record(call_id, {"state": "failed", "reason": "Internal error while dialling"})
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, name=f"click-to-call-{call_id[:8]}", daemon=True)
    thread.start()
    return thread


def progress(call: ApiCall, now: datetime | None = None) -> dict:
    """The call as the API shows it: who, whom, and how far it got — from the ESL listener's live
    channels while it lasts, then from its call record."""
    now = now or datetime.now(timezone.utc)
    shown = {
        "id": call.id,
        "from_extension": call.from_extension,
        "to_number": call.to_number,
        "reason": call.reason,
        "created_at": call.created_at,
        "answered_at": None,
        "ended_at": None,
        "duration": None,
        "hangup_cause": None,
    }
    if call.state == "failed":
        return {**shown, "progress": "failed"}
    record = db.session.execute(
        scoped(CallRecord, call.tenant_id).where(CallRecord.call_uuid == call.id)
    ).scalar_one_or_none()
    if record is not None:
        return {
            **shown,
            "progress": "ended",
            "answered_at": record.answered_at,
            "ended_at": record.ended_at,
            "duration": record.billsec,
            "hangup_cause": record.hangup_cause,
        }
    legs = (
        db.session.execute(
            scoped(LiveChannel, call.tenant_id).where(
                or_(
                    LiveChannel.uuid == call.id,
                    LiveChannel.call_uuid == call.id,
                    LiveChannel.other_uuid == call.id,
                )
            )
        )
        .scalars()
        .all()
    )
    user_leg = next((leg for leg in legs if leg.uuid == call.id), None)
    others = [leg for leg in legs if leg.uuid != call.id]
    talking = [leg for leg in others if leg.state in ("active", "held")]
    if talking:
        times = [leg.answered_at for leg in talking if leg.answered_at]
        return {**shown, "progress": "connected", "answered_at": min(times) if times else None}
    if others or (user_leg is not None and user_leg.state in ("active", "held")):
        return {**shown, "progress": "ringing_destination"}
    if user_leg is not None or call.state == "dialing":
        return {**shown, "progress": "ringing_user"}
    # The user answered (the originate said so) and nothing is live: over, its record not imported yet,
    # unless the listener has not caught up with a call that only just started.
    quiet = now - _aware(call.updated_at) > QUIET_AFTER
    return {**shown, "progress": "ended" if quiet else "ringing_destination"}


QUIET_AFTER = timedelta(seconds=20)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
