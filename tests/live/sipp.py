"""SIPp (Debian's sip-tester) as desk phones and as the carrier. Scenarios are written per use from the
templates below; every SIP message a SIPp process sends or receives is traced to a file, and the tests read
those traces: which responses came, which INVITEs arrived and when, what headers the carrier saw."""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from live_processes import stop_process

SIPP = shutil.which("sipp")
PCAPS = Path("/usr/share/sip-tester")
TRACE_SEPARATOR = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+)\s*$", re.M)

SDP = """Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 0 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=sendrecv"""

OUT_OF_CALL = """  <label id="notify"/>
  <send next="end">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
"""


def reply(code: int, reason: str, sdp: str = "") -> str:
    """The CDATA of a response to the request just received; `sdp`: its body, with its Content- headers."""
    body = sdp or "Content-Length: 0\n"
    contact = "      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>\n" if code < 300 else ""
    return f"""
    <![CDATA[
      SIP/2.0 {code} {reason}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
{contact}      {body}
    ]]>"""


# The far end hung up: its BYE is answered and the scenario ends.
BYE_ANSWERED = f"""  <label id="bye"/>
  <send next="end">{reply(200, "OK")}</send>
"""


def phone_scenario(behaviour: str, ring_ms: int = 0, talk_ms: int = 0, dtmf: str = "") -> str:
    """What a desk phone does with an INVITE: "answer" after ring_ms (then sends `dtmf` as RFC 2833 events
    a second apart, and waits for the BYE, or hangs up after talk_ms), "busy" (486), "ring" (rings until
    cancelled). NOTIFY (MWI), OPTIONS and MESSAGE (instant messages) get a 200."""
    head = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="phone">
  <recv request="NOTIFY" optional="true" next="notify"/>
  <recv request="OPTIONS" optional="true" next="notify"/>
  <recv request="MESSAGE" optional="true" next="notify"/>
  <recv request="INVITE" crlf="true" rrs="true"/>
"""
    if behaviour == "busy":
        body = f"""  <send>{reply(486, "Busy Here")}</send>
  <recv request="ACK" next="end"/>
"""
    else:
        answer = ""
        if behaviour == "answer":
            hangup = f"""  <recv request="BYE" timeout="{talk_ms}" ontimeout="hangup" next="bye"/>
  <label id="hangup"/>
  <send>
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$peer_to]
      To: [$peer_from]
      [last_Call-ID:]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" next="end"/>
