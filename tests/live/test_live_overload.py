"""The switch and the product under load: the switch's own limits (switch.conf.xml), call setup never behind
record keeping (mod_xml_cdr posts to a pool of their own), and a quick "try later" (503) when the lookups
cannot be answered in time."""
import threading
import time

import pytest
from live_overload import answers_within, cdr_post_port, every_worker_held, posted_cdrs
from sqlalchemy import create_engine

pytestmark = pytest.mark.live

DIRECT_LINE = "+41215550102"  # Alain Dupont, 1001


def setup_seconds(result) -> float:
    """From the carrier's INVITE to the final answer it received."""
    invite = next(m for m in result.messages if m.direction == "sent" and m.first_line.startswith("INVITE"))
    final = next(m for m in result.messages if m.direction == "received" and (m.status or 0) >= 200
                 and (m.header("CSeq") or "").endswith("INVITE"))
    return (final.at - invite.at).total_seconds()


def test_the_switch_runs_with_the_session_limits_centrex_ships(live):
    status = live.switch.api("status")
    assert "per Sec out of max 80," in status, status
    assert "1000 session(s) max" in status, status


def test_call_records_arrive_while_every_lookup_worker_is_busy(phones):
    live = phones
    live.at("2026-12-07 10:00")
    alain = live.phone("1001", talk_ms=0)
    cdr_pool = live.product.log_sizes()["gunicorn-cdr"]
    results = []
    call = threading.Thread(target=lambda: results.append(live.carrier_call(DIRECT_LINE, talk_ms=4000)))
    call.start()
    live.wait_for(lambda: alain.invites(), 20, what="Alain's phone rings")
    time.sleep(1.5)  # answered: what is left is the hang-up and its records
    with every_worker_held(live.product.port):
        call.join(30)
        assert results and results[0].final == 200, results and results[0].output
        # both legs' records are posted (and answered) while no lookup could be answered
        live.wait_for(lambda: posted_cdrs(live.product.log_since("gunicorn-cdr", cdr_pool)) >= 2, 15,
                      what="mod_xml_cdr's 2 posts answered by the CDR pool")
        assert not answers_within(live.product.port, 0.5)


def test_a_burst_of_call_records_does_not_delay_call_setup(phones):
    live = phones
    live.at("2026-12-07 10:00")
    alain = live.phone("1001")
    with every_worker_held(cdr_post_port(live.switch)):  # every worker that takes the posts is busy
        result = live.carrier_call(DIRECT_LINE, talk_ms=500)
    assert result.final == 200, result.output
    assert len(alain.invites()) == 1
    assert setup_seconds(result) < 2, result.output
    print(f"call set up in {setup_seconds(result):.2f} s while the CDR pool was held")


def test_a_call_the_lookups_cannot_answer_in_time_hears_try_later_at_once(phones):
    live = phones
    live.at("2026-12-07 10:00")
    alain = live.phone("1001")
    with every_worker_held(live.product.port):
        refused = live.carrier_call(DIRECT_LINE, talk_ms=500)
    assert refused.final == 503, refused.output
    assert setup_seconds(refused) < 2.5, refused.output
    print(f"503 after {setup_seconds(refused):.2f} s with every lookup worker held")
    assert alain.invites() == []
    # the same call, once the workers are free again, connects
    answered = live.carrier_call(DIRECT_LINE, talk_ms=500)
    assert answered.final == 200, answered.output
    assert len(alain.invites()) == 1


def test_a_lookup_the_database_holds_up_gets_try_later_at_once(phones):
    """Slow for real: the table of numbers is locked (as by a long migration), so the carrier call's
    dialplan lookup waits on PostgreSQL; the caller hears 503 within the binding's second, not a 404."""
    from centrex.models import Tenant
    from centrex.platform.answer_cache import notify_change

    live = phones
    live.at("2026-12-07 10:00")
    alain = live.phone("1001")
    with live.data() as session:  # the company's cached answers dropped in every worker: the lookup reads
        notify_change(session, [session.query(Tenant).filter_by(domain="dupont.example").one().id])
    time.sleep(1)
    engine = create_engine(live.product.env["CENTREX_DATABASE_URL"])
    try:
        with engine.connect() as connection, connection.begin():
            connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
            connection.exec_driver_sql("LOCK TABLE did_number IN ACCESS EXCLUSIVE MODE")
            refused = live.carrier_call(DIRECT_LINE, talk_ms=500)
    finally:
        engine.dispose()
    assert refused.final == 503, refused.output
    assert setup_seconds(refused) < 2.5, refused.output
    print(f"503 after {setup_seconds(refused):.2f} s with the numbers' table locked")
    assert alain.invites() == []


def test_lookups_freeswitch_gave_up_on_are_dropped_and_the_next_call_connects(phones):
    """After the overload, the requests that sat in the queue past their timeout (their callers already heard
    503) are not answered: the workers go straight to the fresh ones."""
    live = phones
    live.at("2026-12-07 10:00")
    alain = live.phone("1001")
    offset = live.product.log_sizes()["gunicorn"]
    with every_worker_held(live.product.port):
        refused = [live.carrier_call(DIRECT_LINE, caller=f"+4179111223{n}", talk_ms=500) for n in range(3)]
    assert [r.final for r in refused] == [503, 503, 503]
    answered = live.carrier_call(DIRECT_LINE, talk_ms=500)
    assert answered.final == 200, answered.output
    assert len(alain.invites()) == 1
    assert setup_seconds(answered) < 2, answered.output
    dropped = live.product.log_since("gunicorn", offset).count("FreeSWITCH gave up waiting")
    assert dropped == 3, live.product.log_since("gunicorn", offset)
