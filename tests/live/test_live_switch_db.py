"""FreeSWITCH's own database where deploy.py put it: with CENTREX_LIVE_SWITCH_DB=pgsql (deploy.py --db-dsn)
a phone's registration is a row of PostgreSQL's sip_registrations and the core's channels table is there
too; by default it is in the SQLite files of the switch's db folder."""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.live


def registered_in_postgresql(extension: str, domain: str) -> list:
    url = make_url(os.environ["CENTREX_TEST_PG_ADMIN_URL"]).set(database="centrex_live_switch")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(conn.execute(text("SELECT tablename FROM pg_tables")).scalars())
            assert {"sip_registrations", "channels", "registrations"} <= tables, sorted(tables)
            return conn.execute(text("SELECT sip_user, sip_host FROM sip_registrations WHERE sip_user = :u "
                                     "AND sip_host = :d"), {"u": extension, "d": domain}).all()
    finally:
        engine.dispose()


def registered_in_sqlite(live, extension: str, domain: str) -> list:
    path = live.switch.db_dir / "sofia_reg_internal.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT sip_user, sip_host FROM sip_registrations WHERE sip_user = ? AND sip_host = ?",
                            (extension, domain)).fetchall()


def test_a_registration_is_kept_where_the_deployment_put_the_switchs_database(phones):
    live = phones
    phone = live.phone("1002", "dupont.example")
    assert phone is not None
    if live.switch.db_dsn:
        assert live.wait_for(lambda: registered_in_postgresql("1002", "dupont.example"), what="row in PostgreSQL") \
            == [("1002", "dupont.example")]
        assert not (live.switch.db_dir / "sofia_reg_internal.db").exists()
    else:
        assert live.wait_for(lambda: registered_in_sqlite(live, "1002", "dupont.example"), what="row in SQLite") \
            == [("1002", "dupont.example")]
