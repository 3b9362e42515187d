"""A desk phone as its provisioning file makes it: fetched from the live product as a factory phone does
(bootstrap, then its MAC and token), registered with the account the file carries, subscribed to
message-summary as the file says (a SIPp UAC on a port of its own, with the phone's port as Contact:
SIPp cannot be a UAS and a UAC at once), and answering NOTIFYs on the phone's port."""
from __future__ import annotations

import base64
import urllib.request
from dataclasses import dataclass

from sipp import OUT_OF_CALL, phone_scenario, register_scenario

YEALINK_UA = "Yealink SIP-T46U 108.86.0.45 80:5e:c0:f0:0d:02"

# The phone answers a NOTIFY inside the subscription's dialog with the To tag the NOTIFY carries (it is
# the SUBSCRIBE's From tag); the shared scenario adds a second tag, meant for out-of-dialog NOTIFYs.
IN_DIALOG_OK = OUT_OF_CALL.replace("[last_To:];tag=[pid]SIPpTag01[call_number]", "[last_To:]")


def fetch(url: str, *, user_agent: str, credentials: tuple[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    if credentials:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def parse_cfg(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        if " = " in line and not line.startswith("#"):
            key, _, value = line.partition(" = ")
            values[key.strip()] = value.strip()
    return values


def subscribe_scenario(expires: int = 3600, user_agent: str = YEALINK_UA) -> str:
    """SUBSCRIBE to message-summary for [field0]@[field1] (digest-authenticated), Contact on port [field2]."""
    def request(cseq: int, auth: str = "") -> str:
        return f"""  <send retrans="500">
    <![CDATA[
      SUBSCRIBE sip:[field0]@[field1] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field3]@[field1]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[field1]>
      Call-ID: [call_id]
      CSeq: {cseq} SUBSCRIBE
      Contact: <sip:[field3]@[local_ip]:[field2];transport=[transport]>
{auth}      Event: message-summary
      Accept: application/simple-message-summary
      Expires: {expires}
      Max-Forwards: 70
      User-Agent: {user_agent}
      Content-Length: 0

    ]]>
  </send>
"""
    challenged = request(2, "      [authentication]\n")
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="subscribe-mwi">
{request(1)}  <recv response="100" optional="true"/>
  <recv response="401" optional="true" auth="true" next="auth"/>
  <recv response="407" auth="true"/>
  <label id="auth"/>
{challenged}  <recv response="100" optional="true"/>
  <recv response="200" optional="true" next="end"/>
  <recv response="202"/>
  <label id="end"/>
</scenario>
"""


@dataclass
class ProvisionedPhone:
    """The account a fetched file gave, the phone's SIP port and its running UAS."""
    live: object
    values: dict
    port: int
    uas: object = None
    registered: bool = False

    @property
    def user(self) -> str:
        return self.values["account.1.user_name"]

    @property
    def password(self) -> str:
        return self.values["account.1.password"]

    @property
    def domain(self) -> str:
        return self.values["account.1.sip_server.1.address"]

    def register(self, expires: int = 3600):
        """REGISTER from the phone's port with the file's credentials (the UAS steps aside meanwhile)."""
        self.stop()
        result = self.live.sipp.run(f"file-register-{self.user}", self.live.internal,
                                    register_scenario(expires, YEALINK_UA), [self.user, self.domain], self.port,
                                    "-au", self.values["account.1.auth_name"], "-ap", self.password)
        self.registered = result.final == 200 and expires > 0
        if expires:
            scenario = phone_scenario("busy").replace(OUT_OF_CALL, IN_DIALOG_OK)
            self.uas = self.live.sipp.start(f"file-phone-{self.user}", self.live.internal, scenario, [self.user],
                                            self.port, "-s", self.user)
        return result

    def subscribe_mwi(self):
        """SUBSCRIBE as the file says: to the voicemail number (subscribe_mwi_to_vm = 1) or to the account."""
        if self.values.get("account.1.subscribe_mwi") != "1":
            return None
        to_vm = self.values.get("account.1.subscribe_mwi_to_vm") == "1"
        target = self.values["voice_mail.number.1"] if to_vm else self.user
        return self.live.sipp.run(f"file-subscribe-{self.user}", self.live.internal, subscribe_scenario(),
                                  [target, self.domain, str(self.port), self.user], self.live.port(),
                                  "-au", self.values["account.1.auth_name"], "-ap", self.password)

    def notifies(self) -> list:
        return self.uas.received("NOTIFY") if self.uas else []

    def stop(self) -> None:
        if self.uas is not None:
            self.uas.stop()
            self.uas = None
