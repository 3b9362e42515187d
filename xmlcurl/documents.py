"""Building the XML documents FreeSWITCH reads (lxml), including the "not found" answer."""
from __future__ import annotations

from flask import Response
from lxml import etree

NOT_FOUND = (b'<?xml version="1.0" encoding="UTF-8"?>\n<document type="freeswitch/xml">'
             b'<section name="result"><result status="not found"/></section></document>\n')


def document(section: str, description: str | None = None) -> tuple[etree._Element, etree._Element]:
    root = etree.Element("document", type="freeswitch/xml")
    attrs = {"name": section}
    if description:
        attrs["description"] = description
    return root, etree.SubElement(root, "section", attrs)


def params(parent, items) -> etree._Element:
    node = etree.SubElement(parent, "params")
    for name, value in items:
        if value is not None:
            etree.SubElement(node, "param", name=name, value=str(value))
    return node


def variables(parent, items) -> etree._Element:
    node = etree.SubElement(parent, "variables")
    for name, value in items:
        if value is not None:
            etree.SubElement(node, "variable", name=name, value=str(value))
    return node


def serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def xml_body_response(body: bytes) -> Response:
    return Response(body, status=200, mimetype="text/xml")


def xml_response(root) -> Response:
    return xml_body_response(serialise(root))


def not_found() -> Response:
    return Response(NOT_FOUND, status=200, mimetype="text/xml")
