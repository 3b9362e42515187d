"""The product's Prometheus metrics, one definition each, shared by every process (web workers under
gunicorn, `flask esl run`, `flask outbox run`): prometheus_client's multiprocess mode, its files in
PROMETHEUS_MULTIPROC_DIR, which the product sets itself (instance/metrics/) before prometheus_client is
imported. Each process start removes the files of processes that no longer run (`clean_dead_processes`);
gunicorn's child_exit drops a dead worker's live gauges (deploy/gunicorn.conf.py). `/metrics` (the
`monitoring` adapter) merges every file, so one scrape shows every process of this machine.

Hot path: a counter or histogram update is a lock and a write into a memory-mapped file (about a
microsecond); the labelled children used on every request are bound once, here."""
from __future__ import annotations

import glob
import os
import re
import struct
import threading
from pathlib import Path

from centrex.platform.config import instance_folder
from centrex.platform.processes import pid_alive

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(instance_folder() / "metrics"))
METRICS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
METRICS_DIR.mkdir(parents=True, exist_ok=True)

from prometheus_client import Counter, Gauge, Histogram, multiprocess  # noqa: E402  (after the directory is set)
from prometheus_client.mmap_dict import MmapedDict  # noqa: E402

# -- xml_curl -----------------------------------------------------------------------------------------
XMLCURL_SECONDS = Histogram(
    "centrex_xmlcurl_request_seconds", "Time to answer one mod_xml_curl request, by section and outcome.",
    ["section", "outcome"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
# A counter, not a histogram (a third of the cost per request): statements per answer =
# rate(centrex_xmlcurl_sql_queries_total) / rate(centrex_xmlcurl_request_seconds_count), per section.
XMLCURL_QUERIES = Counter("centrex_xmlcurl_sql_queries_total",
                          "SQL statements run to answer mod_xml_curl requests, by section.", ["section"])
ANSWERED, NOT_FOUND, ERROR = "answered", "not_found", "error"

# -- the answer cache ---------------------------------------------------------------------------------
_CACHE = Counter("centrex_answer_cache_lookups_total",
                 "Answer-cache lookups: hit, miss, or bypass (the cache was not listening).", ["result"])
CACHE_HIT, CACHE_MISS, CACHE_BYPASS = (_CACHE.labels(r) for r in ("hit", "miss", "bypass"))
CACHE_FLUSHES = Counter("centrex_answer_cache_flushes_total",
                        "Times a process dropped cached answers after a configuration change: of the companies "
                        "it changed (scope=companies) or all of them (scope=all).", ["scope"])

# -- the event socket listener ------------------------------------------------------------------------
ESL_RECEIVED = Counter("centrex_esl_events_received_total", "Events read from a FreeSWITCH node.", ["node"])
ESL_HANDLED = Counter("centrex_esl_events_handled_total", "Events whose handlers have run, by node.", ["node"])
ESL_QUEUE = Gauge("centrex_esl_queue_depth", "Events read but not yet handled (the listener's queue).",
                  multiprocess_mode="livemax")

# -- call records, provisioning, logins -------------------------------------------------------------
CDRS_IMPORTED = Counter("centrex_cdrs_imported_total", "Calls whose record was (re)computed from the journal.")
PROV_DOWNLOADS = Counter("centrex_provisioning_downloads_total",
                         "Provisioning requests answered, by HTTP status.", ["status"])
PROV_LOCKOUTS = Counter("centrex_provisioning_lockouts_total",
                        "Sources (an address or a device) locked out after too many provisioning failures.")
LOGINS_REFUSED = Counter("centrex_logins_refused_total",
                         "Console logins refused: bad_credentials or throttled.", ["reason"])


class QueryCounter(threading.local):
    """SQL statements run by this thread (a SQLAlchemy before_cursor_execute listener adds one)."""
    count = 0


queries = QueryCounter()


def count_query(*_args) -> None:
    queries.count += 1


_PID = re.compile(r"_(\d+)\.db$")


def clean_dead_processes(directory: Path = METRICS_DIR, *, keep_counts: bool = False) -> int:
    """Remove the metric files of processes that no longer run; how many. At a process start, all of
    them (counters start again). With `keep_counts` (every scrape), only those that change no sum: the
    live gauges of a dead process and files holding nothing but zeros — every `flask` command leaves
    such files, which would otherwise pile up until the next start."""
    removed = 0
    for path in glob.glob(str(directory / "*.db")):
        match = _PID.search(path)
        if not match or pid_alive(int(match.group(1))):
            continue
        if keep_counts and not os.path.basename(path).startswith("gauge_live") and _holds_counts(path):
            continue
        try:
            os.remove(path)
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def _holds_counts(path: str) -> bool:
    try:
        return any(value for _key, value, _ts, _pos in MmapedDict.read_all_values_from_file(path))
    except (OSError, ValueError, struct.error):
        return False  # unreadable (cut short): nothing a scrape could use either


def process_dead(pid: int) -> None:
    """gunicorn's child_exit: a dead worker's live gauges no longer count."""
    multiprocess.mark_process_dead(pid, str(METRICS_DIR))
