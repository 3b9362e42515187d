"""Building the XML documents FreeSWITCH reads (lxml), including the "not found" answer."""
from __future__ import annotations

import re

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
    return _named_values(parent, "params", "param", items)


def variables(parent, items) -> etree._Element:
    return _named_values(parent, "variables", "variable", items)


def _named_values(parent, tag: str, child: str, items) -> etree._Element:
    """`<params><param name=… value=…/>…</params>` (likewise variables); a None value is left out."""
    node = etree.SubElement(parent, tag)
    for name, value in items:
        if value is not None:
            etree.SubElement(node, child, name=name, value=str(value))
    return node


# FreeSWITCH loads every mod_xml_curl answer with switch_xml_parse_file, whose preprocessor works on the raw
# text before any XML parsing: it replaces `$${name}` with the global variable (the operator's ESL password,
# our own credentials…) and drops every line holding `X-pre-process` (our answers are one line: all of it).
# A character reference means the same once parsed but spells neither, whatever a tenant typed; `${…}`
# channel variables we emit on purpose still expand at run time, after parsing.
_PREPROCESSOR_WORDS = re.compile(rb"(x)(?=-pre-process)", re.IGNORECASE)


def _unreadable_by_preprocessor(raw: bytes) -> bytes:
    raw = raw.replace(b"$", b"&#36;")
    return _PREPROCESSOR_WORDS.sub(lambda m: b"&#%d;" % m[1][0], raw)


def serialise(root) -> bytes:
    """The answer's bytes: the one place every section's values leave for FreeSWITCH."""
    return serialised_text(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def serialised_text(raw: bytes) -> bytes:
    """The answer's bytes from a document already written out (lxml's, or a template filled with
    `attribute` values): the preprocessor's words made unreadable."""
    return _unreadable_by_preprocessor(raw)


# A document of a fixed shape can be written as text; its values then go through `attribute`, which
# escapes them as lxml does in an attribute and refuses what lxml refuses (no XML 1.0 character).
DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                    "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def attribute(value) -> str:
    """`value` (str() of it) written inside an attribute's double quotes."""
    text = str(value)
    if _NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    return text.translate(_ATTRIBUTE_ESCAPES)


def named_values_text(tag: str, child: str, items) -> str:
    """`<params><param name=… value=…/>…</params>` as text (likewise variables); None values left out."""
    inner = "".join(f'<{child} name="{attribute(name)}" value="{attribute(value)}"/>'
                    for name, value in items if value is not None)
    return f"<{tag}>{inner}</{tag}>" if inner else f"<{tag}/>"


def xml_body_response(body: bytes) -> Response:
    return Response(body, status=200, mimetype="text/xml")


def xml_response(root) -> Response:
    return xml_body_response(serialise(root))


def not_found() -> Response:
    return Response(NOT_FOUND, status=200, mimetype="text/xml")
