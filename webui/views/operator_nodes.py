"""Operator's general menu, « Commutateurs »: the FreeSWITCH nodes (health, registrations, calls), the
registrations the SIP edge holds per company, and a node of the edge's pool drained or returned (core:
centrex.cluster)."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from centrex.cluster.nodes import set_drained
from centrex.cluster.status import edge_registrations, nodes
from centrex.models import SwitchNode
from centrex.platform.db import db
from centrex.platform.errors import N_, NotFound
from webui.access import OPERATOR, allow
from webui.forms import change
from webui.i18n import translate
from webui.views.operator import bp
from webui.views.operator_platform import all_tenants


@bp.get("/nodes")
@allow(OPERATOR)
def switch_nodes():
    edge = edge_registrations()
    names = {t.domain: t.name for t in all_tenants()} if edge else {}
    views = [replace(node, problem=translate(node.problem))
             for node in nodes(current_app.config.get("ESL_NODES", []))]
    return render_template("console/operator/nodes.html", nodes=views, edge=edge, company_names=names,
                           uptime=uptime)


def uptime(seconds: int) -> str:
    """How long a node has run, as a person says it: 3 min, 2 h 05 min, 4 days 3 h."""
    minutes, hours, days = seconds // 60 % 60, seconds // 3600 % 24, seconds // 86400
    if days:
        return _("%(days)s days %(hours)s h", days=days, hours=hours)
    if hours:
        return _("%(hours)s h %(minutes)02d min", hours=hours, minutes=minutes)
    return _("%(minutes)s min", minutes=minutes)


def _drain(node_id: int, drained: bool):
    node = db.session.get(SwitchNode, node_id)
    if node is None:
        raise NotFound(N_("No such FreeSWITCH node."))
    with change():
        set_drained(node, drained)
    if drained:
        flash(_("%(name)s is drained: it takes no new call, its calls go on. Every edge follows within "
                "seconds.", name=node.name))
    else:
        flash(_("%(name)s takes calls again. Every edge follows within seconds.", name=node.name))
    return redirect(url_for("operator.switch_nodes"))


@bp.post("/nodes/<int:node_id>/drain")
@allow(OPERATOR)
def switch_node_drain(node_id):
    return _drain(node_id, True)


@bp.post("/nodes/<int:node_id>/return")
@allow(OPERATOR)
def switch_node_return(node_id):
    return _drain(node_id, False)

