"""The captured calls and what FreeSWITCH itself recorded for them (fixtures cdr/), read independently of
the code under test: Master.csv rows and the xml_cdr POST bodies."""
from __future__ import annotations

import csv
import re
import uuid as uuidlib
from pathlib import Path
from urllib.parse import parse_qs, unquote

from lxml import etree

from conftest import FIXTURES
from esl_server import capture_events, event_headers

CDR_DIR = FIXTURES / "cdr"
MASTER_COLUMNS = ["caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp",
                  "answer_stamp", "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid",
                  "accountcode", "read_codec", "write_codec"]
# The second session's calls, one slice of the filtered event stream each (esl/NOTES.md).
SESSION2_SLICES = [
    "events-plain-outcome_a-busy.bin", "events-plain-outcome_b-noanswer.bin",
    "events-plain-outcome_c-not_registered.bin", "events-plain-outcome_d-sequential.bin",
    "events-plain-outcome_e-simultaneous.bin", "events-plain-ivr-dtmf-transfer.bin",
    "events-plain-external-did.bin.gz", "events-plain-callcenter.bin.gz",
    "events-plain-moh-local_stream.bin.gz",
    "events-plain-conference-mute-kick-uuid_transfer.bin.gz", "events-plain-click_to_call-originate.bin.gz",
]
UUID_RE = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def hangups(*names: str) -> list[bytes]:
    """The CHANNEL_HANGUP_COMPLETE messages (exact bytes) of these captures."""
    return capture_events(*names, event_names={"CHANNEL_HANGUP_COMPLETE"})


def session1_hangups() -> list[bytes]:
    return hangups("events-plain-all.bin.gz")


def session2_hangups() -> list[bytes]:
    return hangups(*SESSION2_SLICES, "bgapi-originate-fax-fail-with-events.bin")


def headers_of(message: bytes) -> dict[str, str]:
    return event_headers(message.split(b"\n\n", 1)[1])


def plain_text(message: bytes) -> str:
    """The event-plain body of a message, as the journal keeps it."""
    return message.split(b"\n\n", 1)[1].decode()


def master_csv() -> dict[str, dict[str, str]]:
    """mod_cdr_csv's Master.csv rows by channel UUID."""
    with open(CDR_DIR / "cdr_csv-Master.csv", newline="") as fh:
        return {row["uuid"]: row for row in csv.DictReader(fh, fieldnames=MASTER_COLUMNS)}


def xml_cdr_post(name: str) -> str:
    """The XML of a captured mod_xml_cdr POST (form field `cdr`)."""
    raw = (CDR_DIR / name).read_bytes().replace(b"\r\n", b"\n")
    return parse_qs(raw.split(b"\n\n", 1)[1].decode())["cdr"][0]


def xml_cdr_posts() -> dict[str, str]:
    return {path.name: xml_cdr_post(path.name) for path in sorted(CDR_DIR.glob("xml_cdr-post-*.http"))}


def xml_variables(xml: str) -> dict[str, str]:
    """<variables> of an xml_cdr record, decoded (first value of repeated ones)."""
    root = etree.fromstring(xml.encode())
    out: dict[str, str] = {}
    for element in root.find("variables"):
        out.setdefault(element.tag, unquote(element.text or ""))
    return out


def xml_caller_profile(xml: str) -> dict[str, str]:
    profile = etree.fromstring(xml.encode()).find("callflow/caller_profile")
    return {child.tag: child.text or "" for child in profile}


def with_fresh_uuids(messages: list[bytes], replace: dict[bytes, bytes] | None = None) -> list[bytes]:
    """The same events for another call: every UUID replaced consistently (and optional text swaps),
    the Content-Length recomputed."""
    mapping: dict[bytes, bytes] = {}

    def fresh(match):
        return mapping.setdefault(match.group(0), str(uuidlib.uuid4()).encode())

    out = []
    for message in messages:
        body = UUID_RE.sub(fresh, message.split(b"\n\n", 1)[1])
        for old, new in (replace or {}).items():
            body = body.replace(old, new)
        out.append(b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(body) + body)
    return out


def spool_dir_copy(target: Path, names: list[str]) -> list[Path]:
    """Write captured xml_cdr records into a spool directory the way mod_xml_cdr's err-log-dir holds them
    (URL-encoded XML, one file per leg, named <uuid>.cdr.xml or a_<uuid>.cdr.xml)."""
    from urllib.parse import quote

    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        xml = xml_cdr_post(name)
        leg_uuid = xml_variables(xml)["uuid"]
        prefix = "a_" if "a_leg" in name else ""
        path = target / f"{prefix}{leg_uuid}.cdr.xml"
        path.write_text(quote(xml, safe="/"))
        paths.append(path)
    return paths
