"""A fax machine on the carrier's side: a second, minimal FreeSWITCH whose one SIP profile listens where the
`carrier` gateway points and answers every call with `rxfax` into a folder (its own clock: rtp-timer soft).
Started in place of the carrier's SIPp for a test, stopped after it."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from live_processes import stop_process

CONF = """<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="configuration">
    <configuration name="switch.conf"><settings>
      <param name="rtp-start-port" value="{rtp}"/><param name="rtp-end-port" value="{rtp_end}"/>
    </settings></configuration>
    <configuration name="modules.conf"><modules>
      <load module="mod_logfile"/><load module="mod_event_socket"/><load module="mod_sofia"/>
      <load module="mod_commands"/><load module="mod_dptools"/><load module="mod_dialplan_xml"/>
      <load module="mod_spandsp"/><load module="mod_tone_stream"/><load module="mod_sndfile"/>
    </modules></configuration>
    <configuration name="logfile.conf"><profiles><profile name="default"><settings/><mappings>
      <map name="all" value="debug,info,notice,warning,err,crit,alert"/></mappings></profile></profiles>
    </configuration>
    <configuration name="event_socket.conf"><settings>
      <param name="listen-ip" value="127.0.0.1"/><param name="listen-port" value="{esl}"/>
      <param name="password" value="ClueCon"/>
    </settings></configuration>
    <configuration name="sofia.conf"><profiles><profile name="faxmachine"><settings>
      <param name="sip-ip" value="127.0.0.1"/><param name="rtp-ip" value="127.0.0.1"/>
      <param name="ext-sip-ip" value="127.0.0.1"/><param name="ext-rtp-ip" value="127.0.0.1"/>
      <param name="sip-port" value="{sip}"/><param name="context" value="fax"/><param name="dialplan" value="XML"/>
      <param name="auth-calls" value="false"/><param name="codec-prefs" value="PCMA,PCMU"/>
      <param name="rtp-timer-name" value="soft"/><param name="t38-passthru" value="false"/>
    </settings></profile></profiles></configuration>
  </section>
  <section name="dialplan"><context name="fax"><extension name="fax">
    <condition field="destination_number" expression="^(.+)$">
      <action application="set" data="fax_enable_t38={t38}"/>
      <action application="answer"/>
      <action application="rxfax" data="{inbox}/$1-${{uuid}}.tif"/>
      <action application="hangup"/>
    </condition>
  </extension></context></section>
</document>
"""


class FaxMachine:
    def __init__(self, install, root: Path, sip_port: int, esl_port: int, rtp_start: int):
        self.install, self.root, self.sip_port, self.esl_port = install, root, sip_port, esl_port
        self.rtp_start = rtp_start
        self.inbox = root / "inbox"
        self.process: subprocess.Popen | None = None

    def start(self, *, t38: bool = False, timeout: float = 30.0) -> FaxMachine:
        for name in ("conf", "log", "db", "run", "storage", "inbox"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        (self.root / "conf" / "freeswitch.xml").write_text(CONF.format(
            rtp=self.rtp_start, rtp_end=self.rtp_start + 98, esl=self.esl_port, sip=self.sip_port,
            t38="true" if t38 else "false", inbox=self.inbox))
        env = {"PATH": "/usr/bin:/bin"}
        if self.install.lib:
            env["LD_LIBRARY_PATH"] = str(self.install.lib)
        self.process = subprocess.Popen(
            [str(self.install.binary), "-nonat", "-nc", "-nf", *(x for name in ("conf", "log", "db", "run", "storage")
                                                                 for x in (f"-{name}", str(self.root / name)))],
            env=env, stdin=subprocess.DEVNULL, stdout=open(self.root / "stdout.log", "ab"),
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the fax machine's FreeSWITCH exited: {self.log()[-3000:]}")
            if "RUNNING" in self.api("sofia status"):
                return self
            time.sleep(0.3)
        raise RuntimeError(f"the fax machine's FreeSWITCH did not start: {self.log()[-3000:]}")

    def api(self, command: str) -> str:
        result = subprocess.run([str(self.install.fs_cli), "-H", "127.0.0.1", "-P", str(self.esl_port),
                                 "-p", "ClueCon", "-x", command], capture_output=True, text=True, timeout=10,
                                env={"LD_LIBRARY_PATH": str(self.install.lib or "")})
        return result.stdout

    def log(self) -> str:
        path = self.root / "log" / "freeswitch.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def received(self) -> dict[str, int]:
        """{file name: pages} of the faxes it received completely (the log says so once rxfax is done)."""
        done = {}
        for path in sorted(self.inbox.glob("*.tif")):
            info = subprocess.run(["tiffinfo", str(path)], capture_output=True, text=True).stdout
            pages = len(re.findall(r"^TIFF Directory at", info, re.M))
            if pages:
                done[path.name] = pages
        return done

    def stop(self) -> None:
        stop_process(self.process, timeout=20)
