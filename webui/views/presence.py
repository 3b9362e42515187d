"""Presence from the live state the ESL listener keeps (centrex.calls.live): who is on the phone now, for
employees and the client's administrator, and which phones are registered, from where."""

from __future__ import annotations

from flask import g, render_template

from centrex.calls import live
from centrex.models import User
from centrex.platform.db import db
from centrex.platform.tenancy import scoped
from webui.access import STAFF, USER, allow
from webui.views import client, me


def colleagues(tenant_id: int) -> list[tuple[User, str]]:
    """Each enabled user of the company with a presence: a channel state, 'online' or 'offline'."""
    busy = live.busy(tenant_id)
    registered = {r.extension for r in live.registrations(tenant_id)}
    users = db.session.execute(scoped(User, tenant_id).where(User.enabled.is_(True))
                               .order_by(User.extension)).scalars()
    return [(u, busy.get(u.extension) or ("online" if u.extension in registered else "offline")) for u in users]


@me.bp.get("/colleagues")
@allow(USER)
def my_colleagues():
    return render_template("console/presence.html", people=colleagues(me.own_user().tenant_id))


@client.bp.get("/presence")
@allow(*STAFF)
def presence():
    return render_template("console/presence.html", people=colleagues(g.tenant.id))