""" if talk_ms else ""
            ack = """  <recv request="ACK" crlf="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer_from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="peer_to"/>
    </action>
  </recv>""" if talk_ms else '  <recv request="ACK" crlf="true"/>'
            answer = f"""  <label id="answer"/>
  <send>{reply(200, "OK", sdp=SDP)}</send>
{ack}
{dtmf_actions(dtmf, 1000)}{hangup}  <recv request="BYE" next="bye"/>
"""
        wait = f'timeout="{ring_ms}" ontimeout="answer" ' if behaviour == "answer" else ""
        body = f"""  <send>{reply(180, "Ringing")}</send>
  <recv request="CANCEL" {wait}next="cancel"/>
{answer}  <label id="cancel"/>
  <send>{reply(200, "OK")}</send>
  <send>
    <![CDATA[
      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      CSeq: [cseq] INVITE
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK" next="end"/>
{BYE_ANSWERED}"""
    return head + body + OUT_OF_CALL + '  <label id="end"/>\n</scenario>\n'


def register_scenario(expires: int = 3600, user_agent: str = "SIPp-phone") -> str:
    def register(cseq: int, auth: str = "") -> str:
        return f"""  <send retrans="500">
    <![CDATA[
      REGISTER sip:[field1] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[field1]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[field1]>
      Call-ID: [call_id]
      CSeq: {cseq} REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port];transport=[transport]>
{auth}      Max-Forwards: 70
      Expires: {expires}
      User-Agent: {user_agent}
      Content-Length: 0

    ]]>
  </send>
"""
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
{register(1)}  <recv response="401" auth="true"/>
{register(2, AUTH_LINE)}  <recv response="200" optional="true" next="end"/>
  <recv response="403"/>
  <label id="end"/>
</scenario>
"""


AUTH_LINE = "      [authentication]\n"


def dtmf_actions(dtmf: str, wait_before_dtmf_ms: int) -> str:
    """Scenario lines sending `dtmf` as RFC 2833 events, each after a pause."""
    digits = ""
    for digit in dtmf:
        name = {"*": "star", "#": "pound"}.get(digit, digit)
        digits += f"""  <pause milliseconds="{wait_before_dtmf_ms}"/>
  <nop><action><exec play_pcap_audio="{PCAPS / f'dtmf_2833_{name}.pcap'}"/></action></nop>
"""
    return digits


def call_scenario(*, auth: bool, talk_ms: int, dtmf: str = "", media: str = "", wait_before_dtmf_ms: int = 1500,
                  extra_headers: str = "") -> str:
    """A caller: INVITE (with digest if challenged), then whatever final answer; when answered it plays
    `media` (a pcap of RTP), sends `dtmf` digits as RFC 2833 events and hangs up after talk_ms."""
    def invite(cseq: int, auth: str = "") -> str:
        return f"""
    <![CDATA[
      INVITE sip:[field1]@[field2] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[field3]" <sip:[field0]@[field4]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field1]@[field2]>
      Call-ID: [call_id]
      CSeq: {cseq} INVITE
      Contact: <sip:[field0]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
{auth}{extra_headers}      {SDP}
    ]]>"""
    def refusal_ack(cseq: int | str) -> str:
        """The ACK of a final refusal (the 407 challenge, a 4xx-6xx answer): same transaction as the INVITE."""
        return f"""  <send>
    <![CDATA[
      ACK sip:[field1]@[field2] SIP/2.0
      [last_Via:]
      From: "[field3]" <sip:[field0]@[field4]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: {cseq} ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
"""
    challenge = ""
    if auth:
        challenge = f"""  <recv response="100" optional="true"/>
  <recv response="407" auth="true"/>
{refusal_ack(1)}  <send retrans="500">{invite(2, AUTH_LINE)}</send>
"""
    play = f'  <nop><action><exec play_pcap_audio="{media}"/></action></nop>\n' if media else ""
    digits = dtmf_actions(dtmf, wait_before_dtmf_ms)
    finals = "".join(f'  <recv response="{code}" optional="true" next="refused"/>\n'
                     for code in (403, 404, 407, 480, 486, 487, 488, 500, 502, 503, 600, 603))
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="call">
  <send retrans="500">{invite(1)}</send>
{challenge}  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
{finals}  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[field3]" <sip:[field0]@[field4]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: [cseq] ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
{play}{digits}  <recv request="BYE" timeout="{talk_ms}" ontimeout="hangup" next="bye"/>
  <label id="hangup"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[field3]" <sip:[field0]@[field4]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 9 BYE
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" next="end"/>
{BYE_ANSWERED}  <label id="refused"/>
{refusal_ack("[cseq]")}  <label id="end"/>
</scenario>
"""


@dataclass
class Message:
    at: datetime
    direction: str  # "received" or "sent"
    text: str

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].strip()

    @property
    def status(self) -> int | None:
        match = re.match(r"SIP/2\.0 (\d{3})", self.first_line)
        return int(match[1]) if match else None

    @property
    def method(self) -> str | None:
        return None if self.first_line.startswith("SIP/2.0") else self.first_line.split(" ", 1)[0]

    def header(self, name: str) -> str | None:
        for line in self.text.split("\n")[1:]:
            if not line.strip():
                return None
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


def read_trace(path: Path) -> list[Message]:
    if not path.exists():
        return []
    raw = path.read_text(errors="replace").replace("\r\n", "\n")
    parts = TRACE_SEPARATOR.split(raw)
    messages = []
    for stamp, block in zip(parts[1::2], parts[2::2]):
        head, _, text = block.lstrip("\n").partition("\n")
        direction = "received" if "received" in head else "sent"
        when = datetime.strptime(re.sub(r"\s+", " ", stamp), "%Y-%m-%d %H:%M:%S.%f")
        messages.append(Message(when, direction, text.strip("\n")))
    return messages


class Sipp:
    """Runs SIPp scenarios from a folder of its own; `switch` is the target host:port."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self._count = 0

    def _files(self, name: str, scenario: str, fields: list[list[str]]) -> tuple[Path, Path, Path]:
        self._count += 1
        stem = self.workdir / f"{self._count:03d}-{name}"
        scenario_file, csv, trace = stem.with_suffix(".xml"), stem.with_suffix(".csv"), stem.with_suffix(".msg")
        scenario_file.write_text(scenario)
        csv.write_text("SEQUENTIAL\n" + "".join(";".join(row) + "\n" for row in fields))
        return scenario_file, csv, trace

    def argv(self, target: str, scenario: Path, csv: Path, trace: Path, port: int, *extra: str) -> list[str]:
        return [SIPP, target, "-sf", str(scenario), "-inf", str(csv), "-i", "127.0.0.1", "-p", str(port),
                "-mi", "127.0.0.1", "-mp", str(port + 2), "-trace_msg", "-message_file", str(trace),
                "-nostdin", "-trace_err", "-error_file", str(trace.with_suffix(".err")), *extra]

    def run(self, name: str, target: str, scenario: str, fields: list[str], port: int, *extra: str,
            timeout: float = 60) -> Result:
        files = self._files(name, scenario, [fields])
        process = subprocess.run(self.argv(target, *files, port, "-m", "1", "-timeout", f"{int(timeout)}s",
                                           "-timeout_error", *extra),
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout + 15)
        return Result(process.returncode, read_trace(files[2]), process.stdout + process.stderr)

    def start(self, name: str, target: str, scenario: str, fields: list[str], port: int, *extra: str) -> Running:
        files = self._files(name, scenario, [fields])
        log = open(files[2].with_suffix(".out"), "wb")
        process = subprocess.Popen(self.argv(target, *files, port, *extra), stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT)
        wait_until_listening(process, port)
        return Running(process, files[2])


def wait_until_listening(process: subprocess.Popen, port: int, timeout: float = 5.0) -> None:
    """Until the SIPp process has bound its UDP port: a request sent before that is refused by the kernel
    (ICMP port unreachable), and FreeSWITCH then gives up on it at once instead of retransmitting."""
    bound = f":{port:04X}"  # /proc/net/udp's local_address column: 0100007F:9C40
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with open("/proc/net/udp") as table:
            if any(line.split()[1].endswith(bound) for line in table.readlines()[1:]):
                return
        time.sleep(0.05)
    time.sleep(0.3)  # no /proc answer (or the process ended): the old fixed pause


@dataclass
class Result:
    returncode: int
    messages: list[Message]
    output: str

    def responses(self, method: str = "INVITE") -> list[int]:
        """The statuses received for `method`, once each per request (a switch slower than SIPp's 500 ms
        retransmission answers the same request twice)."""
        seen, statuses = set(), []
        for m in self.messages:
            if m.direction == "received" and m.status and (m.header("CSeq") or "").endswith(method):
                key = (m.header("CSeq"), m.status)
                if key not in seen:
                    seen.add(key)
                    statuses.append(m.status)
        return statuses

    @property
    def final(self) -> int | None:
        finals = [code for code in self.responses() or self.responses("REGISTER") if code >= 200]
        return finals[-1] if finals else None


class Running:
    def __init__(self, process: subprocess.Popen, trace: Path):
        self.process, self.trace = process, trace

    def messages(self) -> list[Message]:
        return read_trace(self.trace)

    def received(self, method: str) -> list[Message]:
        return [m for m in self.messages() if m.direction == "received" and m.method == method]

    def stop(self) -> None:
        stop_process(self.process, timeout=5)
