"""CHANNEL_HANGUP_COMPLETE -> the CDR journal (committed on its own), then the call records."""
from __future__ import annotations

import logging

from centrex.calls import journal as cdr
from centrex.freeswitch.cdr_legs import LegFormatError
from centrex.platform.unit_of_work import unit_of_work
from esl_handlers.dispatch import Event, on_batch

log = logging.getLogger("centrex.esl.cdr")


def journal_entry(event: Event) -> cdr.JournalEntry:
    """The leg to journal (runs in the reader thread, see on_batch)."""
    if event.raw:
        return cdr.entry_from_plain(event.raw, event.node)
    return cdr.entry_from_event(event.headers, event.raw, event.node)


@on_batch("CHANNEL_HANGUP_COMPLETE", prepare=journal_entry)
def journal_and_import(events: list[Event]) -> None:
    entries = []
    for event in events:
        try:
            entries.append(event.prepared.get(journal_entry) or journal_entry(event))
        except LegFormatError as exc:
            log.error("CDR: unreadable CHANNEL_HANGUP_COMPLETE from %s (%s); skipped", event.node, exc)
    if not entries:
        return
    # each of the two transactions takes SQLite's write lock first (see centrex.platform.db.begin_write)
    with unit_of_work(write=True):  # the journal first, on its own: from here on, the legs cannot be lost
        new_calls = cdr.journal(entries)
    with unit_of_work(write=True):
        # and calls of this batch journaled before but not imported (this batch is a retry, say)
        calls = new_calls | cdr.pending_among({e.call_uuid for e in entries} - new_calls)
        counts = cdr.import_calls(calls, fresh=entries)
    log.debug("CDR: %d legs (%d new calls): %s", len(entries), len(new_calls), counts)
