"""Helpers of the live routing tests: a call left running in the background (so a test can watch who
rings while the caller waits), and demo data changed for one test through the core services, then put
back as it was."""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select

_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="live-call")
DUPONT = "dupont.example"


def in_background(fn, *args, **kwargs) -> Future:
    """Run a blocking call (live.call, live.carrier_call) while the test watches the phones."""
    return _POOL.submit(fn, *args, **kwargs)


def hang_up_everything(live) -> None:
    """End every channel on the switch (what a caller's hang-up would do to a call still ringing)."""
    live.switch.api("hupall NORMAL_CLEARING")


def seconds_between(times: list[datetime]) -> list[float]:
    return [round((b - a).total_seconds(), 1) for a, b in zip(times, times[1:])]


def carrier_numbers(live) -> list[str]:
    """The numbers the carrier was asked to call, in order (request URI user part)."""
    return [invite.first_line.split()[1].split("sip:", 1)[1].split("@", 1)[0] for invite in live.carrier.invites()]


def tenant(session, domain: str = DUPONT):
    from centrex.models import Tenant

    return session.execute(select(Tenant).where(Tenant.domain == domain)).scalar_one()


def user(session, extension: str, domain: str = DUPONT):
    from centrex.models import User

    return session.execute(select(User).where(User.tenant_id == tenant(session, domain).id,
                                              User.extension == extension)).scalar_one()


def group(session, name: str, domain: str = DUPONT):
    from centrex.models import RingGroup

    return session.execute(select(RingGroup).where(RingGroup.tenant_id == tenant(session, domain).id,
                                                   RingGroup.name == name)).scalar_one()


@contextmanager
def group_changed(live, name: str, **data):
    """A demo ring group with other settings (update_ring_group) for the block; restored after."""
    from centrex.routing.groups import update_ring_group

    with live.data() as session:
        row = group(session, name)
        before = {key: getattr(row, key) for key in data}
        update_ring_group(row, data)
    try:
        yield
    finally:
        with live.data() as session:
            update_ring_group(group(session, name), before)


@contextmanager
def forward_changed(live, extension: str, kind: str, **data):
    """One forwarding rule of a demo user changed (update_forward_rule) for the block; restored after."""
    from centrex.routing.forwards import forward_rules, update_forward_rule

    with live.data() as session:
        rule = next(r for r in forward_rules(user(session, extension)) if r.kind == kind)
        rule_id, before = rule.id, {key: getattr(rule, key) for key in data}
        update_forward_rule(rule, data)
    try:
        yield
    finally:
        from centrex.models import ForwardRule

        with live.data() as session:
            update_forward_rule(session.get(ForwardRule, rule_id), before)


@contextmanager
def forward_added(live, extension: str, data: dict):
    """A forwarding rule added to a demo user for the block (add_forward_rule); deleted after."""
    from centrex.models import ForwardRule
    from centrex.routing.forwards import add_forward_rule, delete_forward_rule

    with live.data() as session:
        rule_id = add_forward_rule(user(session, extension), data).id
    try:
        yield
    finally:
        with live.data() as session:
            delete_forward_rule(session.get(ForwardRule, rule_id))


@contextmanager
def group_created(live, data: dict):
    """A ring group created for the block (create_ring_group); its id, deleted after."""
    from centrex.models import RingGroup
    from centrex.routing.groups import create_ring_group, delete_ring_group

    with live.data() as session:
        group_id = create_ring_group(tenant(session), data).id
    try:
        yield group_id
    finally:
        with live.data() as session:
            delete_ring_group(session.get(RingGroup, group_id))


def dry_run(live, caller: str, number: str, at: datetime) -> dict:
    """What `flask route explain` says about that call at that instant."""
    from centrex.routing.explain import explain_call

    with live.data() as session:
        return explain_call(tenant(session).id, caller, number, at)


def dry_run_kinds(result: dict) -> list[str]:
    """The steps of a dry run that do something, top level only: ["ring", …] or ["voicemail"]."""
    return [step["kind"] for step in result["steps"] if step["kind"] not in ("set", "limit", "decision",
                                                                             "transfer")]
