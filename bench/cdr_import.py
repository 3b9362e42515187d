"""CDR import throughput: >= 20,000 CHANNEL_HANGUP_COMPLETE events (the captured calls' legs, copied with
fresh UUIDs) sent by the test ESL server over TCP, read through python-ESL by the real listener, journaled
and imported into PostgreSQL. Prints events/s, lost, duplicated, and the ratio to the raw socket read rate
of the same stream (a plain Python socket reading the same bytes, measured in the same run).

The listener reads events on python-ESL's connection with its own framing (EslConnection.
read_events_directly: libesl spends one recv() per header byte); `--libesl-reader` measures libesl's reader.
The test ESL server runs in its own process, as FreeSWITCH would.

Goal: >= 2,000 events/s, 0 lost, 0 duplicated. Exit status: 0 goal met, 1 goal missed, 2 could not measure.
Run: scripts/with-postgres.sh .venv/bin/python bench/cdr_import.py [--events N] [--libesl-reader]"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

GOAL_RATE, GOAL_MISSED, CANNOT_RUN = 2000.0, 1, 2


def build_stream(target: int) -> tuple[list[bytes], int, set[str]]:
    """Copies of every captured leg until >= target events: (messages, legs, calls that have a tenant)."""
    from cdr_captures import session1_hangups, session2_hangups, with_fresh_uuids
    from centrex.freeswitch.cdr_legs import leg_from_plain

    captured = session1_hangups() + session2_hangups()
    messages: list[bytes] = []
    while len(messages) < target:
        messages += with_fresh_uuids(captured)
    calls = set()
    for message in messages:
        body = message.split(b"\n\n", 1)[1]
        if b"dupont.example" in body:
            calls.add(leg_from_plain(body.decode())["call"])
    return messages, len(messages), calls


def serve(target: int, pipe) -> None:
    """The stand-in for FreeSWITCH, in its own process (as FreeSWITCH is): the test ESL server. Sends the
    stream to the next client subscribed to CHANNEL_HANGUP_COMPLETE each time it is asked to."""
    from esl_server import EslTestServer

    messages, legs, calls = build_stream(target)
    server = EslTestServer().start()
    server.reply("sofia status profile internal reg", "\nRegistrations:\n\nTotal items returned: 0\n")
    server.reply("show channels as json", '{"row_count": 0}\n')
    pipe.send((server.address, legs, calls))
    seen = set()
    while pipe.recv() != "stop":
        deadline = time.monotonic() + 30
        while not (new := [c for c in server.live("CHANNEL_HANGUP_COMPLETE") if c.number not in seen]):
            if time.monotonic() > deadline:
                raise TimeoutError("no new subscriber")
            time.sleep(0.01)
        connection = new[0]
        seen.add(connection.number)
        pipe.send("sending")
        server.broadcast(messages, [connection])
        pipe.send("sent")
    server.stop()


def _recv(pipe, timeout: float = 120.0):
    """The server process's next word (it may have died: then say so rather than wait for ever)."""
    if not pipe.poll(timeout):
        raise TimeoutError("the ESL server process stopped answering")
    return pipe.recv()


