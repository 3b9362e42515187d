"""The command client: centrex.platform.ports.SwitchCommands over the event socket. It provides `api`, `api_all` and
`originate`; the named commands (phone re-sync, conference control, mod_callcenter's tables) come from
centrex.freeswitch.switch.SwitchCommandsBase. Connections are opened lazily, so the web app starts without
FreeSWITCH; a connection that went stale is reopened once."""
from __future__ import annotations

import logging
import re
import threading
import time

from centrex.freeswitch.switch import SwitchCommandsBase
from centrex.platform.ports import SwitchError
from esl_handlers.esl_wrapper import EslConnection, EslDisconnected, EslError, EslUnreachable, NodeAddress

log = logging.getLogger("centrex.esl.commands")
_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def _refused(node: str, command: str, reply: str) -> SwitchError:
    what = " ".join(command.split()[:3])
    reason = reply.strip()[len("-ERR"):].strip() or "-ERR"
    return SwitchError(f"FreeSWITCH {node} a refusé « {what} » / refused it: {reason}")


def channel_variables(variables: dict[str, str] | None) -> str:
    """`{a=1,b=x\\,y}` for an originate string; refuses names or values that would break out of it."""
    if not variables:
        return ""
    parts = []
    for name, value in variables.items():
        value = str(value)
        if not _VARIABLE_NAME.match(name) or any(c in value for c in "{}\n\r'"):
            raise SwitchError(f"Variable d'appel invalide / invalid channel variable: {name}")
        value = value.replace(",", chr(92) + ",")
        # the API splits its arguments on spaces outside single quotes: `{a=Dupont SA}x` is a Parse Error
        parts.append(f"{name}='{value}'" if " " in value else f"{name}={value}")
    return "{" + ",".join(parts) + "}"


class EslSwitch(SwitchCommandsBase):
    """SwitchCommands on one or more FreeSWITCH nodes ("host:port:password" each)."""

    def __init__(self, nodes: list[str], *, connect_timeout: float = 3.0, reply_timeout: float = 10.0,
                 originate_timeout: float = 60.0):
        self.nodes = [NodeAddress.parse(spec) for spec in nodes]
        self.connect_timeout, self.reply_timeout = connect_timeout, reply_timeout
        self.originate_timeout = originate_timeout
        self._connections: dict[str, EslConnection] = {}
        self._locks = {node.name: threading.Lock() for node in self.nodes}

    @classmethod
    def from_config(cls, config) -> EslSwitch:
        return cls(list(config.get("ESL_NODES", [])))

    def _node(self, name: str | None) -> NodeAddress:
        if not self.nodes:
            raise SwitchError("Aucun FreeSWITCH configuré / no FreeSWITCH node configured "
                              "(CENTREX_ESL_NODES)")
        if name is None:
            return self.nodes[0]
        for node in self.nodes:
            if name in (node.name, node.host):
                return node
        raise SwitchError(f"FreeSWITCH {name} inconnu / unknown node")

    def _connect(self, node: NodeAddress) -> EslConnection:
        try:
            return EslConnection(node, connect_timeout=self.connect_timeout, read_timeout=self.reply_timeout)
        except EslUnreachable as exc:
            raise SwitchError(f"FreeSWITCH {node.name} injoignable / unreachable ({exc.reason})") from exc
        except EslError as exc:
            raise SwitchError(str(exc)) from exc

    # -- SwitchCommands ------------------------------------------------------------------------------
    def api(self, command: str, *, node: str | None = None) -> str:
        """Run `api <command>` on a node (the first by default); -ERR and failures raise SwitchError."""
        address = self._node(node)
        with self._locks[address.name]:
            for attempt in (1, 2):
                connection = self._connections.get(address.name)
                if connection is None or not connection.connected:
                    connection = self._connections[address.name] = self._connect(address)
                try:
                    reply = connection.api(command)
                    break
                except EslDisconnected as exc:
                    connection.close()
                    self._connections.pop(address.name, None)
                    if attempt == 2:
                        raise SwitchError(f"FreeSWITCH {address.name} ne répond plus / stopped answering "
                                          f"({command.split()[0]})") from exc
        if reply.startswith("-ERR") or reply.startswith("-USAGE"):
            raise _refused(address.name, command, reply)
        return reply

    def api_all(self, command: str) -> dict[str, str]:
        """Run `api <command>` on every node; SwitchError naming every node that failed."""
        if not self.nodes:
            self._node(None)
        results, errors = {}, []
        for address in self.nodes:
            try:
                results[address.name] = self.api(command, node=address.name)
            except SwitchError as exc:
                errors.append(str(exc))
        if errors:
            raise SwitchError("; ".join(errors))
        return results

    def originate(self, leg: str, destination: str, *, variables: dict[str, str] | None = None) -> str:
        """`bgapi originate {vars}<leg> <destination>`, waiting for its BACKGROUND_JOB; returns the Job-UUID.
        A failed originate (-ERR USER_BUSY, NO_ANSWER…) raises SwitchError with FreeSWITCH's cause."""
        if any(c in leg + destination for c in "\n\r") or not leg.strip() or not destination.strip():
            raise SwitchError("Appel invalide / invalid originate target")
        command = f"originate {channel_variables(variables)}{leg} {destination}"
        address = self._node(None)
        connection = self._connect(address)  # its own connection: waiting here blocks nobody else
        try:
            connection.subscribe(["BACKGROUND_JOB"])
            job = connection.bgapi(command)
            deadline = time.monotonic() + self.originate_timeout
            while time.monotonic() < deadline:
                event = connection.recv_event(0.5)
                if event is not None and event.get("Job-UUID") == job:
                    result = (event.body or "").strip()
                    if not result.startswith("+OK"):
                        raise _refused(address.name, "originate", result)
                    return job
            raise SwitchError(f"FreeSWITCH {address.name}: pas de réponse à l'appel / no originate result "
                              f"within {self.originate_timeout:g} s")
        except EslError as exc:
            raise SwitchError(f"FreeSWITCH {address.name}: {exc}") from exc
        finally:
            connection.close()

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()
