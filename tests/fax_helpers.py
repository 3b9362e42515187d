"""Test helpers for the fax pipeline: the captured ESL events, fax TIFFs made with Ghostscript, PDF info."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from centrex.freeswitch import fax_contract
from esl_handlers import dispatch
from esl_handlers.dispatch import Event

FAX_TIFF = "fax/rxfax-received.tif"


def esl_messages(raw: bytes) -> list[tuple[dict, bytes]]:
    """Split a captured inbound ESL stream into (outer headers, body) messages, by Content-Length."""
    messages, pos = [], 0
    while pos < len(raw):
        end = raw.find(b"\n\n", pos)
        if end < 0:
            break
        headers = dict(line.split(": ", 1) for line in raw[pos:end].decode().splitlines() if ": " in line)
        pos = end + 2
        length = int(headers.get("Content-Length", 0))
        messages.append((headers, raw[pos:pos + length]))
        pos += length
    return messages


def captured_events(path: Path, key: str | None = None) -> list[Event]:
    events = [Event.from_plain(body.decode(), node="127.0.0.1:8021")
              for headers, body in esl_messages(path.read_bytes())
              if headers.get("Content-Type") == "text/event-plain"]
    return [e for e in events if key is None or e.key == key]


def as_our_dialplan_sets_it(event: Event, box_id: int, tenant_id: int, domain: str, **changes) -> Event:
    """The captured event with what our fax-number dialplan adds: the box/tenant variables and the
    per-tenant rxfax path (the capture's dialplan had neither). Other header changes by name."""
    headers = dict(event.headers)
    headers["variable_" + fax_contract.BOX_VARIABLE] = str(box_id)
    headers["variable_" + fax_contract.TENANT_VARIABLE] = str(tenant_id)
    headers["variable_fax_filename"] = fax_contract.rxfax_file(domain).replace("${uuid}", headers["Unique-ID"])
    headers.update(changes)
    return Event(headers=headers, body=event.body, node=event.node)


def dispatch_event(event: Event) -> int:
    """Run the registered handlers for an event, as the ESL listener does."""
    handlers = dispatch.handlers_for(event)
    for handler in handlers:
        handler(event)
    return len(handlers)


def make_fax_tiff(path: Path, pages: int, resolution: str = "204x98", device: str = "tiffg3") -> Path:
    """A real multi-page fax TIFF (CCITT G3, 204x98 dpi like the capture), rendered by Ghostscript."""
    ps = ["%!PS", "/Helvetica findfont 40 scalefont setfont"]
    for number in range(1, pages + 1):
        ps += [f"72 700 moveto (Centrex test fax page {number}) show",
               "72 600 moveto 450 0 rlineto 8 setlinewidth stroke", "showpage"]
    source = path.with_suffix(".ps")
    source.write_text("\n".join(ps) + "\n")
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", f"-sDEVICE={device}", f"-r{resolution}",
                    "-sPAPERSIZE=a4", f"-sOutputFile={path}", str(source)], check=True, capture_output=True)
    return path


def pdf_info(data: bytes, tmp_path: Path) -> dict:
    """pdfinfo (poppler) of PDF bytes: {"Pages": "3", "Page size": "...", ...} (fails on a broken PDF)."""
    pdf = tmp_path / "received.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def page_size_points(info: dict) -> tuple[float, float]:
    width, height = re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"]).groups()
    return float(width), float(height)


@pytest.fixture
def fax_spool(app, tmp_path):
    """The fax spool in a temporary folder (FreeSWITCH's view and ours are the same path)."""
    saved = {k: app.config[k] for k in ("FAX_SPOOL", "FAX_SPOOL_LOCAL")}
    spool = tmp_path / "spool"
    app.config.update(FAX_SPOOL=str(spool), FAX_SPOOL_LOCAL="")
    yield spool
    app.config.update(saved)
