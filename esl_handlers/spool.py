"""mod_xml_cdr's backstop spool: when posting a record to us fails, FreeSWITCH writes it to its
err-log-dir and never posts it again (FACTS.md). We import those files idempotently: journal first,
then import, then delete the file. A file we cannot read goes to failed/ with a .reason beside it,
and never holds up the others."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from centrex.calls import journal as cdr
from centrex.freeswitch.cdr_legs import LegFormatError
from centrex.platform.unit_of_work import unit_of_work

log = logging.getLogger("centrex.esl.spool")


@dataclass
class SpoolCounts:
    files: int = 0
    calls_with_new_legs: int = 0
    failed: int = 0


def _set_aside(path: Path, reason: str) -> None:
    failed = path.parent / "failed"
    failed.mkdir(exist_ok=True)
    target = failed / path.name
    path.replace(target)
    target.with_name(target.name + ".reason").write_text(reason + "\n")
    log.error("CDR spool: %s unreadable (%s); moved to %s", path.name, reason, failed)


def import_spool(directory: Path | str, *, batch: int = 100) -> SpoolCounts:
    """Import every record file of the spool directory. Database errors propagate (files stay put)."""
    directory = Path(directory)
    counts = SpoolCounts()
    if not directory.is_dir():
        return counts
    paths = sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith(".xml"))
    for start in range(0, len(paths), batch):
        entries, done = [], []
        for path in paths[start:start + batch]:
            try:
                entries.append(cdr.entry_from_xml_cdr(path.read_bytes(), node=f"spool:{directory.name}"))
                done.append(path)
            except (LegFormatError, OSError, UnicodeError) as exc:
                counts.failed += 1
                _set_aside(path, str(exc))
        if not entries:
            continue
        with unit_of_work(write=True):
            new_calls = cdr.journal(entries)
        counts.calls_with_new_legs += len(new_calls)
        with unit_of_work(write=True):
            cdr.import_calls(new_calls | cdr.pending_among({e.call_uuid for e in entries}))
        for path in done:
            path.unlink(missing_ok=True)
        counts.files += len(done)
    if counts.files or counts.failed:
        log.info("CDR spool %s: %d files imported (%d calls with new legs), %d set aside", directory,
                 counts.files, counts.calls_with_new_legs, counts.failed)
    return counts
