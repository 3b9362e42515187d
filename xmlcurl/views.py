"""The one endpoint mod_xml_curl posts to (also reachable per section, /xml/<section>)."""
from __future__ import annotations

import logging
import time

from flask import Blueprint, request
from sqlalchemy.exc import DBAPIError

from centrex.platform import metrics
from centrex.platform.db import db
from centrex.platform.logs import log_context
from xmlcurl import configuration, dialplan, directory
from xmlcurl.documents import not_found
from xmlcurl.form import read_form
from xmlcurl.guard import check_request

bp = Blueprint("xmlcurl", __name__)
log = logging.getLogger("centrex.xmlcurl")

SECTIONS = {"directory": directory.answer, "dialplan": dialplan.answer, "configuration": configuration.answer}
_LATENCY = {(s, o): metrics.XMLCURL_SECONDS.labels(s, o) for s in SECTIONS
            for o in (metrics.ANSWERED, metrics.NOT_FOUND, metrics.ERROR)}
_QUERIES = {s: metrics.XMLCURL_QUERIES.labels(s) for s in SECTIONS}


@bp.before_request
def guard():
    return check_request()


@bp.post("/xmlcurl")
@bp.post("/xml/<path_section>")
def fetch(path_section: str | None = None):
    started = time.perf_counter()
    form = read_form(request)
    if form is None:
        log.info("xmlcurl: not found (body too large or with a NUL character)")
        return not_found()
    section = form.get("section") or path_section or ""
    with log_context(tenant=form.get("domain") or form.get("variable_domain_name") or form.get("Hunt-Context"),
                     call_uuid=form.get("variable_call_uuid") or form.get("Unique-ID")):
        return _fetch(form, section, path_section, started)


def _fetch(form, section: str, path_section: str | None, started: float):
    handler = SECTIONS.get(section)
    if handler is None or (path_section and path_section != section):
        log.info("xmlcurl %r: not found (section not served)", section[:40])
        return not_found()
    queries_before = metrics.queries.count
    try:
        response, reason = _answer(handler, form)
    except Exception:  # FreeSWITCH must get a document, never a 500: log it and say "not found"
        log.exception("xmlcurl %s: error while answering; answered not found", section)
        _measure(section, metrics.ERROR, started, queries_before)
        return not_found()
    elapsed = _measure(section, metrics.ANSWERED if response is not None else metrics.NOT_FOUND, started,
                       queries_before)
    if response is None:
        log.info("xmlcurl %s: not found (%s) %.1f ms", section, reason, elapsed * 1000)
        return not_found()
    log.debug("xmlcurl %s: %s %.1f ms", section, reason, elapsed * 1000)
    return response


def _measure(section: str, outcome: str, started: float, queries_before: int) -> float:
    """Record one answer's latency and SQL statements; its duration in seconds."""
    elapsed = time.perf_counter() - started
    _LATENCY[section, outcome].observe(elapsed)
    _QUERIES[section].inc(metrics.queries.count - queries_before)
    return elapsed


def _answer(handler, form):
    """The handler's answer; asked again once on a fresh connection if the database dropped ours
    (a restart, a failover): FreeSWITCH should not see a "not found" for that."""
    try:
        return handler(form)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.warning("xmlcurl: database connection lost (%s); asking again", type(exc.orig).__name__)
        db.session.rollback()
        return handler(form)

