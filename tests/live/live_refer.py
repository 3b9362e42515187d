"""A desk phone that answers, then transfers the call blind with an in-dialog REFER (what the transfer
key of a phone does), for the live routing tests. It answers like the shared phone scenarios (sipp.py)."""
from __future__ import annotations

from sipp import SDP, reply

# The answer to a request inside the call (the switch's NOTIFYs and BYE): its To already carries our tag.
IN_DIALOG_OK = """
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  """


def transferring_phone_scenario(refer_to: str, after_ms: int = 1500) -> str:
    """Answer an INVITE, wait `after_ms`, REFER the caller to `refer_to` (a SIP URI), answer the NOTIFYs
    about the transfer, then the switch's BYE (or hang up ourselves if it never comes)."""
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="transferring phone">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="switch_uri"/>
    </action>
  </recv>
  <send>{reply(200, "OK", sdp=SDP)}</send>
  <recv request="ACK" crlf="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer_from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="peer_to"/>
    </action>
  </recv>
  <pause milliseconds="{after_ms}"/>
  <send retrans="500">
    <![CDATA[
      REFER [$switch_uri] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$peer_to]
      To: [$peer_from]
      [last_Call-ID:]
      CSeq: 2 REFER
      Contact: <sip:[service]@[local_ip]:[local_port];transport=[transport]>
      Refer-To: <{refer_to}>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="202"/>
  <label id="wait"/>
  <recv request="NOTIFY" optional="true" next="notified"/>
  <recv request="BYE" timeout="15000" ontimeout="end" next="bye"/>
  <label id="notified"/>
  <send next="wait">{IN_DIALOG_OK}</send>
  <label id="bye"/>
  <send>{IN_DIALOG_OK}</send>
  <label id="end"/>
</scenario>
"""


def transferring_phone(live, extension: str, refer_to: str, domain: str = "dupont.example", after_ms: int = 1500):
    """A registered phone of `extension` whose UAS answers and transfers (REFER) to `refer_to`."""
    phone = live.phone(extension, domain)
    phone.stop()
    phone.uas = live.sipp.start(f"refer-{extension}-{domain}", live.internal,
                                transferring_phone_scenario(refer_to, after_ms), [extension], phone.port,
                                "-s", extension)
    return phone
