"""/metrics after real traffic (captured FreeSWITCH requests, provisioning guesses, refused logins,
captured ESL events over the wire), its gate, /healthz and /readyz, and the workers' heartbeats."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from centrex.demo.companies import load_demo
from centrex.models import CallRecord, Tenant
from centrex.platform import heartbeat, metrics
from centrex.platform.answer_cache import cache
from centrex.platform.db import db
from conftest import read_capture, xmlcurl_headers
from esl_server import capture_events, esl_server  # noqa: F401
from listener_helpers import count, running_listener, wait_until
from webui_testing import csrf_of

FS = {"REMOTE_ADDR": "127.0.0.1"}
REGISTER = "21-directory-sip_auth-register-1001-password.http"


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics", headers=xmlcurl_headers(), environ_base=FS)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/plain"
    return {(s.name, *sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


def moved(before: dict, after: dict, name: str, **labels) -> float:
    key = (name, *sorted(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


def replay(client, capture: str, replace: dict | None = None):
    path, body = read_capture(capture)
    for old, new in (replace or {}).items():
        body = body.replace(old.encode(), new.encode())
    response = client.post(path, data=body, headers=xmlcurl_headers(), environ_base=FS)
    assert response.status_code == 200
    return response


def test_metrics_move_with_xmlcurl_provisioning_and_login_traffic(client, demo):
    before = scrape(client)
    for _ in range(3):
        replay(client, REGISTER)  # answered
    replay(client, REGISTER, {"user=1001": "user=1099"})  # no such user: not found
    replay(client, "01-configuration-xml_cdr.conf-startup.http")  # a configuration not served here
    assert client.get("/prov/001565999999.cfg", environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 404
    after = scrape(client)

    latency = "centrex_xmlcurl_request_seconds_count"
    assert moved(before, after, latency, section="directory", outcome="answered") == 3
    assert moved(before, after, latency, section="directory", outcome="not_found") == 1
    assert moved(before, after, latency, section="configuration", outcome="not_found") == 1
    assert moved(before, after, latency, section="directory", outcome="error") == 0
    # each answer ran some SQL, counted per section
    assert moved(before, after, "centrex_xmlcurl_sql_queries_total", section="directory") >= 4
    # the cache is off in these tests (SQLite, or ANSWER_CACHE off): every lookup went to the database
    assert moved(before, after, "centrex_answer_cache_lookups_total", result="bypass") >= 4
    assert moved(before, after, "centrex_provisioning_downloads_total", status="404") == 1
    # read from the database at scrape time
    assert ("centrex_outbox_messages", ("state", "waiting")) in after
    assert ("centrex_cdrs_pending",) in after


def test_a_wrong_login_counts_as_refused(client, demo):
    before = scrape(client)
    token = csrf_of(client.get("/login").data)
    response = client.post("/login", data={"email": "admin@dupont.example", "password": "not-it", "csrf_token": token})
    assert response.status_code == 401
    after = scrape(client)
    assert moved(before, after, "centrex_logins_refused_total", reason="bad_credentials") == 1


def test_lockouts_are_counted(client, demo, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROV_LOCKOUT_FAILURES", 3)
    before = scrape(client)
    statuses = [client.get(f"/prov/00156599999{i}.cfg", environ_base={"REMOTE_ADDR": "203.0.113.77"}).status_code
                for i in range(4)]
    assert statuses == [404, 404, 404, 429]
    after = scrape(client)
    assert moved(before, after, "centrex_provisioning_lockouts_total") == 1
    assert moved(before, after, "centrex_provisioning_downloads_total", status="429") == 1


@pytest.mark.parametrize("source, auth, status", [
    ("198.51.100.20", True, 403),   # a stranger's address, even with the right credentials
    ("127.0.0.1", False, 401),      # an allowed address without credentials
])
def test_metrics_are_gated_like_xmlcurl(client, source, auth, status):
    headers = xmlcurl_headers() if auth else {}
    response = client.get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": source})
    assert response.status_code == status
    assert b"centrex_" not in response.data


def test_healthz_and_readyz_answer_in_milliseconds(client):
    started = time.perf_counter()
    alive = client.get("/healthz", environ_base={"REMOTE_ADDR": "198.51.100.20"})
    ready = client.get("/readyz", environ_base={"REMOTE_ADDR": "198.51.100.20"})
    elapsed = time.perf_counter() - started
    assert alive.status_code == 200 and alive.json == {"status": "alive"}
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"] == {"database": "ok", "answer_cache": "off", "migrations": "ok"}
    assert elapsed < 0.5, elapsed


def test_flask_health_reports_stale_and_missing_workers(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["health"])
    assert result.exit_code == 1
    assert "worker esl: last heartbeat never (STALE)" in result.output
    heartbeat.Heartbeat(tmp_path, "esl").beat()
    heartbeat.Heartbeat(tmp_path, "outbox").beat()
    result = runner.invoke(args=["health"])
    assert result.exit_code == 0, result.output
    assert "database: ok" in result.output and "STALE" not in result.output
    old = time.time() - 600
    os.utime(tmp_path / "heartbeats" / "outbox", (old, old))
    result = runner.invoke(args=["health"])
    assert result.exit_code == 1
    assert "worker outbox: last heartbeat 600 s ago (STALE)" in result.output


@pytest.fixture
def tenants(committed):
    load_demo()
    committed.commit()
    return {t.domain: t.id for t in committed.execute(select(Tenant)).scalars()}


def test_esl_events_and_imported_cdrs_show_in_metrics(app, esl_server, tenants):
    client = app.test_client()
    before = scrape(client)
    records_before = count(CallRecord)  # another test's records may be there: wait for this one's
    with running_listener(app, esl_server) as listener:
        esl_server.wait_subscribed()
        esl_server.broadcast(capture_events("events-plain-all.bin.gz"))
        wait_until(lambda: count(CallRecord) > records_before, what="call records")
    # stopped: what was read is handled, and no event is counted half-way
    node = listener.addresses[0].name
    ages = heartbeat.ages(app.instance_path)
    db.session.remove()
    after = scrape(client)
    received = moved(before, after, "centrex_esl_events_received_total", node=node)
    assert received >= listener.readers[0].events_read > 0
    assert 0 < moved(before, after, "centrex_esl_events_handled_total", node=node) <= received
    assert moved(before, after, "centrex_cdrs_imported_total") >= count(CallRecord) - records_before > 0
    assert ("centrex_esl_queue_depth",) in after
    assert ages["esl"] is not None and ages["esl"] < 5
    assert after[("centrex_worker_heartbeat_age_seconds", ("worker", "esl"))] < 5


@pytest.mark.postgres
def test_answer_cache_hits_misses_and_flushes_and_readyz_sees_it_listening(app, committed):
    load_demo()
    committed.commit()
    app.config["ANSWER_CACHE"] = True
    try:
        client = app.test_client()
        poll_ready = lambda: client.get("/readyz").json["checks"]["answer_cache"] == "ok"  # noqa: E731
        wait_until(poll_ready, what="the answer cache listening")
        before = scrape(client)
        cache.clear()
        replay(client, REGISTER)
        db.session.remove()
        replay(client, REGISTER)
        db.session.remove()
        after = scrape(client)
    finally:
        app.config["ANSWER_CACHE"] = False
        cache.clear()
    assert moved(before, after, "centrex_answer_cache_flushes_total", scope="all") >= 1
    assert moved(before, after, "centrex_answer_cache_lookups_total", result="miss") >= 1
    assert moved(before, after, "centrex_answer_cache_lookups_total", result="hit") >= 1
    assert moved(before, after, "centrex_answer_cache_lookups_total", result="bypass") == 0


def finished_process(code: str) -> int:
    """Run `code` in a process of its own (writing its metrics where this one does); its pid."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics.METRICS_DIR),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", f"import os\nfrom centrex.platform import metrics\n{code}\n"
                           "print(os.getpid())"], env=env, capture_output=True, text=True, timeout=60, check=True)
    return int(done.stdout.split()[-1])


def test_a_scrape_keeps_dead_processes_counts_and_drops_their_empty_files(client):
    before = scrape(client)
    quiet = finished_process("")  # e.g. `flask user secret`: metrics imported, nothing counted
    counting = finished_process("metrics.PROV_LOCKOUTS.inc()\nmetrics.ESL_QUEUE.set(7)")
    assert list(metrics.METRICS_DIR.glob(f"*_{quiet}.db"))
    after = scrape(client)
    assert not list(metrics.METRICS_DIR.glob(f"*_{quiet}.db"))
    # what the dead process counted still counts (a counter never goes back); its live gauge is gone
    assert [p.name for p in metrics.METRICS_DIR.glob(f"*_{counting}.db")] == [f"counter_{counting}.db"]
    assert moved(before, after, "centrex_provisioning_lockouts_total") == 1
