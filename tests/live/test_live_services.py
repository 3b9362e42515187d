"""Dupont's menus, queue, conference room and hold music through the live switch: the digits a caller keys
(RFC 2833) pick the team that rings, the queue rings its agents one after the other, the room takes three
callers whom the company's administrator mutes and kicks through the API, and the company's hold class is what
FreeSWITCH plays."""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from datetime import datetime, timedelta

import pytest
from sipp import PCAPS, call_scenario
from sqlalchemy import select

pytestmark = pytest.mark.live

DOMAIN = "dupont.example"
SPEECH = PCAPS / "g711a.pcap"


def dial(live, extension: str, number: str, *, talk_ms: int, dtmf: str = "", gap_ms: int = 300,
         speaks: bool = False):
    """`extension` calls `number` and keys `dtmf` (gap_ms before each digit), then speaks (7 s of
    G.711 audio) if asked; the SIPp result."""
    scenario = call_scenario(auth=True, talk_ms=talk_ms, dtmf=dtmf, wait_before_dtmf_ms=gap_ms)
    if speaks:  # after the digits, like a phone whose microphone keeps sending RTP
        scenario = scenario.replace('  <recv request="BYE" timeout=',
                                    f'  <pause milliseconds="800"/>\n'
                                    f'  <nop><action><exec play_pcap_audio="{SPEECH}"/></action></nop>\n'
                                    '  <recv request="BYE" timeout=', 1)
    return live.sipp.run(f"call-{extension}-{number}", live.internal, scenario,
                         [extension, number, DOMAIN, extension, DOMAIN], live.port(),
                         "-au", extension, "-ap", live.secret(extension, DOMAIN), timeout=60)


class Background:
    """A call running in a thread while the test looks at the switch."""

    def __init__(self, call, *args, **kwargs):
        self.result = None
        self.thread = threading.Thread(target=self._run, args=(call, args, kwargs), daemon=True)
        self.thread.start()

    def _run(self, call, args, kwargs):
        self.result = call(*args, **kwargs)

    def wait(self, timeout: float = 90):
        self.thread.join(timeout)
        assert self.result is not None, "the call did not finish"
        return self.result


def _answered_at(result):
    return next(m.at for m in result.messages if m.direction == "received" and m.status == 200
                and (m.header("CSeq") or "").endswith("INVITE"))


def _byes(result) -> list:
    return [m for m in result.messages if m.direction == "received" and m.method == "BYE"]


def test_menu_digits_take_the_caller_to_the_support_team(phones):
    live = phones
    live.at("2026-12-07 10:00")
    support = [live.phone(ext, behaviour="ring") for ext in ("1003", "1004")]
    sales = live.phone("1002", behaviour="ring")
    # 5000: 3 = English, then 1 = Support (the demo's manual); each digit 1.5 s after the previous one.
    # (Not "11": SIPp replays a digit's pcap with the same RTP timestamp, so FreeSWITCH drops the second
    # 1 as a repeat of the first event.)
    result = dial(live, "1001", "5000", talk_ms=7000, dtmf="31", gap_ms=1500)
    assert result.final == 200, result.output
    second_digit = _answered_at(result) + timedelta(milliseconds=3000)
    for phone in support:
        invites = phone.invites()
        assert len(invites) == 1, f"{phone.extension} got {len(invites)} INVITEs"
        assert invites[0].at >= second_digit, "the team rang before the caller chose it"
    assert sales.invites() == []


def test_queue_rings_its_agents_in_order(phones):
    live = phones
    live.at("2026-12-07 10:00")
    first = live.phone("1003", behaviour="ring")
    second = live.phone("1004", behaviour="answer", ring_ms=300)
    result = dial(live, "1001", "2100", talk_ms=24000)
    assert result.final == 200, result.output
    rung_first, rung_second = first.invites(), second.invites()
    assert rung_first and rung_second, (len(rung_first), len(rung_second))
    gap = (rung_second[0].at - rung_first[0].at).total_seconds()
    # top-down: 1003 rings alone for its 15 s (QUEUE_AGENT_RING_SECONDS), then 1004 is tried.
    assert 13 <= gap <= 22, f"1004 rang {gap:.1f} s after 1003"
    cancels = [m for m in first.uas.messages() + [m for u in first.past for m in u.messages()]
               if m.direction == "received" and m.method == "CANCEL"]
    assert cancels, "1003 kept ringing"
    answered = [m for m in second.uas.messages() if m.direction == "sent" and m.status == 200
                and (m.header("CSeq") or "").endswith("INVITE")]
    assert answered, "1004 never answered"


def _room_name() -> str:
    from centrex.freeswitch import names
    return names.conference_room(DOMAIN, "3000")


def _members(live) -> list[str]:
    body = live.switch.api(f"conference {_room_name()} list")
    return [line for line in body.splitlines() if line[:1].isdigit()]


