"""The WSGI app the bench serves: the product's own create_app(), plus one bench-only endpoint that
answers a constant XML document (the ceiling: what Flask under gunicorn costs with no work at all).
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

    def constant_xml():
        return Response(body, status=200, mimetype="text/xml")

    application.add_url_rule(CONSTANT_PATH, "bench_constant_xml", constant_xml, methods=["POST"])
    return application


app = build()
