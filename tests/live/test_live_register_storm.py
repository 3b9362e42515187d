"""A quick REGISTER storm through the live switch, to choose the switch's side settings (README, "Pointing a
real FreeSWITCH 1.10 at it": the shipped settings and why). Not part of the suite: it runs only with
CENTREX_LIVE_STORM=1 and prints its figures (CENTREX_LIVE_STORM_RATES=100,200,300 and
CENTREX_LIVE_STORM_PARTS=cache,message-query,max-registrations choose what); run it once per switch database:

    CENTREX_LIVE_STORM=1 CENTREX_LIVE_SWITCH_DB=sqlite|pgsql CENTREX_REQUIRE_FREESWITCH=1 PYTHONPATH=$PWD \\
        scripts/with-postgres.sh .venv/bin/python -m pytest tests/live/test_live_register_storm.py -q -s

2 000 users in 100 companies (bench/harness/bulk.py), one full digest dance each (REGISTER, 401, REGISTER,
200; the phones answer the switch's NOTIFYs, SIPp -aa) at a fixed rate; a REGISTER without its 200 within
8 s counts as failed (SIPp retransmits meanwhile, as a phone does). Rounds per rate: cold (no registration,
switch cache empty), again with the switch's user cache flushed (every phone re-registers, each lookup asks
Centrex), again with the cache warm. Then the cold round with send-message-query-on-register false /
first-only / true, and with the directory's max-registrations-per-extension 0 (no limit: no count in the
switch) / 5."""
from __future__ import annotations

import csv
import os
import statistics
import subprocess
import time
from pathlib import Path

import pytest
from sipp import SIPP
from sqlalchemy import text

from smtp_server import free_port

pytestmark = [pytest.mark.live, pytest.mark.skipif(os.environ.get("CENTREX_LIVE_STORM") != "1",
                                                   reason="the storm runs only with CENTREX_LIVE_STORM=1")]

SECRET = "storm-secret-2026"
PHONES_PORT = free_port()  # the same for every round: a phone re-registers from the contact it had
COMPANIES, USERS_PER_COMPANY = 100, 20
PARTS = os.environ.get("CENTREX_LIVE_STORM_PARTS", "cache,message-query,max-registrations").split(",")
RATES = [int(r) for r in os.environ.get("CENTREX_LIVE_STORM_RATES", "100,200,300").split(",")]

SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register-storm">
  <send retrans="500" start_rtd="1"><![CDATA[
      REGISTER sip:[field1] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[field1]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[field1]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Expires: 3600
      Content-Length: 0

  ]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
      REGISTER sip:[field1] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[field1]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[field1]>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port];transport=[transport]>
      [field2]
      Max-Forwards: 70
      Expires: 3600
      Content-Length: 0

  ]]></send>
  <recv response="200" rtd="1"/>
