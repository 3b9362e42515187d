"""The event listener service (`flask esl run`): one reader thread per FreeSWITCH node that only reads the
socket into a queue, and one worker that runs the handlers with an app context. Readers reconnect with
exponential backoff and say so; after each (re)connect they take a live-state snapshot, and the worker
brings mod_callcenter's queues back in line with ours (changes FreeSWITCH missed while away). The worker
retries a job for as long as the database is unavailable (nothing read is dropped), imports the xml_cdr
spool and any journal rows left pending at start and every minute, and drains the queue on SIGTERM."""
from __future__ import annotations

import importlib
import logging
import pkgutil
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from centrex.calls import journal as cdr
from centrex.platform import metrics
from centrex.platform.db import db
from centrex.platform.heartbeat import Heartbeat
from centrex.platform.logs import log_context
from centrex.platform.unit_of_work import unit_of_work
from esl_handlers import dispatch
from esl_handlers.esl_wrapper import EslConnection, EslDisconnected, EslError, NodeAddress

log = logging.getLogger("centrex.esl")


def load_handlers() -> None:
    """Import every module of esl_handlers, so every @on/@on_batch handler is registered."""
    import esl_handlers

    for module in pkgutil.iter_modules(esl_handlers.__path__):
        importlib.import_module(f"esl_handlers.{module.name}")


def database_down(exc: BaseException) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError)) or \
        (isinstance(exc, DBAPIError) and exc.connection_invalidated)


@dataclass
class Resync:
    """A node's live-state snapshot, queued in order with its events."""
    node: str
    snapshot: tuple


@dataclass
class Settings:
    batch_max: int = 500
    backoff_max: float = 60.0
    idle_timeout: float = 90.0  # FreeSWITCH sends HEARTBEAT every 20 s: silence this long = dead link
    registration_profiles: list[str] = field(default_factory=lambda: ["internal"])
    spool_dir: Path | None = None
    catch_up_every: float = 60.0
    stop_grace: float = 15.0  # on stop with the database down, how long to keep trying
    # Frame event messages ourselves on python-ESL's connection (see EslConnection.read_events_directly);
    # False: let libesl read them (about 4x the CPU per event).
    read_events_directly: bool = True



def reconcile_queues(node: str) -> None:
    """After a (re)connect: FreeSWITCH may have missed live queue changes while we could not reach it."""
    from centrex.features.callcenter_sync import reconcile_callcenter
    from centrex.platform.ports import SwitchError

    try:
        results = reconcile_callcenter(node)
    except SwitchError as exc:
        log.warning("FreeSWITCH %s: queues not reconciled (%s)", node, exc)
        return
    refused = [(command, error) for command, error in results if error]
    if results:
        log.info("FreeSWITCH %s: queues reconciled, %d commands sent, %d refused", node, len(results), len(refused))
    for command, error in refused:
        log.warning("FreeSWITCH %s refused %r: %s", node, command, error)


