"""SIP MESSAGE for the live suite: a phone of a user sends one (digest-authenticated when challenged, as
phones do), and what a SIPp phone received. The phones of conftest.Phone answer MESSAGE with 200
(sipp.phone_scenario)."""
from __future__ import annotations

from sipp import AUTH_LINE

MESSAGE_FINALS = (200, 202, 403, 404, 488, 503)


def message_scenario() -> str:
    """MESSAGE from [field0]@[field1] to [field2]@[field3], text [field4] (no ";" in it: CSV)."""
    def request(cseq: int, auth: str = "") -> str:
        return f"""  <send retrans="500">
    <![CDATA[
      MESSAGE sip:[field2]@[field3] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[field1]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field2]@[field3]>
      Call-ID: [call_id]
      CSeq: {cseq} MESSAGE
{auth}      Max-Forwards: 70
      User-Agent: SIPp-phone
      Content-Type: text/plain;charset=UTF-8
      Content-Length: [len]

      [field4]
    ]]>
  </send>
"""
    finals = "".join(f'  <recv response="{code}" optional="true" next="end"/>\n' for code in MESSAGE_FINALS)
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<scenario name="message">
{request(1)}  <recv response="100" optional="true"/>
  <recv response="401" optional="true" auth="true" next="auth"/>
{finals}  <recv response="407" auth="true" next="auth"/>
  <label id="auth"/>
{request(2, AUTH_LINE)}  <recv response="100" optional="true"/>
{finals}  <recv response="401" next="end"/>
  <label id="end"/>
</scenario>
"""


def send_message(live, extension: str, domain: str, to: str, text: str, *, to_domain: str | None = None):
    """`extension`@`domain`'s phone sends `text` to `to`@`to_domain` (default: its own domain); the SIPp
    result (`responses("MESSAGE")`)."""
    return live.sipp.run(f"message-{extension}-{to}", live.internal, message_scenario(),
                         [extension, domain, to, to_domain or domain, text], live.port(),
                         "-au", extension, "-ap", live.secret(extension, domain), timeout=20)


def messages_received(phone) -> list:
    """Every MESSAGE a conftest.Phone received, oldest first."""
    return sorted((m for uas in phone.past + [phone.uas] if uas for m in uas.received("MESSAGE")),
                  key=lambda m: m.at)


def body_of(message) -> str:
    return message.text.replace("\r\n", "\n").partition("\n\n")[2].strip()


def wait_for_listener(live) -> None:
    """Until the product's ESL listener has subscribed to MESSAGE: the session's workers start with the
    suite, and a message FreeSWITCH fires before that reaches nobody."""
    live.wait_for(lambda: any("connected, listening to" in line and " MESSAGE " in line
                              for line in live.product.log_since("esl-listener").splitlines()),
                  timeout=30, what="the ESL listener subscribed to MESSAGE")
