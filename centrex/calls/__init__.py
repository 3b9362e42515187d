"""Calls as they happen and as they were: the CDR journal (journal: one row per leg, written from the
switch's events or records read by centrex.freeswitch.cdr_legs), the call each journal makes for people
(composition), call history (history), the live state of the switch (live), click-to-call."""