class NodeReader(threading.Thread):
    """Reads one node's events into the queue; never touches the database."""

    def __init__(self, address: NodeAddress, out: queue.Queue, stop: threading.Event, events: list[str],
                 settings: Settings):
        super().__init__(name=f"esl-reader-{address.name}", daemon=True)
        self.address, self.out, self.stop, self.events, self.settings = address, out, stop, events, settings
        self.connected = threading.Event()
        self.events_read = 0
        self.received = metrics.ESL_RECEIVED.labels(address.name)

    def run(self) -> None:
        delay = 1.0
        while not self.stop.is_set():
            try:
                connection = EslConnection(self.address)
            except EslError as exc:
                log.warning("%s; retrying in %g s", exc, delay)
                self.stop.wait(delay)
                delay = min(delay * 2, self.settings.backoff_max)
                continue
            try:
                connection.subscribe(self.events)
                log.info("FreeSWITCH %s: connected, listening to %s", self.address.name,
                         " ".join(self.events))
                self._snapshot(connection)
                if self.settings.read_events_directly:
                    for event in connection.read_events_directly():  # sent while the snapshot was taken
                        self.events_read += 1
                        self.received.inc()
                        dispatch.prepare(event)
                        self.out.put(event)
                delay = 1.0
                self.connected.set()
                self._read(connection)
            except EslError as exc:
                if not self.stop.is_set():
                    log.warning("%s; reconnecting in %g s", exc, delay)
            finally:
                self.connected.clear()
                connection.close()
            self.stop.wait(delay)
            delay = min(delay * 2, self.settings.backoff_max)
        log.info("FreeSWITCH %s: reader stopped", self.address.name)

    def _snapshot(self, connection: EslConnection) -> None:
        from esl_handlers.live import take_snapshot

        try:
            snapshot = take_snapshot(connection.api, self.settings.registration_profiles)
        except EslDisconnected:
            raise
        except Exception as exc:  # a snapshot we cannot read must not keep events from flowing
            log.warning("FreeSWITCH %s: live-state snapshot unreadable (%s); continuing on events only",
                        self.address.name, exc)
            return
        self.out.put(Resync(self.address.name, snapshot))

    def _read(self, connection: EslConnection) -> None:
        last = time.monotonic()
        while True:
            if self.stop.is_set():
                self._drain(connection)
                return
            event = connection.recv_event(0.5)
            if event is None:
                if time.monotonic() - last > self.settings.idle_timeout:
                    raise EslDisconnected(f"FreeSWITCH {self.address.name}: no event (not even HEARTBEAT) "
                                          f"for {self.settings.idle_timeout:g} s")
                continue
            last = time.monotonic()
            self.events_read += 1
            self.received.inc()
            if event.key != "HEARTBEAT" or dispatch.handlers_for(event):
                dispatch.prepare(event)
                self.out.put(event)

    def _drain(self, connection: EslConnection, limit: float = 5.0) -> None:
        """On stop: ask FreeSWITCH for no more events, and queue what it had already sent."""
        try:
            connection.stop_events()
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline and (event := connection.recv_event(0.2)) is not None:
                self.events_read += 1
                self.received.inc()
                dispatch.prepare(event)
                self.out.put(event)
        except EslError as exc:
            log.info("FreeSWITCH %s: %s while draining on stop", self.address.name, exc)


class Segment:
    """Queued events up to the next snapshot: per-event handlers, then batch handlers, resumable where a
    database outage interrupted it (so nothing already committed runs twice)."""

    def __init__(self, events: list[dispatch.Event]):
        self.events = events
        self.next_event = 0
        self.next_handler = 0
        self.batches_done: set = set()

    def run(self) -> None:
        while self.next_event < len(self.events):
            event = self.events[self.next_event]
            handlers = dispatch.handlers_for(event)
            while self.next_handler < len(handlers):
                self._call(handlers[self.next_handler], event, [event])
                self.next_handler += 1
            self.next_event += 1
            self.next_handler = 0
            metrics.ESL_HANDLED.labels(event.node).inc()
        for handler, keys in dispatch.batch_handlers():
            if handler in self.batches_done:
                continue
            mine = [e for e in self.events if e.key in keys]
            if mine:
                try:
                    self._call(handler, mine, mine, batch=True)
                except _PoisonBatch:
                    for event in mine:  # isolate the event that breaks the handler
                        self._call(handler, [event], [event], batch=True, isolate=True)
            self.batches_done.add(handler)

    @staticmethod
    def _call(handler, argument, events, *, batch=False, isolate=False) -> None:
        first = events[0]
        about = {} if len(events) > 1 else {  # a batch is about several calls: its lines name none
            "tenant": first.get("variable_domain_name"),
            "call_uuid": first.get("variable_call_uuid") or first.get("Unique-ID")}
        try:
            with log_context(**about), unit_of_work():
                handler(argument)
        except Exception as exc:
            if database_down(exc):
                raise
            if batch and not isolate:
                raise _PoisonBatch() from exc
            log.exception("handler %s failed on %s %s from %s; skipped", handler.__name__, first.key,
                          first.get("Unique-ID") or first.get("Job-UUID") or "", first.node)


class _PoisonBatch(Exception):
    pass


