"""gunicorn's settings for the Centrex web process (xml_curl, provisioning, console, API), used by
deploy/systemd/centrex-web.service: `gunicorn --config deploy/gunicorn.conf.py`.

Timeouts: FreeSWITCH's mod_xml_curl bindings give up after 1-5 s (freeswitch/deploy.py sets them), so
an answer later than that helps no one and only keeps a worker from the next REGISTER or call. A worker
silent for longer than `timeout` is killed and replaced. The console's uploads (audio, faxes) must
therefore reach gunicorn whole: put a buffering reverse proxy (nginx, the default) in front of the
console, never a slow client straight onto a worker.

Two pools run this file: centrex-web.service (CENTREX_BIND, CENTREX_WORKERS: mod_xml_curl's lookups, console,
API, provisioning) and centrex-cdr.service (CENTREX_POOL=cdr: CENTREX_CDR_BIND, CENTREX_CDR_WORKERS), where
mod_xml_cdr posts its 2 records per call, so that record keeping never queues in front of call setup."""
from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
_INSTANCE = Path(os.environ.get("CENTREX_INSTANCE") or _ROOT / "instance")

wsgi_app = "wsgi:app"
chdir = str(_ROOT)
raw_env = ["CENTREX_EAGER_APP=1"]  # wsgi.py builds the app at import (one per worker)
_CDR_POOL = os.environ.get("CENTREX_POOL") == "cdr"
if _CDR_POOL:
    bind = os.environ.get("CENTREX_CDR_BIND", "127.0.0.1:8081").split(",")
    workers = int(os.environ.get("CENTREX_CDR_WORKERS") or 2)
else:
    bind = os.environ.get("CENTREX_BIND", "127.0.0.1:8080").split(",")
    workers = int(os.environ.get("CENTREX_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"  # one request at a time per worker: its latency is the request's own

timeout = int(os.environ.get("CENTREX_WORKER_TIMEOUT", "5"))  # never longer than FreeSWITCH waits
graceful_timeout = 5   # on stop or reload: finish the requests in hand, within FreeSWITCH's wait
keepalive = 2
max_requests = 20000   # recycle workers now and then (memory), jittered so they do not all go at once
max_requests_jitter = 2000
limit_request_line = 8190

accesslog = "-"  # journald, through systemd
errorlog = "-"
_control = os.environ.get("CENTREX_CONTROL_SOCKET") or str(_INSTANCE / "gunicorn.ctl")  # for gunicornc -s
if _CDR_POOL and _control != "none":
    _control = _control.removesuffix(".ctl") + "-cdr.ctl"  # one socket per pool
if _control == "none":
    control_socket_disable = True
else:
    control_socket = _control


def on_starting(server):
    """Metrics of web workers of a previous run that no longer exist are dropped (PROMETHEUS_MULTIPROC_DIR,
    which centrex.platform.metrics sets under the instance folder)."""
    from centrex.platform.metrics import clean_dead_processes

    removed = clean_dead_processes()
    server.log.info("metrics: %d file(s) of processes no longer running removed", removed)


def child_exit(server, worker):
    """A dead worker's live gauges no longer count (its counters do: they never go back)."""
    from centrex.platform.metrics import process_dead

    process_dead(worker.pid)
