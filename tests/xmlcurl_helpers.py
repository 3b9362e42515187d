"""Checks shared by the xml_curl tests: what a well-formed answer is, what it may never contain,
where its bridges and transfers go, and how many SQL statements a request ran."""
from __future__ import annotations

import re
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode

from lxml import etree
from sqlalchemy import event, select

from centrex.directory.users import reveal_secret
from centrex.models import Tenant, User
from centrex.platform.db import db
from conftest import FIXTURES, read_capture

SECTIONS = {"directory", "dialplan", "configuration", "result"}
# Transaction control (the fixture's savepoints, SQLite's explicit BEGIN) is not a query of the request.
_TRANSACTION_SQL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


def request_captures(prefix: str = "") -> list[str]:
    """Names of the captured mod_xml_curl requests (not the responses), optionally of one section."""
    names = sorted(p.name for p in (FIXTURES / "xml_curl").glob("*.http")
                   if not p.name.endswith(".response.http"))
    return [n for n in names if not prefix or n.split("-", 2)[1] == prefix]


def capture_form(name: str) -> list[tuple[str, str]]:
    """The captured urlencoded body as an ordered list of (field, value), blanks kept."""
    _, body = read_capture(name)
    return parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="utf-8")


def encode_form(pairs) -> bytes:
    return urlencode(list(pairs)).encode()


def field(pairs, name: str) -> str | None:
    return next((v for k, v in pairs if k == name), None)


def parse_document(response) -> etree._Element:
    """The answer must be HTTP 200, text/xml, well-formed, a freeswitch/xml document with one section."""
    assert response.status_code == 200, (response.status_code, response.data[:200])
    assert response.mimetype == "text/xml"
    root = etree.fromstring(response.data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "document" and root.get("type") == "freeswitch/xml"
    sections = root.findall("section")
    assert len(sections) == 1 and sections[0].get("name") in SECTIONS, etree.tostring(root)[:300]
    if sections[0].get("name") == "result":
        assert root.xpath("string(section/result/@status)") == "not found"
    return root


def captured_answer(capture: str) -> etree._Element:
    """The answer FreeSWITCH accepted for a captured request (`NN-….http`, or its number `NN`)."""
    folder = FIXTURES / "xml_curl"
    path = folder / capture.replace(".http", ".response.http") if capture.endswith(".http") \
        else next(folder.glob(f"{capture}-*.response.http"))
    return etree.fromstring(path.read_bytes().split(b"\r\n\r\n", 1)[1].strip())


def is_not_found(doc) -> bool:
    return doc.xpath("string(/document/section[@name='result']/result/@status)") == "not found"


def section_name(doc) -> str:
    return doc.find("section").get("name")


def demo_secrets() -> list[str]:
    """Every demo user's plaintext SIP secret (to prove no answer carries one)."""
    return [reveal_secret(u) for u in db.session.execute(select(User)).scalars()]


def assert_no_secret_material(body: bytes, doc, secrets) -> None:
    assert not doc.xpath("//param[@name='password' or @name='vm-password']")
    for secret in secrets:
        assert secret.encode() not in body


def a1_hashes(domain: str) -> dict[str, str]:
    """extension -> a1-hash of a tenant's users, read straight from the table."""
    rows = db.session.execute(select(User.extension, User.sip_a1_hash).join(Tenant)
                              .where(Tenant.domain == domain)).all()
    return dict(rows)


_LEG_PREFIX = re.compile(r"^(\[[^\]]*\]|\{[^}]*\}|<[^>]*>)*")


def _split_legs(data: str) -> list[str]:
    """Split a bridge string on `,` `|` `:_:` outside {..} [..] <..> (which may hold commas themselves)."""
    legs, depth, current, i = [], 0, [], 0
    while i < len(data):
        ch = data[i]
        if ch in "{[<":
            depth += 1
        elif ch in "}]>":
            depth = max(depth - 1, 0)
        if depth == 0 and (ch in ",|" or data.startswith(":_:", i)):
            legs.append("".join(current))
            current = []
            i += 3 if ch == ":" else 1
            continue
        current.append(ch)
        i += 1
    legs.append("".join(current))
    return legs


def bridge_legs(doc) -> list[str]:
    """Every leg of every bridge in a dialplan answer, without its {..}/[..]/<..> variables."""
    legs = []
    for data in doc.xpath("//*[self::action or self::anti-action][@application='bridge']/@data"):
        for leg in _split_legs(data):
            leg = _LEG_PREFIX.sub("", leg.strip())
            if leg:
                legs.append(leg)
    return legs


def leg_domain(leg: str) -> str | None:
    """The domain a `user/…@domain` or `sofia/…/…@domain` leg reaches (None for other endpoints)."""
    if "@" not in leg:
        return None
    return leg.rsplit("@", 1)[1].strip().lower()


def transfer_contexts(doc) -> list[str]:
    """The context of every `transfer <dest> XML <context>` (and execute_extension) in a dialplan answer."""
    contexts = []
    for data in doc.xpath("//action[@application='transfer' or @application='execute_extension']/@data"):
        parts = data.split()
        if len(parts) >= 3:
            contexts.append(parts[2].lower())
    return contexts


@contextmanager
def count_queries():
    """The SQL statements run on the app's engine inside the block (transaction control excluded)."""
    target = db.engine
    engine = getattr(target, "engine", target)  # the test session swaps in a Connection
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not _TRANSACTION_SQL.match(statement):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
