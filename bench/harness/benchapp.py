"""The WSGI app the bench serves: the product's own create_app(), plus one bench-only endpoint that
answers a constant document (the ceiling: what Flask under gunicorn costs with no work at all), to a
POST (xml_curl) or a GET (a phone fetching its file).
With BENCH_SWITCH_CONSTANT=1 the product's /xmlcurl and /cdr answer constants instead (harness/
switch_answers.py: the baseline of the benches through a real FreeSWITCH); with
BENCH_DROP_MAX_REGISTRATIONS=1 its directory answers lose their max-registrations-per-extension, with
BENCH_DROP_USER_CACHE=1 their `cacheable` (FreeSWITCH's user cache off).
gunicorn loads `harness.benchapp:app`; the product itself has no such endpoint."""
from __future__ import annotations

import os

from flask import Response

import harness  # noqa: F401  (puts the repository on sys.path)
from wsgi import create_app

CONSTANT_PATH = "/bench/constant-xml"
CONSTANT_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<document type="freeswitch/xml">'
                b'<section name="result"><result status="not found"/></section></document>\n')


def build():
    application = create_app()
    body = CONSTANT_XML
    sample = os.environ.get("BENCH_CONSTANT_XML_FILE")
    if sample:  # the same bytes as a real answer, so the ceiling sends as much as the cases do
        with open(sample, "rb") as fh:
            body = fh.read()

    mimetype = os.environ.get("BENCH_CONSTANT_MIMETYPE", "text/xml")

    def constant_xml():
        return Response(body, status=200, mimetype=mimetype)

    application.add_url_rule(CONSTANT_PATH, "bench_constant_xml", constant_xml, methods=["GET", "POST"])
    if os.environ.get("BENCH_SWITCH_CONSTANT") == "1":
        from harness import switch_answers

        switch_answers.install(application)
    for variable, pattern in (("BENCH_DROP_MAX_REGISTRATIONS", "MAX_REGISTRATIONS"),
                              ("BENCH_DROP_USER_CACHE", "USER_CACHE")):
        if os.environ.get(variable) == "1":
            from harness import switch_answers

            switch_answers.drop_from_answers(application, getattr(switch_answers, pattern))
    return application


app = build()
