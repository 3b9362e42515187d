"""Two FreeSWITCH nodes behind the edge, for the cluster tests: each configured by freeswitch/deploy.py
--behind-edge (as the README says) on a copy of the stock configuration, with folders and ports of its
own; the product (gunicorn for xml_curl, the ESL listener hearing both nodes) on the cluster's database;
the nodes listed in the product's table switch_node, which Kamailio's dispatcher reads."""
from __future__ import annotations

import random
import secrets
import time
from pathlib import Path

from live_product import LiveProduct
from live_switch import LiveSwitch, Ports, find_freeswitch
from sipp import call_scenario, phone_scenario, register_scenario

from smtp_server import free_port

INSTALL = find_freeswitch()
REPO = Path(__file__).resolve().parents[2]


class EdgeNode(LiveSwitch):
    """A FreeSWITCH node behind Kamailio: no registration, calls from the edge trusted by its ACL."""

    def __init__(self, name: str, root: Path, edge: str, **kwargs):
        super().__init__(INSTALL, root, **kwargs)
        self.name, self.edge = name, edge

    def deploy_options(self) -> list[str]:
        return [*super().deploy_options(), "--behind-edge", self.edge]

    @property
    def sip_address(self) -> str:
        return f"sip:127.0.0.1:{self.ports.internal}"

    @property
    def esl_node(self) -> str:
        return f"127.0.0.1:{self.ports.esl}:{self.esl_password}"

    def kill(self) -> None:
        """kill -9: the node dies as a crashed machine would, answering nothing."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def channels(self) -> int:
        out = self.api("show channels count")
        return int(out.split()[0]) if out.split() and out.split()[0].isdigit() else 0


class Pool:
    """The edge, the product and the nodes; calls placed through the edge and where they landed."""

    def __init__(self, cluster, product: LiveProduct, nodes: dict[str, EdgeNode]):
        self.cluster, self.product, self.nodes = cluster, product, nodes
        self.phones: list = []

    def list_nodes(self) -> None:
        """Every node added with the product's command (`flask nodes add`); the edge sees the pool change
        and reloads its dispatcher by itself (its POOL_WATCH route)."""
        for node in self.nodes.values():
            self.product.flask("nodes", "add", node.name, node.sip_address, f"127.0.0.1:{node.ports.esl}")

    def drain(self, name: str, drained: bool = True) -> None:
        """`flask nodes drain NAME` (or `return`); nobody runs kamcmd: the edge follows the table."""
        self.product.flask("nodes", "drain" if drained else "return", name)

    def dispatcher_states(self) -> dict[str, str]:
        """Node name -> the dispatcher's flags for it (AP active+probing, IP inactive, DX disabled...)."""
        listed = self.cluster.edge.rpc("dispatcher.list")
        states = {}
        for node in self.nodes.values():
            at = listed.find(f"URI: {node.sip_address}")
            if at >= 0:
                states[node.name] = listed[at:].split("FLAGS:", 1)[1].split()[0]
        return states

    def call(self, extension: str, number: str, domain: str = "dupont.example", *, talk_ms: int = 2000,
             timeout: float = 30, secret: str | None = None):
        """That user's phone dials `number` through the edge (digest-authenticated by Kamailio with the
        user's secret, or `secret`)."""
        secret = secret or self.cluster.secret(extension, domain)
        return self.cluster.sipp.run(f"call-{extension}-{number}", self.cluster.edge.address,
                                     call_scenario(auth=True, talk_ms=talk_ms),
                                     [extension, number, domain, extension, domain], next(self.cluster._ports),
                                     "-au", extension, "-ap", secret, timeout=timeout)

    def phone(self, extension: str, domain: str = "dupont.example", behaviour: str = "answer", **kwargs):
        """A phone registered through the edge from its own port, then answering there as told."""
        port = next(self.cluster._ports)
        result = self.cluster.sipp.run(f"register-{extension}", self.cluster.edge.address, register_scenario(),
                                       [extension, domain], port, "-au", extension, "-ap",
                                       self.cluster.secret(extension, domain))
        assert result.responses("REGISTER") == [401, 200], result.output
        uas = self.cluster.sipp.start(f"phone-{extension}-{domain}", self.cluster.edge.address,
                                      phone_scenario(behaviour, **kwargs), [extension], port, "-s", extension)
        self.phones.append(uas)
        return uas

    def node_of(self, result) -> str | None:
        """The node that answered a call: the Contact of its 200 names the node's address."""
        for message in result.messages:
            if message.direction == "received" and message.status == 200 and "INVITE" in (message.header("CSeq") or ""):
                contact = message.header("Contact") or ""
                return next((n.name for n in self.nodes.values() if f":{n.ports.internal}" in contact), None)
        return None


def start_pool(cluster, root: Path) -> Pool:
    product = LiveProduct(root / "product", cluster.database_url, port=free_port(), esl_node="",
                          smtp_port=free_port(), fax_intake_port=free_port(),
                          voicemail_storage=root / "voicemail", cdr_spool=root / "cdr-spool",
                          cdr_port=free_port())
    product.env.update({"CENTREX_SECRET_KEY": cluster.env["CENTREX_SECRET_KEY"],
                        "CENTREX_SIP_SECRET_KEY": cluster.env["CENTREX_SIP_SECRET_KEY"]})
    product.instance.mkdir(parents=True, exist_ok=True)
    nodes = {}
    rtp_base = random.randrange(20000, 28000, 1000)
    for index, name in enumerate(("fs-a", "fs-b")):
        ports = Ports(internal=free_port(), external=free_port(), esl=free_port(),
                      rtp_start=rtp_base + 1000 * index, wss=free_port())
        nodes[name] = EdgeNode(name, root / name, cluster.edge.address, ports=ports, centrex_url=product.url,
                               cdr_url=product.cdr_url, credentials=product.credentials,
                               esl_password=secrets.token_urlsafe(8),
                               carrier=f"127.0.0.1:{free_port()}")
    product.env["CENTREX_ESL_NODES"] = ",".join(node.esl_node for node in nodes.values())
    product.env["CENTREX_SIP_EDGE"] = cluster.edge.address
    product.start_web()
    product.start_listener()
    for node in nodes.values():
        node.configure()
        node.start()
    pool = Pool(cluster, product, nodes)
    pool.list_nodes()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and set(pool.dispatcher_states().values()) != {"AP"}:
        time.sleep(0.3)
    return pool
