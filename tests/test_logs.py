"""Logs an operator can use: one line per event naming the company and the call's UUID, never a secret;
JSON lines with CENTREX_LOG_FORMAT=json."""
from __future__ import annotations

import io
import json
import logging
from urllib.parse import parse_qs

import pytest

from centrex.platform import logs
from conftest import read_capture


@pytest.fixture
def json_lines():
    """What the process's log handler writes, as JSON lines (the handler `logs.configure` installs)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level, root.level = root.level, logging.DEBUG
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_an_xml_curl_line_names_the_company_and_the_call(demo, post_capture, json_lines):
    name = "25-dialplan-call-1001-to-1002.http"
    form = {k: v[0] for k, v in parse_qs(read_capture(name)[1].decode()).items()}
    # the same call to a number nobody has: answered "not found", one INFO line about it
    assert post_capture(name, replace={"Caller-Destination-Number=1002": "Caller-Destination-Number=1999",
                                       "variable_sip_req_user=1002": "variable_sip_req_user=1999"}).status_code == 200
    [line] = [entry for entry in json_lines() if entry["logger"] == "centrex.xmlcurl"]
    assert line["tenant"] == "dupont.example" and line["level"] in ("INFO", "DEBUG")
    assert line["call_uuid"] == (form.get("variable_call_uuid") or form["Unique-ID"])


def test_no_secret_reaches_a_line_whoever_logs_it(json_lines):
    log = logging.getLogger("centrex.test")
    with logs.log_context(tenant="dupont.example", call_uuid="0b6e7d3c"):
        log.warning("gateway refused: password=hunter22 token: abc.def, a1-hash=%s", "5f4dcc3b5aa765d61d8327deb882cf99")
        log.info('{"api_key": "ck_live_123", "name": "Alain"}')
    log.info("nothing to say about a call here")
    first, second, third = json_lines()
    assert "hunter22" not in first["message"] and "abc.def" not in first["message"]
    assert "5f4dcc3b" not in first["message"] and first["message"].count("***") == 3
    assert "ck_live_123" not in second["message"] and "Alain" in second["message"]
    assert (first["tenant"], first["call_uuid"]) == ("dupont.example", "0b6e7d3c")
    assert "tenant" not in third and "call_uuid" not in third


def test_text_lines_say_the_same_on_one_line():
    record = logging.LogRecord("centrex.esl", logging.INFO, __file__, 1, "CDR imported", None, None)
    with logs.log_context(tenant="martin.example", call_uuid="c-1"):
        logs.ContextFilter().filter(record)
    line = logs.TextFormatter().format(record)
    assert "\n" not in line and line.endswith("CDR imported [tenant=martin.example call=c-1]")
