"""The xml_curl cases asked for many distinct users (bench/xmlcurl_throughput.py's cold, warm and churn
rows): each request names another user of the 50,000 (the dialplan: another caller, calling a colleague).

- cold: every process's answer cache emptied first (a NOTIFY naming no company: what a change of the
  operator's does), then each user asked once, in a shuffled order over every company; a run that would
  have asked a user twice counts those requests as failed.
- warm: the first quarter of the users the cold run asked, asked again and again (after an untimed run
  that asks each about six times, so both workers' caches hold them: each gunicorn worker keeps its own).
- churn: the warm load while one change a second is made in a random company, through the product's own
  service (update_user: a user's name) in a committed unit of work, as an administrator would."""
from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass

from sqlalchemy import create_engine, text

from harness.load import LoadResult, run_wrk_bodies
from harness.xmlcurl_data import Dataset, distinct_users, user_body

WARM_USERS = 2000     # the warm and churn rows cycle through a quarter of the users a cold run asked, at most this
WARM_UP_MAX_SECONDS = 10


@dataclass(frozen=True)
class DistinctCase:
    name: str
    path: str
    capture: str                  # the captured request every body is rewritten from
    expect: bytes                 # each checked answer contains this


class UserBodies:
    """The bodies of one case, handed out run by run, each run's users distinct (a later run may ask
    users an earlier one asked: every cache is emptied before a cold run)."""

    def __init__(self, case: DistinctCase, captured: bytes, dataset: Dataset, seed: int):
        self.case, self._captured = case, captured
        self._users = distinct_users(dataset, seed)
        self._next = 0

    def next_round(self, size: int) -> list[bytes]:
        size = min(size, len(self._users))
        users = [self._users[(self._next + n) % len(self._users)] for n in range(size)]
        self._next = (self._next + size) % len(self._users)
        return [user_body(self._captured, *user) for user in users]


def empty_answer_caches(database_url: str) -> None:
    """Every process drops every cached answer (a NOTIFY naming no company), as the product's own
    change of a row of no single company does."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_notify('centrex_config', '')"))
    engine.dispose()


def cold(url: str, bodies: list[bytes], headers: dict, seconds: float, connections: int) -> LoadResult:
    load = run_wrk_bodies(url, bodies, headers, seconds=seconds, connections=connections)
    wrapped = max(0, load.requests + connections - len(bodies))
    if wrapped:
        print(f"cold run asked {load.requests} of {len(bodies)} users: some may have been asked twice", flush=True)
    return LoadResult(load.requests, load.seconds, load.p50_ms, load.p99_ms, load.errors + wrapped)


def warm_up(url: str, bodies: list[bytes], headers: dict, connections: int, cold_rps: float) -> None:
    """Each body asked about six times (at the cold rate), so both workers have cached nearly all."""
    seconds = min(WARM_UP_MAX_SECONDS, max(1, math.ceil(6 * len(bodies) / max(cold_rps, 1.0))))  # wrk: whole seconds
    run_wrk_bodies(url, bodies, headers, seconds=seconds, connections=connections)


def warm(url: str, bodies: list[bytes], headers: dict, seconds: float, connections: int) -> LoadResult:
    return run_wrk_bodies(url, bodies, headers, seconds=seconds, connections=connections)


class Churn:
    """While the block runs: one change a second in a random company of the dataset (a user's name, by
    centrex.directory.users.update_user in a unit_of_work), committed, so its NOTIFY drops that company's
    cached answers in every process. `changes` says how many were made."""

    def __init__(self, database_url: str, dataset: Dataset, seed: int, per_second: float = 1.0):
        self._url, self._dataset, self._interval = database_url, dataset, 1.0 / per_second
        self._rng = random.Random(seed)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-churn", daemon=True)
        self._app = None
        self.changes = 0
        self.error: BaseException | None = None

    def __enter__(self) -> Churn:
        from wsgi import create_app

        if self._app is None:
            self._app = create_app({"SQLALCHEMY_DATABASE_URI": self._url})
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        if self.error is not None:
            raise RuntimeError(f"churn failed: {self.error!r}")

    def _run(self) -> None:
        from sqlalchemy import select

        from centrex.directory.users import update_user
        from centrex.models import Tenant, User
        from centrex.platform.audit import Actor
        from centrex.platform.unit_of_work import unit_of_work
        from harness.bulk import tenant_domain

        assert self._app is not None
        try:
            with self._app.app_context():
                while not self._stop.wait(self._interval):
                    domain = tenant_domain(self._rng.randrange(self._dataset.bulk_tenants))
                    extension = str(1000 + self._rng.randrange(self._dataset.users_per_tenant))
                    with unit_of_work(Actor("bench churn")) as session:
                        user = session.execute(select(User).join(Tenant, User.tenant_id == Tenant.id).where(
                            Tenant.domain == domain, User.extension == extension)).scalar_one()
                        update_user(user, {"name": f"Churn {self.changes}"})
                    self.changes += 1
        except BaseException as exc:  # reported by __exit__, in the bench's thread
            self.error = exc
