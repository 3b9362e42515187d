"""Ports: what the core asks of the outside world. Adapters implement them; the composition root wires
them in (see wsgi.py). The core and the console only ever talk to these interfaces."""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from centrex.freeswitch.commands import ConferenceMember, SwitchStatus

from centrex.platform.errors import N_


class SwitchError(Exception):
    """FreeSWITCH refused a command (-ERR …) or could not be reached; the message is for people."""


class SwitchCommands(Protocol):
    """Commands to the FreeSWITCH nodes (implemented over ESL by esl_handlers/; the named methods are
    written once in centrex.freeswitch.switch.SwitchCommandsBase, with the command strings of
    centrex.freeswitch.commands)."""

    def api(self, command: str, *, node: str | None = None) -> str:
        """Run an `api` command and return its body; raise SwitchError on -ERR or no connection."""

    def api_all(self, command: str) -> dict[str, str]:
        """Run an `api` command on every node (cache flushes, reloads); SwitchError if any node failed."""

    def originate(self, leg: str, destination: str, *, variables: dict[str, str] | None = None) -> str:
        """`bgapi originate {vars}<leg> <destination>`; returns the Job-UUID."""

    def check_sync(self, extension: str, domain: str, profile: str = "internal") -> dict[str, str]:
        """Tell the phones registered as extension@domain to re-fetch their configuration (every node)."""

    def conference_members(self, room: str) -> list[ConferenceMember]:
        """The people in a conference room now."""

    def conference_member_action(self, room: str, action: str, member_id: int) -> str:
        """mute / unmute / kick / deaf / undeaf one member of a room."""

    def callcenter_table(self, table: str, *, node: str | None = None) -> list[dict[str, str]]:
        """mod_callcenter's queue, agent or tier table on one node."""

    def node_status(self, node: str) -> SwitchStatus:
        """One node's `status`: uptime, ready, sessions now, its caps."""


_switch: SwitchCommands | None = None


def set_switch(implementation: SwitchCommands | None) -> None:
    global _switch
    _switch = implementation


def switch() -> SwitchCommands:
    if _switch is None:
        raise SwitchError(N_("No connection to FreeSWITCH is configured."))
    return _switch
