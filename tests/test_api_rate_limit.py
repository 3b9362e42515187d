"""The per-key rate limit holds across web workers: two app instances (as two gunicorn workers, each with
its own engine and connections) count in the same database rows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from api_testing import bearer, key_for
from centrex.demo.companies import load_demo
from centrex.platform.db import db
from wsgi import create_app

pytestmark = pytest.mark.smoke  # also run on SQLite, the embedded default


@pytest.fixture
def second_worker(app):
    other = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "SIP_SECRET_KEY")},
            "TESTING": True,
        }
    )
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_limit_is_shared_by_two_workers_and_answers_429_with_retry_after(app, committed, second_worker):
    tenants = {t.domain: t for t in load_demo()["tenants"]}
    key = key_for(tenants["dupont.example"], ["users:read"], rate_limit=4)
    other_key = key_for(tenants["martin.example"], ["users:read"], rate_limit=4)
    db.session.commit()
    workers = [app.test_client(), second_worker.test_client()]
    if datetime.now(timezone.utc).second >= 58:  # do not straddle a minute boundary
        import time

        time.sleep(2.5)
    answers = [workers[i % 2].get("/api/v1/users", headers=bearer(key)) for i in range(6)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:4]] == ["3", "2", "1", "0"]
    refused = answers[4]
    assert refused.get_json()["error"].startswith("More than 4 requests in a minute")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # another key (another company) is not slowed down by it
    assert workers[1].get("/api/v1/users", headers=bearer(other_key)).status_code == 200
