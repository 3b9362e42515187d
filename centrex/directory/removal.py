"""Deleting a user, never half-done: what it takes with it (its forwards, voicemail box and messages, group
memberships, console login, personal phonebook, speed-dial keys aiming at it), what it leaves (its phones,
unassigned; its numbers, handed to a colleague or left unrouted) and what refuses it (anything else still
sending calls to it or to its voicemail, a call queue it answers for)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from centrex.models import (
    Account,
    Device,
    ForwardRule,
    Number,
    RingGroup,
    RingGroupMember,
    Schedule,
    ScheduleException,
    ScheduleRange,
    User,
)
from centrex.models.ivr import IvrEntry, IvrMenu
from centrex.models.queue import CallQueue, QueueAgent
from centrex.models.voicemail import VoicemailMessage
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid, Message


@dataclass
class Removal:
    """What deleting `user` would do; `blockers` (Messages) say why it cannot, if they are not empty."""
    user: User
    numbers: list[Number] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    forwards: int = 0
    groups: list[str] = field(default_factory=list)
    voicemail_messages: int = 0
    has_voicemail: bool = False
    logins: list[str] = field(default_factory=list)
    blockers: list[Message] = field(default_factory=list)


def removal_of(user: User) -> Removal:
    tid, uid = user.tenant_id, user.id
    scalars = db.session.execute
    plan = Removal(user)
    plan.numbers = list(scalars(select(Number).where(
        Number.tenant_id == tid, Number.dest_type == "user", Number.dest_id == uid).order_by(Number.e164)).scalars())
    plan.devices = list(scalars(select(Device).where(Device.user_id == uid).order_by(Device.mac)).scalars())
    plan.forwards = scalars(select(func.count(ForwardRule.id)).where(ForwardRule.user_id == uid)).scalar_one()
    plan.groups = list(scalars(select(RingGroup.name).join(RingGroupMember, RingGroupMember.group_id == RingGroup.id)
                               .where(RingGroupMember.user_id == uid).distinct().order_by(RingGroup.name)).scalars())
    plan.has_voicemail = user.vm_a1_hash is not None
    plan.voicemail_messages = scalars(select(func.count(VoicemailMessage.id)).where(
        VoicemailMessage.user_id == uid)).scalar_one()
    plan.logins = list(scalars(select(Account.email).where(Account.user_id == uid)).scalars())
    plan.blockers = _blockers(user)
    return plan


def _aims_at(user: User, type_col, id_col, value_col):
    """A (type, id, value) destination that sends calls to the user or to its voicemail box."""
    return or_((type_col == "user") & (id_col == user.id),
               (type_col == "voicemail") & id_col.is_(None) & (value_col == user.extension))


def _blockers(user: User) -> list[Message]:
    tid = user.tenant_id
    found: list[Message] = []

    def named(key: str, query) -> None:
        found.extend(Message.of(key, name=name) for name in db.session.execute(query).scalars())

    named(N_("the ring group « %(name)s » sends unanswered calls to this user"), select(RingGroup.name).where(
        RingGroup.tenant_id == tid, _aims_at(user, RingGroup.no_answer_type, RingGroup.no_answer_id,
                                             RingGroup.no_answer_value)))
    named(N_("the schedule « %(name)s » sends calls to this user"), select(Schedule.name).where(
        Schedule.tenant_id == tid, or_(
            _aims_at(user, Schedule.default_type, Schedule.default_id, Schedule.default_value),
            Schedule.id.in_(select(ScheduleRange.schedule_id).where(_aims_at(
                user, ScheduleRange.dest_type, ScheduleRange.dest_id, ScheduleRange.dest_value))),
            Schedule.id.in_(select(ScheduleException.schedule_id).where(_aims_at(
                user, ScheduleException.dest_type, ScheduleException.dest_id, ScheduleException.dest_value))))))
    named(N_("the voice menu « %(name)s » sends calls to this user"), select(IvrMenu.name).where(
        IvrMenu.tenant_id == tid, or_(
            _aims_at(user, IvrMenu.timeout_dest_type, IvrMenu.timeout_dest_id, IvrMenu.timeout_dest_value),
            _aims_at(user, IvrMenu.invalid_dest_type, IvrMenu.invalid_dest_id, IvrMenu.invalid_dest_value),
            IvrMenu.id.in_(select(IvrEntry.menu_id).where(
                _aims_at(user, IvrEntry.dest_type, IvrEntry.dest_id, IvrEntry.dest_value))))))
    named(N_("the queue « %(name)s » sends calls to this user"), select(CallQueue.name).where(
        CallQueue.tenant_id == tid,
        _aims_at(user, CallQueue.after_dest_type, CallQueue.after_dest_id, CallQueue.after_dest_value)))
    named(N_("this user answers calls of the queue « %(name)s »"), select(CallQueue.name).where(
        CallQueue.id.in_(select(QueueAgent.queue_id).where(QueueAgent.user_id == user.id))))
    named(N_("%(name)s forwards calls to this user"), select(User.name).where(User.id.in_(
        select(ForwardRule.user_id).where(ForwardRule.tenant_id == tid, ForwardRule.user_id != user.id,
                                          _aims_at(user, ForwardRule.dest_type, ForwardRule.dest_id,
                                                   ForwardRule.dest_value)))))
    return found


def delete_user(user: User, *, numbers_to: User | None = None) -> Removal:
    """Delete `user` with all it takes (see the module); its numbers go to `numbers_to` (a colleague) or stay
    the company's without a destination. Refused, with every reason, while something still routes to it."""
    plan = removal_of(user)
    if plan.blockers:
        raise Conflict(N_("%(name)s cannot be deleted: %(reason)s."), name=user.name, reason=plan.blockers[0],
                       fields={"_schema": list(plan.blockers)})
    if numbers_to is not None and (numbers_to.tenant_id != user.tenant_id or numbers_to.id == user.id):
        raise Invalid(N_("Choose a colleague of this company for the numbers."),
                      fields={"numbers_to": [N_("Unknown user.")]})
    tid = user.tenant_id
    for number in plan.numbers:
        number.dest_id = numbers_to.id if numbers_to else None
        number.dest_type = "user" if numbers_to else None
        audit.record("update", number, tenant_id=tid, changes={
            "e164": number.e164, "dest_type": number.dest_type, "dest_id": number.dest_id})
    for device in plan.devices:
        device.user_id = None
        audit.record("update", device, tenant_id=tid, changes={"mac": device.mac, "user_id": None})
    db.session.flush()
    # The database deletes the rest with the user (ON DELETE CASCADE): forwards, voicemail box and messages,
    # group memberships, console login, personal phonebook, speed-dial keys aiming at it.
    audit.record("delete", user, tenant_id=tid, changes={
        "extension": user.extension, "name": user.name, "numbers_to": numbers_to.extension if numbers_to else None,
        "forwards": plan.forwards, "groups": ", ".join(plan.groups),
        "voicemail_messages": plan.voicemail_messages, "logins": ", ".join(plan.logins)})
    db.session.delete(user)
    db.session.flush()
    return plan
