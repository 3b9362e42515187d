"""Call records of the live product, as an operator reads them: the call_record rows (and cdr_problem rows)
of the calls FreeSWITCH reported after a mark. Additive helper for the live CDR and fax tests."""
from __future__ import annotations

import json
import os
import time

from sqlalchemy import func, select

COLUMNS = ("direction", "caller_name", "caller_number", "dialed_number", "destination", "did", "answered_by",
           "hangup_cause", "voicemail_box", "fax_status", "fax_pages", "fax_file", "leg_count")


class CallHistory:
    """Marks the journal now; `settled()` waits until every call journaled since has a record or a
    problem, the switch has no channel left, and nothing new arrived for `quiet` seconds, then returns
    (records, problems)."""

    def __init__(self, live):
        from centrex.models import CdrJournal

        self.live = live
        with live.data() as session:
            self.mark = session.execute(select(func.coalesce(func.max(CdrJournal.id), 0))).scalar_one()

    def _state(self):
        from centrex.models import CallRecord, CdrJournal, CdrProblem, Tenant

        with self.live.data() as session:
            calls = set(session.execute(select(CdrJournal.call_uuid).where(CdrJournal.id > self.mark)).scalars())
            legs = session.execute(select(func.count()).select_from(CdrJournal)
                                   .where(CdrJournal.call_uuid.in_(calls))).scalar_one()
            records = [{"tenant": domain, "call_uuid": r.call_uuid, **{c: getattr(r, c) for c in COLUMNS}}
                       for r, domain in session.execute(
                           select(CallRecord, Tenant.domain).join(Tenant, Tenant.id == CallRecord.tenant_id)
                           .where(CallRecord.call_uuid.in_(calls)))]
            problems = [{"call_uuid": p.call_uuid, "status": p.status, "detail": p.detail} for p in
                        session.execute(select(CdrProblem).where(CdrProblem.call_uuid.in_(calls))).scalars()]
        return calls, legs, records, problems

    def settled(self, timeout: float = 40.0, quiet: float = 2.5):
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while True:
            calls, legs, records, problems = self._state()
            accounted = {r["call_uuid"] for r in records} | {p["call_uuid"] for p in problems
                                                             if p["status"] != "waiting"}
            key = (legs, len(records), len(problems))
            if key != last or self._switch_busy():  # a channel still up has its hangup event to come
                last, since = key, time.monotonic()
            if calls and accounted >= calls and time.monotonic() - since >= quiet:
                return records, problems
            if time.monotonic() > deadline:
                return records, problems
            time.sleep(0.3)

    def _switch_busy(self) -> bool:
        try:
            return "0 total." not in self.live.switch.api("show channels count")
        except Exception:  # fs_cli busy for a moment: count it as busy, the quiet period starts later
            return True

    def legs(self) -> list[dict]:
        """The journaled legs (the fields the import read), for failure messages."""
        from centrex.models import CdrJournal

        with self.live.data() as session:
            legs = [{"source": j.source, **j.leg} for j in session.execute(
                select(CdrJournal).where(CdrJournal.id > self.mark).order_by(CdrJournal.id)).scalars()]
        if os.environ.get("CENTREX_LIVE_LEGS_DUMP"):  # a file to read them whole while debugging
            with open(os.environ["CENTREX_LIVE_LEGS_DUMP"], "a") as out:
                out.write(json.dumps(legs, indent=1) + "\n")
        return legs

    def one_record(self, timeout: float = 40.0) -> dict:
        """The single record the call left (AssertionError listing what there is otherwise)."""
        records, problems = self.settled(timeout)
        assert len(records) == 1 and not problems, f"records={records} problems={problems} legs={self.legs()}"
        return records[0]