class Listener:
    def __init__(self, app, nodes: list[str], settings: Settings | None = None):
        self.app = app
        self.addresses = [NodeAddress.parse(spec) for spec in nodes]
        self.settings = settings or Settings()
        self.queue: queue.Queue = queue.Queue()
        self.stop_requested = threading.Event()
        load_handlers()
        self.events = [e for e in dispatch.subscribed_events() if e != "HEARTBEAT"]
        self.events.insert(0, "HEARTBEAT")  # also tells a live link from a dead one
        self.readers = [NodeReader(a, self.queue, self.stop_requested, self.events, self.settings)
                        for a in self.addresses]
        self._checked_upto = 0  # journal ids below this were checked by a catch-up (minus a margin)
        self._reconciling: dict[str, threading.Thread] = {}

    def stop(self) -> None:
        self.stop_requested.set()

    def _reconcile_soon(self, node: str) -> None:
        """Queue reconciliation in its own thread: events keep flowing while FreeSWITCH answers the
        commands. One at a time per node (a node that reconnects again meanwhile is not asked twice)."""
        running = self._reconciling.get(node)
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(target=self._reconcile, args=(node,), name=f"reconcile-{node}", daemon=True)
        self._reconciling[node] = thread
        thread.start()

    def _reconcile(self, node: str) -> None:
        with self.app.app_context():
            try:
                reconcile_queues(node)
            except Exception:  # a failed reconciliation is retried at the next connect; it never stops events
                log.exception("FreeSWITCH %s: queue reconciliation failed", node)
            finally:
                db.session.remove()

    def run(self) -> None:
        """Until stop(): read every node, handle everything read; then drain the queue and return."""
        if not self.addresses:
            log.warning("no FreeSWITCH node configured (CENTREX_ESL_NODES): nothing to listen to")
        # Readers and the worker share the GIL: a worker back from a database round trip would otherwise
        # wait up to 5 ms (the default switch interval) for a busy reader to let it run.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(0.0005)
        for reader in self.readers:
            reader.start()
        try:
            with self.app.app_context():
                self._work()
        finally:
            sys.setswitchinterval(switch_interval)
        for thread in [*self.readers, *self._reconciling.values()]:
            thread.join(timeout=5)
        log.info("ESL listener stopped")

    # -- the worker ----------------------------------------------------------------------------------
    def _work(self) -> None:
        next_catch_up = 0.0
        beat = Heartbeat(self.app.instance_path, "esl")
        while True:
            beat.beat()
            if time.monotonic() >= next_catch_up:
                if self._retrying(self._catch_up, "CDR catch-up"):
                    next_catch_up = time.monotonic() + self.settings.catch_up_every
            items = self._take()
            if not items:
                if self.stop_requested.is_set() and self.queue.empty():
                    return
                continue
            for part in self._split(items):
                if isinstance(part, Resync):
                    from esl_handlers.live import apply_snapshot

                    def job(snapshot=part):
                        apply_snapshot(snapshot.node, snapshot.snapshot)

                    if not self._retrying(job, f"live-state snapshot of {part.node}"):
                        return
                    self._reconcile_soon(part.node)
                else:
                    segment = Segment(part)
                    if not self._retrying(segment.run, f"{len(part)} events"):
                        return

    def _take(self) -> list:
        try:
            items = [self.queue.get(timeout=0.5)]
        except queue.Empty:
            return []
        while len(items) < self.settings.batch_max:
            try:
                items.append(self.queue.get_nowait())
            except queue.Empty:
                break
        metrics.ESL_QUEUE.set(self.queue.qsize())
        return items

    @staticmethod
    def _split(items: list) -> list:
        parts, events = [], []
        for item in items:
            if isinstance(item, Resync):
                if events:
                    parts.append(events)
                    events = []
                parts.append(item)
            else:
                events.append(item)
        if events:
            parts.append(events)
        return parts

    def _retrying(self, job, what: str) -> bool:
        """Run job; while the database is unavailable, wait and resume. False if stopped meanwhile."""
        delay, gave_up_at = 0.5, None
        while True:
            try:
                job()
                return True
            except Exception as exc:
                db.session.rollback()
                if not database_down(exc):
                    log.exception("%s failed; skipped", what)
                    return True
                if self.stop_requested.is_set():
                    gave_up_at = gave_up_at or time.monotonic() + self.settings.stop_grace
                    if time.monotonic() > gave_up_at:
                        log.error("stopping with the database unavailable: %s and %d queued events not "
                                  "stored (their CDRs remain in FreeSWITCH's xml_cdr spool)", what,
                                  self.queue.qsize())
                        return False
                reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
                log.warning("database unavailable (%s); retrying %s in %g s (%d events queued)",
                            reason, what, delay, self.queue.qsize())
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _catch_up(self) -> None:
        """Import the xml_cdr spool, then any journaled legs whose import never finished."""
        if self.settings.spool_dir:
            from esl_handlers.spool import import_spool

            import_spool(self.settings.spool_dir)
        after = max(0, self._checked_upto - 10_000)  # rows commit out of id order: look back a little
        upto = cdr.last_journal_id()
        while keys := cdr.pending_calls(after_id=after):
            with unit_of_work(write=True):
                counts = cdr.import_calls(keys)
            log.info("CDR catch-up: %s", counts)
        self._checked_upto = upto