def api(live, method: str, path: str, key: str):
    """The product's JSON API over HTTP, as an integrator calls it."""
    request = urllib.request.Request(f"{live.product.url}/api/v1{path}", method=method,
                                     headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=15) as answer:
        return answer.status, json.loads(answer.read() or b"{}")


def test_conference_room_takes_three_callers_and_the_admin_mutes_and_kicks_through_the_api(phones):
    from centrex.access.api_tokens import create_token
    from centrex.models import ConferenceRoom, Tenant

    live = phones
    live.at("2026-12-07 10:00")
    log_from = live.switch.log_size()
    callers = {ext: Background(dial, live, ext, "3000", talk_ms=25000, dtmf="314159", gap_ms=250,
                                       speaks=True)
               for ext in ("1001", "1002", "1003")}
    members = live.wait_for(lambda: len(_members(live)) == 3 and _members(live), 30,
                            what="three members in the room")
    by_number = {line.split(";")[4]: int(line.split(";")[0]) for line in members}
    assert set(by_number) == set(callers), members

    with live.data() as session:
        tenant = session.execute(select(Tenant).where(Tenant.domain == DOMAIN)).scalar_one()
        room_id = session.execute(select(ConferenceRoom.id).where(ConferenceRoom.tenant_id == tenant.id,
                                                                  ConferenceRoom.number == "3000")).scalar_one()
        _token, key = create_token(tenant, {"name": "Standard", "scopes": ["conferences:read", "conferences:write"]})
    status, listed = api(live, "GET", f"/conferences/{room_id}/members", key)
    assert status == 200 and sorted(m["caller_number"] for m in listed["items"]) == ["1001", "1002", "1003"]
    status, after = api(live, "POST", f"/conferences/{room_id}/members/{by_number['1002']}/mute", key)
    listed = {m["caller_number"]: m for m in after["items"]}
    assert status == 200 and not listed["1002"]["can_speak"] and listed["1001"]["can_speak"]
    kicked_at = time.monotonic()
    status, after = api(live, "POST", f"/conferences/{room_id}/members/{by_number['1003']}/kick", key)
    assert status == 200
    # the room speaks Dupont's language: mod_conference's prompts come from the French pack
    prefixes = re.findall(r"sound prefix: (\S+)", live.switch.log_since(log_from))
    assert prefixes and all(p.endswith("/fr/ca/june") for p in prefixes), prefixes

    muted = next(line for line in _members(live) if line.split(";")[4] == "1002")
    assert "speak" not in muted.split(";")[5].split("|"), muted
    kicked = callers["1003"].wait(30)
    assert _byes(kicked), "the kicked caller got no BYE"
    assert time.monotonic() - kicked_at < 10
    assert [line.split(";")[4] for line in _members(live)] and \
        "1003" not in [line.split(";")[4] for line in _members(live)]
    for ext in ("1001", "1002"):
        live.switch.api(f"conference {_room_name()} kick {by_number[ext]}")
        assert _byes(callers[ext].wait(30))



def test_a_kicked_caller_whose_phone_sends_no_audio_is_hung_up(phones):
    live = phones
    live.at("2026-12-07 10:00")
    caller = Background(dial, live, "1004", "3000", talk_ms=9000, dtmf="314159", gap_ms=250)
    member = live.wait_for(lambda: _members(live), 20, what="the caller in the room")[0]
    kicked_at = datetime.now()
    live.switch.api(f"conference {_room_name()} kick {member.split(';')[0]}")
    byes = _byes(caller.wait(30))
    assert byes and (byes[0].at - kicked_at).total_seconds() < 3, "no BYE after the kick"

def test_calls_carry_the_company_hold_music_class(phones):
    from centrex.features import moh
    from centrex.models import MohClass, Tenant

    live = phones
    live.at("2026-12-07 10:00")
    live.phone("1002", ring_ms=200)
    call = Background(dial, live, "1001", "1002", talk_ms=5000)
    channels = live.wait_for(lambda: [row for row in json.loads(live.switch.api("show channels as json"))
                                      .get("rows", []) if row["dest"] == "1002" and row["cid_num"] == "1001"],
                             15, what="the caller's channel")
    uuid = channels[0]["uuid"]
    hold_music = live.switch.api(f"uuid_getvar {uuid} hold_music").strip()
    with live.data() as session:
        tenant = session.execute(select(Tenant).where(Tenant.domain == DOMAIN)).scalar_one()
        default = session.execute(select(MohClass).where(MohClass.tenant_id == tenant.id,
                                                         MohClass.is_default.is_(True))).scalar_one()
        stream = moh.stream_name(tenant, default)
    assert hold_music == f"local_stream://{stream}", (hold_music, channels)
    assert stream in live.switch.api("local_stream show"), "FreeSWITCH does not know the class"
    assert call.wait().final == 200