def raw_read_rate(address: str, pipe, legs: int) -> float:
    """Events/s of a bare socket reading the same stream (framing by Content-Length, nothing else)."""
    host, port, password = address.split(":")
    sock = socket.create_connection((host, int(port)))
    reader = sock.makefile("rb", buffering=1 << 20)

    def message() -> bytes:
        headers = {}
        while (line := reader.readline()) not in (b"\n", b""):
            name, _, value = line.decode().partition(": ")
            headers[name] = value.strip()
        return reader.read(int(headers.get("Content-Length", 0)))

    message()  # auth/request
    sock.sendall(f"auth {password}\n\n".encode())
    message()
    sock.sendall(b"event plain CHANNEL_HANGUP_COMPLETE\n\n")
    message()
    pipe.send("go")
    assert _recv(pipe) == "sending"
    started = time.perf_counter()
    for _ in range(legs):
        message()
    elapsed = time.perf_counter() - started
    assert _recv(pipe) == "sent"
    reader.close()
    sock.close()
    return legs / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--libesl-reader", action="store_true",
                        help="let libesl read the event messages too (python-ESL's own reader, ~4x the CPU)")
    args = parser.parse_args()
    url = os.environ.get("CENTREX_TEST_DATABASE_URL")
    if not url:
        print("cdr_import: CENTREX_TEST_DATABASE_URL not set (run through scripts/with-postgres.sh)")
        return CANNOT_RUN
    os.environ.setdefault("CENTREX_INSTANCE", tempfile.mkdtemp(prefix="centrex-bench-"))
    os.environ.setdefault("CENTREX_LOG_LEVEL", "WARNING")

    from sqlalchemy import func, select, text

    from centrex.demo.companies import demo_loaded, load_demo
    from centrex.models import CallRecord, CdrJournal
    from centrex.platform.audit import Actor, acting_as
    from centrex.platform.db import db
    from esl_handlers.listener import Listener, Settings
    from wsgi import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), acting_as(Actor("bench")):
        db.create_all()
        db.session.execute(text("TRUNCATE call_record, cdr_journal, cdr_problem, live_channel, "
                                "live_registration"))
        if not demo_loaded():
            load_demo()
        db.session.commit()

    spawn = multiprocessing.get_context("spawn")
    parent, child = spawn.Pipe()
    server = spawn.Process(target=serve, args=(args.events, child), daemon=True)
    server.start()
    try:
        address, legs, calls = _recv(parent)
    except TimeoutError as exc:
        print(f"cdr_import: {exc}")
        return CANNOT_RUN
    try:
        raw_rate = raw_read_rate(address, parent, legs)
        listener = Listener(app, [address], Settings(read_events_directly=not args.libesl_reader))
        thread = threading.Thread(target=listener.run, daemon=True)
        thread.start()
        parent.send("go")
        assert _recv(parent) == "sending"
        started = time.perf_counter()
        with app.app_context():
            deadline = started + max(60.0, legs / 200)
            while True:
                db.session.rollback()
                journaled = db.session.execute(select(func.count()).select_from(CdrJournal)).scalar_one()
                records = db.session.execute(select(func.count()).select_from(CallRecord)).scalar_one() \
                    if journaled >= legs else 0
                if (journaled >= legs and records >= len(calls)) or time.perf_counter() > deadline:
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            records = db.session.execute(select(func.count()).select_from(CallRecord)).scalar_one()
            distinct = db.session.execute(
                select(func.count(func.distinct(CallRecord.call_uuid)))).scalar_one()
            imported = set(db.session.execute(select(CallRecord.call_uuid)).scalars())
        listener.stop()
        thread.join(timeout=30)
    except TimeoutError as exc:
        print(f"cdr_import: {exc}")
        return CANNOT_RUN
    finally:
        if server.is_alive():
            parent.send("stop")
        server.join(timeout=10)

    rate = legs / elapsed
    lost = (legs - journaled) + len(calls - imported)
    duplicated = (records - distinct) + len(imported - calls)
    ok = rate >= GOAL_RATE and lost == 0 and duplicated == 0
    reader = "libesl's reader" if args.libesl_reader else "python-ESL's connection, events framed by us"
    print(f"cdr_import: {legs} CHANNEL_HANGUP_COMPLETE events ({len(calls)} calls) through python-ESL into "
          f"PostgreSQL ({reader})")
    print(f"  imported          {rate:10.0f} events/s  ({elapsed:.2f} s; goal >= {GOAL_RATE:.0f})")
    print(f"  raw socket read   {raw_rate:10.0f} events/s  (the same stream, bare socket)")
    print(f"  ratio             {rate / raw_rate:10.3f}")
    print(f"  lost {lost}, duplicated {duplicated} (goal 0 and 0)  -> {'goal met' if ok else 'GOAL MISSED'}")
    return 0 if ok else GOAL_MISSED


if __name__ == "__main__":
    sys.exit(main())
