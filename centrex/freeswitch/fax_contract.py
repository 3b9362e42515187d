"""The fax contract with FreeSWITCH: where each tenant's faxes are spooled, and the channel variables the
dialplan sets before `rxfax` and the originate sets before `txfax` (mod_spandsp reads fax_use_ecm,
fax_enable_t38, fax_enable_t38_request, fax_ident, fax_header, fax_verbose from the channel; see
mod_spandsp_fax.c pvt_init/request_t38). The `centrex_*` variables come back in the spandsp events, so
the handler knows which box and tenant a result belongs to without trusting anything else.

Paths: FreeSWITCH writes and reads under FAX_SPOOL (its view); we read and write the same files under
FAX_SPOOL_LOCAL (ours: the same directory on one host, or the mount of a shared volume)."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from flask import current_app

BOX_VARIABLE = "centrex_fax_box_id"
TENANT_VARIABLE = "centrex_tenant_id"
FAX_VARIABLE = "centrex_fax_id"

# T.38 when the carrier offers or accepts it (re-INVITE), G.711 audio fax otherwise; ECM on.
MEDIA_VARIABLES = {
    "fax_use_ecm": "true",
    "fax_enable_t38": "true",
    "fax_enable_t38_request": "true",
    "fax_verbose": "false",
}


def _spool_root() -> PurePosixPath:
    return PurePosixPath(current_app.config["FAX_SPOOL"])


def _local_root() -> Path:
    return Path(current_app.config.get("FAX_SPOOL_LOCAL") or current_app.config["FAX_SPOOL"])


def tenant_dir(domain: str, direction: str) -> Path:
    """Our local directory for a tenant's received ("in") or sent ("out") faxes (created on demand)."""
    if direction not in ("in", "out") or "/" in domain or domain.startswith("."):
        raise ValueError("bad fax spool request")
    path = _local_root() / domain / direction
    path.mkdir(parents=True, exist_ok=True)
    return path


def rxfax_file(domain: str) -> str:
    """The `rxfax` argument for a tenant's fax number: FreeSWITCH expands ${uuid} when the call runs.
    The tenant's receive folder is made here, before the call needs it: spandsp does not create folders
    (rxfax ends with "TIFF/F file cannot be opened", 0 pages, when it is missing)."""
    tenant_dir(domain, "in")
    return str(_spool_root() / domain / "in" / "${uuid}.tif")


def to_switch_path(local: Path) -> str:
    """The path FreeSWITCH must use for a file we wrote (e.g. the `txfax` argument)."""
    return str(_spool_root() / Path(local).resolve().relative_to(_local_root().resolve()))


def from_switch_path(switch_path: str, domain: str) -> Path | None:
    """Our path for a file FreeSWITCH reports, or None when it is not inside this tenant's spool."""
    try:
        relative = PurePosixPath(switch_path).relative_to(_spool_root() / domain)
    except ValueError:
        return None
    if ".." in relative.parts:
        return None
    return _local_root() / domain / relative


# spandsp must be paced by a clock: without one (a profile with no rtp-timer-name) FreeSWITCH paces the
# leg by the RTP the far end sends, and a far end that waits to hear us first (a fax machine waiting for
# CED) never gets a packet. Seen live: both sides silent until the call timed out, 0 pages.
RECEIVE_TIMER = {"rtp_timer_name": "soft"}


def receive_variables(box_id: int, tenant_id: int, number: str, header: str) -> dict[str, str]:
    """What the dialplan sets on a call to a fax number, before `answer` and `rxfax <rxfax_file(domain)>`."""
    return {BOX_VARIABLE: str(box_id), TENANT_VARIABLE: str(tenant_id), "fax_ident": number,
            "fax_header": fax_header(header), **MEDIA_VARIABLES, **RECEIVE_TIMER}


def fax_header(name: str) -> str:
    """The page header text: the company name without the characters that split FreeSWITCH variable lists."""
    return "".join(c for c in name if c.isprintable() and c not in ",;{}[]'\"\\^=")[:40].strip()


def send_variables(fax_id: int, tenant_id: int, number: str, header: str) -> dict[str, str]:
    """The originate variables of an email-to-fax call (`&txfax(<to_switch_path(tiff)>)`)."""
    header = fax_header(header)
    return {FAX_VARIABLE: str(fax_id), TENANT_VARIABLE: str(tenant_id),
            "origination_caller_id_number": number, "origination_caller_id_name": header,
            "fax_ident": number, "fax_header": header, "ignore_early_media": "true", **MEDIA_VARIABLES}
