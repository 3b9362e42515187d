"""The files phones fetch, under /prov. A phone proves who it is with HTTP basic auth (user = its MAC,
password = its own token, handed to it once in the bootstrap window); the MAC in the User-Agent is
never trusted. Every request is logged in prov_download; failures count towards a lockout of the source
address (in the database, so every worker agrees). Bad input is a 4xx, never a 5xx."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Response, current_app, request

from centrex.db import db
from centrex.services import provisioning as prov
from centrex.services.provisioning_phonebooks import company_phonebook, personal_phonebook
from provisioning import snom, yealink
from provisioning.render import UnsafeValue

bp = Blueprint("provisioning", __name__, url_prefix="/prov")
log = logging.getLogger("centrex.provisioning")

MAX_NAME = 96
PHONEBOOK_PREFIX = "phonebook/"
TITLES = {"company": "Entreprise / Company", "personal": "Personnel / Personal"}


def _caller() -> prov.Caller:
    auth = request.authorization
    username = password = None
    if auth is not None and auth.type == "basic":
        username, password = auth.username or "", auth.password or ""
    return prov.Caller(ip=request.remote_addr, user_agent=request.headers.get("User-Agent", "")[:255],
                       username=username, password=password)


def _base_url() -> str:
    return (current_app.config.get("PROV_BASE_URL") or request.url_root.rstrip("/") + bp.url_prefix).rstrip("/")


def _with_credentials(url: str, profile) -> str:
    """The phonebook URL with the phone's own credentials as userinfo (the phone sends them as a
    basic Authorization header, so they appear in no request line or access log)."""
    parts = urlsplit(url)
    netloc = f"{profile.prov_username}:{profile.prov_token}@{parts.netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _text(body: str, status: int = 200, mimetype: str = "text/plain") -> Response:
    response = Response(body, status=status, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-store"
    return response


class Outcome(Exception):
    """Ends a request with a status, a word for the download log, and whether it was a failure."""

    def __init__(self, status: int, result: str, *, mac: str | None = None, device=None):
        super().__init__(result)
        self.status, self.result, self.mac, self.device = status, result, mac, device


@bp.get("/<path:name>")
def fetch(name: str):
    now = prov.utcnow()
    caller = _caller()
    file_label = prov.printable(name, 128)  # no control character reaches the log or the database
    try:
        body, mimetype, result, device, mac = _answer(name, caller, now)
        prov.record_download(caller, file_label, result, 200, mac=mac, device=device, now=now)
        db.session.commit()
        return _text(body, mimetype=mimetype)
    except Outcome as outcome:
        return _finish(outcome, caller, file_label, now)
    except UnsafeValue:
        db.session.rollback()
        log.error("provisioning %s: refused to generate a file (a stored value has a control character)",
                  file_label)
        return _finish(Outcome(409, prov.REFUSED), caller, file_label, now)


def _finish(outcome: Outcome, caller: prov.Caller, file_label: str, now) -> Response:
    db.session.rollback()
    locked = False
    if outcome.result in prov.FAILURES:
        locked = prov.record_failure(caller.ip, now)
    prov.record_download(caller, file_label, outcome.result, outcome.status, mac=outcome.mac,
                         device=outcome.device, now=now)
    db.session.commit()
    log.info("provisioning %s from %s: %s (%d)%s", file_label, caller.ip, outcome.result, outcome.status,
             " - source locked out" if locked else "")
    if outcome.status == 401:
        response = _text("authentication required\n", 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="centrex-provisioning"'
        return response
    if outcome.status == 429:
        response = _text("too many failed requests; try later\n", 429)
        response.headers["Retry-After"] = str(current_app.config.get("PROV_LOCKOUT_SECONDS", 900))
        return response
    messages = {400: "bad request\n", 403: "forbidden\n", 404: "not found\n", 409: "cannot generate this file\n"}
    return _text(messages.get(outcome.status, "error\n"), outcome.status)


def _answer(name: str, caller: prov.Caller, now):
    """(body, mimetype, result, device, mac) for a file we serve, else raise Outcome. Per-device files
    check the lockout in their one lookup query; everything else checks it first."""
    if not name.startswith(PHONEBOOK_PREFIX) and not (
            yealink.DEVICE_RE.match(name) or snom.DEVICE_HTM_RE.match(name) or snom.DEVICE_XML_RE.match(name)):
        _check_lock(caller, now)
    slashes = 2 if name.startswith(PHONEBOOK_PREFIX) else 0
    if len(name) > MAX_NAME or name.count("/") != slashes or "\\" in name or ".." in name:
        raise Outcome(400, prov.BAD_REQUEST)
    if name.startswith(PHONEBOOK_PREFIX):
        return _phonebook(name[len(PHONEBOOK_PREFIX):], caller, now)
    base = _base_url()
    settings = {"ntp_server": current_app.config.get("PROV_NTP_SERVER", "pool.ntp.org")}
    if match := yealink.COMMON_RE.match(name):
        if match.group(1) not in yealink.COMMON_CODES:
            raise Outcome(404, prov.NOT_FOUND)
        return yealink.common_file(match.group(1), base_url=base, settings=settings), "text/plain", \
            prov.SERVED, None, None
    if match := yealink.DEVICE_RE.match(name):
        device, profile, result = _identify(match.group(1), "yealink", caller, now, carries_credentials=True)
        phonebooks = [(TITLES[kind], _with_credentials(f"{base}/phonebook/{device.mac}/{kind}.xml", profile))
                      for kind in ("company", "personal")]
        return yealink.device_file(profile, base_url=base, phonebooks=phonebooks), "text/plain", result, \
            device, device.mac
    if match := snom.DEVICE_HTM_RE.match(name):
        device, profile, result = _identify(match.group(2), "snom", caller, now, carries_credentials=False,
                                            model=match.group(1))
        return snom.device_htm(profile, base_url=base), "application/xml", result, device, device.mac
    if match := snom.DEVICE_XML_RE.match(name):
        device, profile, result = _identify(match.group(1), "snom", caller, now, carries_credentials=True)
        menu = _with_credentials(f"{base}/phonebook/{device.mac}/index.xml", profile)
        return snom.device_xml(profile, base_url=base, phonebook_url=menu), "application/xml", result, \
            device, device.mac
    if match := snom.MODEL_HTM_RE.match(name):
        if match.group(1).upper() not in snom.MODELS:
            raise Outcome(404, prov.NOT_FOUND)
        return snom.model_htm(match.group(1), base_url=base), "application/xml", prov.SERVED, None, None
    if match := snom.MODEL_XML_RE.match(name):
        if match.group(1).upper() not in snom.MODELS:
            raise Outcome(404, prov.NOT_FOUND)
        return snom.model_xml(match.group(1), settings=settings), "application/xml", prov.SERVED, None, None
    if yealink.EXPECTED_MISSES.match(name) or snom.EXPECTED_MISSES.match(name):
        raise Outcome(404, prov.NOT_FOUND)
    raise Outcome(404, prov.BAD_REQUEST)  # a name no phone of ours asks for: probing


def _check_lock(caller: prov.Caller, now) -> None:
    if prov.locked_until(caller.ip, now) is not None:
        raise Outcome(429, prov.LOCKED)


def _lookup(mac: str, caller: prov.Caller, now) -> prov.Lookup:
    found = prov.lookup(mac, caller.ip, now)
    if found.locked_until is not None:
        raise Outcome(429, prov.LOCKED)
    return found


def _identify(raw_mac: str, vendor: str, caller: prov.Caller, now, *, carries_credentials: bool,
              model: str | None = None):
    """The device this file is for, if the caller proves it is that device (or the window is open)."""
    mac = raw_mac.lower()
    found = _lookup(mac, caller, now)
    device = found.device
    if device is None or device.vendor != vendor:
        if device is None:
            prov.record_unknown(mac, vendor, model, caller, now)
            db.session.commit()  # keep the record even though the request then fails
        raise Outcome(404, prov.UNKNOWN_MAC, mac=mac)
    result = prov.authenticate(device, caller, now)
    if result == prov.CHALLENGE:
        raise Outcome(401, prov.CHALLENGE, mac=mac, device=device)
    if result in (prov.BAD_CREDENTIALS, prov.WRONG_DEVICE):
        raise Outcome(401 if result == prov.BAD_CREDENTIALS else 403, result, mac=mac, device=device)
    profile = prov.build_profile(device, found.tenant, found.user)
    prov.mark_seen(device, caller, now, carries_credentials=carries_credentials,
                   bootstrap=result == prov.BOOTSTRAP)
    return device, profile, result


def _phonebook(rest: str, caller: prov.Caller, now):
    """phonebook/<mac>/{company,personal}.xml (and index.xml for Snom), in the device's vendor format."""
    raw_mac, _, leaf = rest.partition("/")
    if not yealink.DEVICE_RE.match(f"{raw_mac}.cfg") or leaf not in ("company.xml", "personal.xml", "index.xml"):
        raise Outcome(404, prov.BAD_REQUEST)
    mac = raw_mac.lower()
    found = _lookup(mac, caller, now)
    device = found.device
    if device is None:
        raise Outcome(404, prov.UNKNOWN_MAC, mac=mac)
    result = prov.authenticate(device, caller, now)
    if result != prov.SERVED:  # phonebooks need the phone's own credentials, bootstrap or not
        status = 401 if result in (prov.CHALLENGE, prov.BAD_CREDENTIALS, prov.BOOTSTRAP) else 403
        raise Outcome(status, prov.CHALLENGE if result == prov.BOOTSTRAP else result, mac=mac, device=device)
    vendor = snom if device.vendor == "snom" else yealink
    if leaf == "index.xml":
        if device.vendor != "snom":
            raise Outcome(404, prov.NOT_FOUND, mac=mac, device=device)
        profile = prov.build_profile(device, found.tenant, found.user)
        base = _base_url()
        items = [(TITLES[kind], _with_credentials(f"{base}/phonebook/{mac}/{kind}.xml", profile))
                 for kind in ("company", "personal")]
        return snom.phonebook_menu(items), "application/xml", prov.SERVED, device, mac
    if leaf == "company.xml":
        rows = company_phonebook(device.tenant_id)
    else:
        rows = personal_phonebook(device.tenant_id, device.user_id)
    return vendor.phonebook(TITLES[leaf[:-4]], rows), "application/xml", prov.SERVED, device, mac
