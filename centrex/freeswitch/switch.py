"""The switch port's real methods, written once over the three a transport provides (`api`, `api_all`,
`originate`): esl_handlers.commands.EslSwitch inherits them. Services call these (through
centrex.platform.ports.switch()) instead of writing command strings."""
from __future__ import annotations

from centrex.freeswitch import commands
from centrex.freeswitch.commands import ConferenceMember, SwitchStatus
from centrex.platform.ports import SwitchError


class SwitchCommandsBase:
    """centrex.platform.ports.SwitchCommands: subclasses provide api, api_all and originate."""

    def api(self, command: str, *, node: str | None = None) -> str:
        raise NotImplementedError

    def api_all(self, command: str) -> dict[str, str]:
        raise NotImplementedError

    def originate(self, leg: str, destination: str, *, variables: dict[str, str] | None = None) -> str:
        raise NotImplementedError

    def check_sync(self, extension: str, domain: str, profile: str = "internal") -> dict[str, str]:
        """Every node NOTIFYs the phones registered as extension@domain: they re-fetch their configuration."""
        return self.api_all(commands.check_sync(profile, extension, domain))

    def conference_members(self, room: str) -> list[ConferenceMember]:
        """The people in a room now (SwitchError "… not found" when nobody is in it)."""
        return commands.parse_conference_list(self.api(commands.conference_list(room)))

    def conference_member_action(self, room: str, action: str, member_id: int) -> str:
        """mute / unmute / kick / deaf / undeaf one member: FreeSWITCH's +OK reply, or SwitchError."""
        try:
            command = commands.conference_member(room, action, member_id)
        except ValueError:
            raise SwitchError(f"Action de conférence inconnue / unknown conference action: {action}") from None
        return self.api(command).strip()

    def callcenter_table(self, table: str, *, node: str | None = None) -> list[dict[str, str]]:
        """mod_callcenter's queue, agent or tier table on one node, one dict per row."""
        return commands.parse_callcenter_table(self.api(commands.callcenter_list(table), node=node))

    def node_status(self, node: str) -> SwitchStatus:
        """One node's `status` (uptime, ready, sessions now and its caps); SwitchError when unreachable."""
        return commands.parse_status(self.api(commands.STATUS, node=node))
