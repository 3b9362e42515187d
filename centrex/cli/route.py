"""`flask route explain`: the dry run of the routing engine, for people at a terminal."""
from __future__ import annotations

import json
from datetime import datetime

import click
from flask.cli import AppGroup

import centrex.routing.groups  # noqa: F401 - declares ring groups and schedules as DID destinations
from centrex.platform.errors import DomainError
from centrex.platform.tenancy import tenant_by_domain


def register(app) -> None:
    route_cli = AppGroup("route", help="Call routing: see what happens to a call.")

    @route_cli.command("explain")
    @click.option("--tenant", "domain", required=True, help="The company's SIP domain, e.g. dupont.example.")
    @click.option("--from", "caller", required=True, help="An extension of the company, or an outside number.")
    @click.option("--to", "destination", required=True, help="The number dialled.")
    @click.option("--at", "when", default=None, help='Local time of the company, "YYYY-MM-DD HH:MM" (default: now).')
    @click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
    @click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
    def explain(domain, caller, destination, when, lang, as_json):
        """Print, step by step, what the engine would tell FreeSWITCH for this call at that time."""
        from centrex.routing.explain import explain_call

        tenant = tenant_by_domain(domain)
        if tenant is None:
            raise click.ClickException(f"No company {domain}. / Aucune entreprise {domain}.")
        try:
            at = datetime.strptime(when, "%Y-%m-%d %H:%M") if when else datetime.now().astimezone()
        except ValueError as exc:
            raise click.ClickException('Give the time as "YYYY-MM-DD HH:MM".') from exc
        try:
            result = explain_call(tenant.id, caller, destination, at)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        click.echo(f"{result['tenant']['name']} ({result['tenant']['domain']}) — {result['caller']} → "
                   f"{result['destination']} — {result['at']} ({result['tenant']['timezone']})")
        _print_steps(result["steps"], lang, 0)

    app.cli.add_command(route_cli)


def _print_steps(steps, lang: str, depth: int) -> None:
    pad = "   " * depth
    number = 0
    for step in steps:
        if step["kind"] == "set":
            continue
        number += 1
        click.echo(f"{pad}{number}. {step['text'][lang]}")
        for branch in step.get("branches", ()):
            click.echo(f"{pad}   ↳ {branch['when'][lang]} ({branch['at'][11:19]}) :" if lang == "fr"
                       else f"{pad}   ↳ {branch['when'][lang]} ({branch['at'][11:19]}):")
            _print_steps(branch["steps"], lang, depth + 2)
