"""Presence from the live state the ESL listener keeps (centrex.calls.live): who is on the phone now, for
employees and the client's administrator, and which phones are registered, from where. The page polls its
JSON twin (console.js) so it follows the switch without a reload."""

from __future__ import annotations

from flask import g, jsonify, render_template, url_for
from flask_babel import gettext as _

from centrex.calls import live
from centrex.models import User
from centrex.platform.db import db
from centrex.platform.tenancy import scoped
from webui.access import STAFF, USER, allow
from webui.views import client, me

POLL_SECONDS = 3


def colleagues(tenant_id: int) -> list[tuple[User, str]]:
    """Each enabled user of the company with a presence: a channel state, 'online' or 'offline'."""
    busy = live.busy(tenant_id)
    registered = {r.extension for r in live.registrations(tenant_id)}
    users = db.session.execute(scoped(User, tenant_id).where(User.enabled.is_(True))
                               .order_by(User.extension)).scalars()
    return [(u, busy.get(u.extension) or ("online" if u.extension in registered else "offline")) for u in users]


def state_labels() -> dict[str, str]:
    return {"active": _("on a call"), "held": _("call on hold"), "early": _("calling"), "ringing": _("ringing"),
            "online": _("available"), "offline": _("phone offline")}


def presence_page(tenant_id: int, poll_url: str):
    return render_template("console/presence.html", people=colleagues(tenant_id), labels=state_labels(),
                           poll_url=poll_url, poll_seconds=POLL_SECONDS)


def people_json(tenant_id: int):
    """{"people": [{"extension", "name", "state", "label"}], "calls_now": n}: what the page polls."""
    labels = state_labels()
    response = jsonify(people=[{"extension": u.extension, "name": u.name, "state": state, "label": labels[state]}
                               for u, state in colleagues(tenant_id)],
                       calls_now=live.calls_now(tenant_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@me.bp.get("/colleagues")
@allow(USER)
def my_colleagues():
    return presence_page(me.own_user().tenant_id, url_for("me.my_colleagues_json"))


@me.bp.get("/colleagues.json")
@allow(USER)
def my_colleagues_json():
    return people_json(me.own_user().tenant_id)


@client.bp.get("/presence")
@allow(*STAFF)
def presence():
    return presence_page(g.tenant.id, url_for("client.presence_json", tenant_id=g.tenant.id))


@client.bp.get("/presence.json")
@allow(*STAFF)
def presence_json():
    return people_json(g.tenant.id)