</scenario>
"""


def add_users(live) -> list[tuple[str, str]]:
    from bench.harness.bulk import add_tenants, tenant_domain

    with live.data() as session:
        add_tenants(1, COMPANIES, USERS_PER_COMPANY, live.product.env["CENTREX_SIP_SECRET_KEY"])
        session.execute(text(  # one known secret (the bench's are random): the storm's phones know it
            "UPDATE sip_user u SET sip_a1_hash = md5(u.extension || ':' || t.domain || ':' || :secret) "
            "FROM tenant t WHERE t.id = u.tenant_id AND t.domain LIKE '%.bench.example'"), {"secret": SECRET})
    return [(str(1000 + i), tenant_domain(n)) for n in range(1, COMPANIES + 1) for i in range(USERS_PER_COMPANY)]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def storm(live, users, rate: int, label: str) -> dict:
    work = live.root / "storm"
    work.mkdir(exist_ok=True)
    stem = work / f"{label}-{rate}"
    stem.with_suffix(".csv").write_text("SEQUENTIAL\n" + "".join(
        f"{u};{d};[authentication username={u} password={SECRET}]\n" for u, d in users))
    stem.with_suffix(".xml").write_text(SCENARIO)
    load = Path("/proc/loadavg").read_text().split()[0]
    switch_cpu, busy, started = cpu_seconds(live.switch.process.pid), busy_seconds(), time.monotonic()
    process = subprocess.run(
        [SIPP, live.internal, "-sf", str(stem.with_suffix(".xml")), "-inf", str(stem.with_suffix(".csv")),
         "-i", "127.0.0.1", "-p", str(PHONES_PORT), "-aa", "-r", str(rate), "-m", str(len(users)),
         "-recv_timeout", "8000", "-timeout", f"{len(users) // rate + 30}s", "-nostdin",
         "-trace_stat", "-stf", str(stem.with_suffix(".stat")),
         "-trace_rtt", "-rtt_freq", "1", "-trace_err", "-error_file", str(stem.with_suffix(".err"))],
        cwd=work, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=len(users) // rate + 60)
    elapsed = time.monotonic() - started
    switch_cpu, busy = cpu_seconds(live.switch.process.pid) - switch_cpu, busy_seconds() - busy
    stats = list(csv.DictReader(stem.with_suffix(".stat").open(), delimiter=";"))[-1]
    times = sorted(float(row[1]) for path in work.glob("*_rtt.csv") if path.stat().st_mtime >= started - 1
                   for row in csv.reader(path.open(), delimiter=";") if row and row[0][:1].isdigit())
    for path in work.glob("*_rtt.csv"):
        path.unlink()
    ok, failed = int(stats["SuccessfulCall(C)"]), int(stats["FailedCall(C)"])
    figures = {"label": label, "rate": rate, "ok": ok, "failed": failed, "ok_per_s": round(ok / elapsed, 1),
               "p50_ms": round(statistics.median(times), 1) if times else None,
               "p99_ms": round(times[int(len(times) * 0.99) - 1], 1) if times else None,
               "switch_cpu_s": round(switch_cpu, 1), "machine_busy_s": round(busy, 1), "load1_at_start": load,
               "rc": process.returncode}
    print("STORM", figures, flush=True)
    return figures


def unregister_all(live) -> None:
    live.switch.api("sofia profile internal flush_inbound_reg")
    time.sleep(5)  # sofia's queued SQL thread deletes them


def set_message_query(live, value: str) -> None:
    profile = live.switch.conf / "sip_profiles" / "internal.xml"
    text_now = profile.read_text()
    start = text_now.index('<param name="send-message-query-on-register"')
    end = text_now.index("/>", start) + 2
    profile.write_text(f'{text_now[:start]}<param name="send-message-query-on-register" value="{value}"/>'
                       f'{text_now[end:]}')
    live.switch.api("reloadxml")
    live.switch.api("sofia profile internal restart")
    time.sleep(3)
    live.wait_for(lambda: any(line.split()[:1] == ["internal"] and "RUNNING" in line
                              for line in live.switch.api("sofia status").splitlines()),
                  timeout=30, what="internal profile running")
    time.sleep(2)


def set_max_registrations(live, value: str) -> None:
    live.product.env["CENTREX_MAX_REGISTRATIONS_PER_EXTENSION"] = value
    live.product.kill("gunicorn")
    live.product.start_web()
    live.switch.api("xml_flush_cache")


def test_register_storm(live):
    users = add_users(live)
    time.sleep(2)
    print("STORM switch database:", os.environ.get("CENTREX_LIVE_SWITCH_DB", "sqlite"), "cores:", os.cpu_count())
    for rate in RATES if "cache" in PARTS else []:
        live.switch.api("xml_flush_cache")
        unregister_all(live)
        storm(live, users, rate, "cold")
        time.sleep(2)
        live.switch.api("xml_flush_cache")
        storm(live, users, rate, "again-cache-flushed")
        time.sleep(2)
        storm(live, users, rate, "again-cache-warm")
        time.sleep(2)
    for value in ("false", "first-only", "true") if "message-query" in PARTS else ():
        set_message_query(live, value)
        for rate in RATES:
            live.switch.api("xml_flush_cache")
            unregister_all(live)
            storm(live, users, rate, f"cold-message-query-{value}")
            time.sleep(2)
    for value in ("0", "5") if "max-registrations" in PARTS else ():
        set_max_registrations(live, value)
        for rate in RATES:
            live.switch.api("xml_flush_cache")
            unregister_all(live)
            storm(live, users, rate, f"cold-max-registrations-{value}")
            time.sleep(2)
