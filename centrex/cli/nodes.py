"""`flask nodes …`: the FreeSWITCH pool behind the SIP edge (README "Scaling out")."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from centrex.cli.core import cli_transaction

RELOAD = "every edge follows within seconds (kamailio.cfg POOL_WATCH)"


def register(app) -> None:
    nodes_cli = AppGroup("nodes", help="FreeSWITCH nodes behind the SIP edge (Kamailio's dispatcher).")

    @nodes_cli.command("list")
    def list_nodes():
        """Every node: name, SIP address, event socket, in service or drained."""
        from centrex.cluster.nodes import all_nodes

        for node in all_nodes():
            state = "drained" if node.drained else "in service"
            click.echo(f"{node.name}\t{node.sip_address}\t{node.esl_address}\t{state}")

    @nodes_cli.command("add")
    @click.argument("name")
    @click.argument("sip_address")
    @click.argument("esl_address")
    def add(name, sip_address, esl_address):
        """A node: NAME, SIP_ADDRESS (sip:HOST:PORT the edge sends calls to), ESL_ADDRESS (HOST:PORT)."""
        from centrex.cluster.nodes import add_node, problems

        with cli_transaction():
            found = problems(name, sip_address, esl_address)
            if found:
                raise click.ClickException("; ".join(found))
            add_node(name, sip_address, esl_address)
        click.echo(f"node {name} added; add its event socket to CENTREX_ESL_NODES; {RELOAD}")

    def drain_command(drained: bool, done: str):
        def command(name):
            from centrex.cluster.nodes import node_named, set_drained

            with cli_transaction():
                node = node_named(name)
                if node is None:
                    raise click.ClickException(f"no node named {name!r} (flask nodes list)")
                set_drained(node, drained)
            click.echo(f"node {name} {done}; {RELOAD}")
        return command

    nodes_cli.command("drain", help="No new call for this node (its calls go on).")(
        click.argument("name")(drain_command(True, "drained")))
    nodes_cli.command("return", help="The node takes calls again.")(
        click.argument("name")(drain_command(False, "back in service")))
    app.cli.add_command(nodes_cli)
