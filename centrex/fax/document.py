"""Fax documents: TIFF to PDF (libtiff's tiff2pdf, which keeps the fax's 204x98 or 204x196 dpi aspect),
PDF and text to a fax TIFF (Ghostscript, tiffg4 at 204x196 on A4), and page counts."""
from __future__ import annotations

import struct
import subprocess
from pathlib import Path

TOOL_TIMEOUT = 300  # seconds for one conversion
FAX_RESOLUTION = "204x196"


class DocumentError(Exception):
    """A document could not be read or converted; the message is for people."""


def tiff_pages(path: Path) -> int:
    """Number of pages (image directories) of a TIFF file; 0 when it is missing or empty."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return 0
    if len(data) < 8 or data[:2] not in (b"II", b"MM"):
        return 0
    order = "<" if data[:2] == b"II" else ">"
    if struct.unpack(order + "H", data[2:4])[0] != 42:
        return 0
    offset, pages, seen = struct.unpack(order + "I", data[4:8])[0], 0, set()
    while offset and offset + 2 <= len(data) and offset not in seen:
        seen.add(offset)
        count = struct.unpack(order + "H", data[offset:offset + 2])[0]
        end = offset + 2 + 12 * count
        if end + 4 > len(data):
            break
        pages += 1
        offset = struct.unpack(order + "I", data[end:end + 4])[0]
    return pages


def tiff_to_pdf(tiff: Path, pdf: Path) -> int:
    """Convert a received fax to PDF (every page, each at its own resolution); returns the page count."""
    pages = tiff_pages(tiff)
    if pages == 0:
        raise DocumentError(f"No fax page in {Path(tiff).name}.")
    tmp = Path(pdf).with_suffix(".pdf.tmp")
    _run(["tiff2pdf", "-o", str(tmp), str(tiff)], "tiff2pdf", tmp)
    tmp.replace(pdf)  # atomic: a reader never sees half a PDF
    return pages


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF-")


def documents_to_fax_tiff(documents: list[Path], out: Path) -> int:
    """Render PDF/PostScript documents, in order, into one multi-page fax TIFF; returns its page count."""
    if not documents:
        raise DocumentError("Nothing to fax.")
    tmp = Path(out).with_suffix(".tif.tmp")
    _run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffg4", f"-r{FAX_RESOLUTION}",
          "-sPAPERSIZE=a4", "-dFIXEDMEDIA", "-dPDFFitPage", "-dPDFSTOPONERROR", f"-sOutputFile={tmp}",
          *[str(doc) for doc in documents]], "Ghostscript", tmp)
    pages = tiff_pages(tmp)
    if pages == 0:
        tmp.unlink(missing_ok=True)
        raise DocumentError("The documents have no page to fax.")
    tmp.replace(out)
    return pages


def text_to_postscript(text: str, title: str = "") -> bytes:
    """A plain text (an email body) as PostScript pages: Courier 11 pt on A4, Latin-1 characters."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\t", "    ").split("\n"):
        raw = raw.rstrip()
        while len(raw) > 80:
            cut = raw.rfind(" ", 0, 80)
            cut = cut if cut > 20 else 80
            lines.append(raw[:cut])
            raw = raw[cut:].lstrip()
        lines.append(raw)
    while lines and not lines[-1]:
        lines.pop()
    per_page, top, step = 62, 800, 12.5
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    out = ["%!PS-Adobe-3.0", f"%%Pages: {len(pages)}", "%%EndComments",
           "/Courier findfont dup length dict begin { 1 index /FID ne { def } { pop pop } ifelse } forall",
           "/Encoding ISOLatin1Encoding def currentdict end /CourierL1 exch definefont pop",
           "/CourierL1 findfont 11 scalefont setfont"]
    for number, page in enumerate(pages, 1):
        out.append(f"%%Page: {number} {number}")
        if title and number == 1:
            out.append(f"50 820 moveto ({_ps_string(title)}) show")
        for row, line in enumerate(page):
            out.append(f"50 {top - row * step:.1f} moveto ({_ps_string(line)}) show")
        out.append("showpage")
    out.append("%%EOF")
    return ("\n".join(out) + "\n").encode("latin-1")


_TYPOGRAPHY = str.maketrans({"\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                             "\u201d": '"', "\u2026": "...", "\u00a0": " ", "\u20ac": "EUR"})


def _ps_string(line: str) -> str:
    safe = line.translate(_TYPOGRAPHY).encode("latin-1", errors="replace").decode("latin-1")
    return "".join(f"\\{ord(c):03o}" if ord(c) > 126 or c in "()\\" else c for c in safe)


def _run(command: list[str], tool: str, output: Path) -> None:
    """Run a converter; on failure remove its partial output and raise DocumentError."""
    try:
        result = subprocess.run(command, capture_output=True, timeout=TOOL_TIMEOUT, check=False)
    except FileNotFoundError as exc:
        raise DocumentError(f"{tool} is not installed ({command[0]}).") from exc
    except subprocess.TimeoutExpired as exc:
        output.unlink(missing_ok=True)
        raise DocumentError(f"{tool} took longer than {TOOL_TIMEOUT} s.") from exc
    if result.returncode != 0:
        output.unlink(missing_ok=True)
        detail = [line for line in (result.stderr or result.stdout).decode(errors="replace").splitlines()
                  if line.strip().startswith(("Error", "****", "TIFF", "tiff2pdf"))]
        raise DocumentError(f"{tool} could not read it ({detail[0].strip()[:120] if detail else 'error'}).")
