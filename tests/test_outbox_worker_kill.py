"""kill -9 of the worker (`flask outbox run`, a real subprocess) after the fax was converted, in the
middle of handing its email to the SMTP server: after a restart the fax is delivered once."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

import esl_handlers.fax  # noqa: F401 - registers the fax handlers
from centrex.freeswitch import fax_contract
from centrex.models import Fax, FaxBox, OutboxMessage
from conftest import FIXTURES
from fax_helpers import FAX_TIFF, as_our_dialplan_sets_it, captured_events, dispatch_event

pytestmark = [pytest.mark.slow, pytest.mark.smoke]
REPO = Path(__file__).resolve().parents[1]


def _start_worker(app, smtp_server, spool):
    env = {**os.environ, "FLASK_APP": "wsgi:create_app", "CENTREX_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "CENTREX_INSTANCE": os.environ["CENTREX_INSTANCE"], "CENTREX_SMTP_HOST": smtp_server.host,
           "CENTREX_SMTP_PORT": str(smtp_server.port), "CENTREX_FAX_SPOOL": str(spool),
           "CENTREX_SECRET_KEY": "test", "CENTREX_SIP_SECRET_KEY": app.config["SIP_SECRET_KEY"],
           "CENTREX_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([str(Path(sys.executable).parent / "flask"), "outbox", "run", "--interval", "0.1"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(condition, what, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _state(session, model, obj_id):
    session.rollback()  # end the read transaction: see what the worker committed
    return session.get(model, obj_id).state


def test_worker_killed_mid_send_delivers_the_fax_once_after_restart(app, committed, fax_spool, smtp_server):
    from centrex.demo.companies import load_demo

    session = committed
    load_demo()
    session.commit()
    box = session.execute(select(FaxBox)).scalars().one()
    tenant_id, domain = box.tenant_id, "dupont.example"
    event = as_our_dialplan_sets_it(
        captured_events(FIXTURES / "fax" / "fax-events-plain.bin", "CUSTOM::spandsp::rxfaxresult")[0],
        box.id, tenant_id, domain)
    shutil.copy(FIXTURES / FAX_TIFF, fax_contract.tenant_dir(domain, "in") / f"{event.headers['Unique-ID']}.tif")
    dispatch_event(event)  # the ESL handler: received, converted, email queued (committed)
    fax = session.execute(select(Fax)).scalars().unique().one()
    message = session.execute(select(OutboxMessage)).scalars().one()
    assert (fax.state, message.state) == ("converted", "waiting")

    smtp_server.handler.mode = "hold"  # the server takes the DATA but does not answer yet
    worker = _start_worker(app, smtp_server, fax_spool)
    try:
        _wait(smtp_server.handler.holding.is_set, "the worker to be in the middle of DATA")
        assert _state(session, OutboxMessage, message.id) == "sending"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert smtp_server.received == []  # the client died before the server's "250": nothing delivered
    assert _state(session, Fax, fax.id) == "converted"
    assert _state(session, OutboxMessage, message.id) == "sending"  # claimed by a dead worker

    smtp_server.handler.mode = "accept"
    worker = _start_worker(app, smtp_server, fax_spool)
    try:
        _wait(lambda: _state(session, Fax, fax.id) == "emailed", "the fax to be emailed after the restart")
        time.sleep(0.5)  # a few more passes of the worker: nothing else goes out
    finally:
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=15)
    assert worker.returncode == 0, stderr.decode()[-2000:]
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].message["Message-ID"] == message.message_id
    session.rollback()
    message = session.get(OutboxMessage, message.id)
    assert (message.state, message.attempts) == ("sent", 2)
