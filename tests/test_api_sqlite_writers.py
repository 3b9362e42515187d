"""On the embedded default (a SQLite file, as `make run` serves it) API clients writing at once are served
one after the other, never answered 500 "database is locked" (issue 22, point 2)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from api_testing import bearer, key_for
from centrex.models import Tenant, User
from centrex.platform.audit import Actor, acting_as
from centrex.platform.db import db
from test_sqlite_concurrency import demo_file

pytestmark = pytest.mark.smoke
CLIENTS = 6
WRITES_EACH = 8
CRM = "198.51.99.10"  # a public address: no name to resolve while the write lock is held


def test_clients_writing_at_once_on_sqlite_are_serialised(tmp_path):
    _url, _instance, app, _sales = demo_file(tmp_path)
    with app.app_context(), acting_as(Actor("test")):
        tenant = db.session.execute(select(Tenant).filter_by(domain="dupont.example")).scalar_one()
        key = key_for(tenant, rate_limit=10000)
        users = [u.id for u in db.session.execute(select(User).filter_by(tenant_id=tenant.id)).scalars()]
        db.session.commit()
        db.session.remove()
    start, answers = threading.Barrier(CLIENTS), []

    def client_writes(number: int) -> None:
        client = app.test_client()
        start.wait()
        for write in range(WRITES_EACH):
            started = time.monotonic()
            try:
                answers.append(one_write(client, number, write))
            except Exception as exc:  # TESTING: a 500 reaches the test as its exception
                answers.append((500, f"{repr(exc)} after {time.monotonic() - started:.1f} s"))

    def one_write(client, number: int, write: int):
        user = users[(number + write) % len(users)]
        if write % 2:
            answer = client.patch(f"/api/v1/users/{user}", json={"max_calls": 1 + write},
                                  headers=bearer(key))
        else:
            answer = client.post("/api/v1/webhooks", headers=bearer(key), json={
                "url": f"https://{CRM}/hooks/{number}/{write}", "events": ["call.ended"]})
        return answer.status_code, (answer.get_json(silent=True) or {}).get("error")

    threads = [threading.Thread(target=client_writes, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with app.app_context():
        db.engine.dispose()
    assert len(answers) == CLIENTS * WRITES_EACH
    assert [a for a in answers if a[0] not in (200, 201)] == []
