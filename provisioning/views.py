"""The files phones fetch, under /prov. A phone proves who it is with HTTP basic auth (user = its MAC,
password = its own token, handed to it once in the bootstrap window); the MAC in the User-Agent is
never trusted. Every request is logged in prov_download; failures count towards a lockout of the source
address (in the database, so every worker agrees). Bad input is a 4xx, never a 5xx.
A phone's own file, fetched with its own credentials, costs one statement on PostgreSQL (in autocommit,
no BEGIN/COMMIT round trips): centrex.phones.fetch reads and records it at once."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Response, current_app, g, request

from centrex.phones import catalogue, fetch as fetching, provisioning as prov
from centrex.phones.phonebooks import company_phonebook, personal_phonebook
from centrex.phones.profile import Phone, build_profile
from centrex.platform import metrics
from centrex.platform.db import db, read_connection
from centrex.platform.unit_of_work import unit_of_work
from provisioning import snom, yealink
from provisioning.render import UnsafeValue

bp = Blueprint("provisioning", __name__, url_prefix="/prov")
log = logging.getLogger("centrex.provisioning")


@bp.after_request
def _count_download(response: Response) -> Response:
    metrics.PROV_DOWNLOADS.labels(str(response.status_code)).inc()
    return response

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
    configured = current_app.config.get("PROV_BASE_URL")
    if configured:
        return configured.rstrip("/")
    environ = request.environ
    return _request_base_url(environ["wsgi.url_scheme"], environ.get("HTTP_HOST", ""), environ.get("SERVER_NAME"),
                             environ.get("SERVER_PORT"), request.root_path)


@lru_cache(maxsize=64)
def _request_base_url(*_what_it_depends_on) -> str:
    """The URL this request reached us at: werkzeug's url_root, built once per scheme, Host header,
    server name and port, and root path (set PROV_BASE_URL in production)."""
    return request.url_root.rstrip("/") + bp.url_prefix


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


@dataclass
class Served:
    """A file we answer with, how it was obtained, and for which phone (None: a common file)."""
    body: str
    mimetype: str
    result: str = prov.SERVED
    phone: Phone | None = None
    seen: bool = False  # the phone's own file: records where the phone is (network map)
    carries_credentials: bool = False
    recorded: bool = False  # the read recorded it already (download row, network map)


@bp.get("/<path:name>")
def fetch(name: str):
    now = prov.utcnow()
    caller = _caller()
    file_label = prov.printable(name, 128)  # no control character reaches the log or the database
    try:
        served = _answer(name, caller, now)
        with unit_of_work():  # nothing reaches the database when the read recorded it all
            if served.seen and not served.recorded:
                read_connection()  # autocommit on PostgreSQL: record_fetch is one statement there
                fetching.record_fetch(served.phone, caller, file_label, served.result, now,
                                      carries_credentials=served.carries_credentials)
            elif not served.seen:
                phone = served.phone
                prov.record_download(caller, file_label, served.result, 200,
                                     mac=phone.mac if phone else None, device=phone, now=now)
        return _text(served.body, mimetype=served.mimetype)
    except Outcome as outcome:
        return _finish(outcome, caller, file_label, now)
    except UnsafeValue:
        log.error("provisioning %s: refused to generate a file (a stored value has a control character)",
                  file_label)
        if _withdraw_recorded(prov.REFUSED, 409):
            return _response(409)
        return _finish(Outcome(409, prov.REFUSED), caller, file_label, now)
    except Exception:
        try:  # the download log never says "served" for a failed request
            _withdraw_recorded(prov.ERROR, 500)
        except Exception:
            log.exception("provisioning %s: could not correct its download row", file_label)
        raise


def _withdraw_recorded(result: str, status: int) -> bool:
    """If the read recorded this request as served, its download row now says `result` instead; then
    commit (no rollback first: in tests the read ran inside the session's own transaction)."""
    recorded = g.pop("prov_recorded", None)
    if recorded is None:
        return False
    with unit_of_work():
        fetching.withdraw_served(*recorded, result=result, status=status)
    return True


def _finish(outcome: Outcome, caller: prov.Caller, file_label: str, now) -> Response:
    recorded = _withdraw_recorded(outcome.result, outcome.status)  # one download row per request
    db.session.rollback()
    locked = False
    with unit_of_work():
        if outcome.result in prov.FAILURES:
            locked = prov.record_failure(caller.ip, now)
            if outcome.device is not None:  # a known phone: guesses on it count from every address too
                prov.record_failure(prov.device_source(outcome.mac), now)
        if not recorded:
            prov.record_download(caller, file_label, outcome.result, outcome.status, mac=outcome.mac,
                                 device=outcome.device, now=now)
    log.info("provisioning %s from %s: %s (%d)%s", file_label, caller.ip, outcome.result, outcome.status,
             " - source locked out" if locked else "")
    return _response(outcome.status)


def _response(status: int) -> Response:
    if status == 401:
        response = _text("authentication required\n", 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="centrex-provisioning"'
        return response
    if status == 429:
        response = _text("too many failed requests; try later\n", 429)
        response.headers["Retry-After"] = str(current_app.config.get("PROV_LOCKOUT_SECONDS", 900))
        return response
    messages = {400: "bad request\n", 403: "forbidden\n", 404: "not found\n", 409: "cannot generate this file\n"}
    return _text(messages.get(status, "error\n"), status)


def _answer(name: str, caller: prov.Caller, now) -> Served:
    """The file we serve, else raise Outcome. Per-device files check the lockout in their one lookup
    query; everything else checks it first (and reads in autocommit: single statements)."""
    if not (yealink.DEVICE_RE.match(name) or snom.DEVICE_HTM_RE.match(name) or snom.DEVICE_XML_RE.match(name)
            or snom.DEVICE_FIRMWARE_RE.match(name)):
        read_connection()  # autocommit on PostgreSQL: reads, then one INSERT (failures roll back first)
        if not name.startswith(PHONEBOOK_PREFIX):
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
        return Served(yealink.common_file(match.group(1), base_url=base, settings=settings), "text/plain")
    if match := yealink.DEVICE_RE.match(name):
        phone, result, recorded = _identify(match.group(1), "yealink", caller, now, file=name)
        profile = build_profile(phone.file, token=_proven_token(caller, result))
        phonebooks = [(TITLES[kind], _with_credentials(f"{base}/phonebook/{phone.mac}/{kind}.xml", profile))
                      for kind in ("company", "personal")]
        return Served(yealink.device_file(profile, base_url=base, phonebooks=phonebooks), "text/plain", result,
                      phone, seen=True, carries_credentials=True, recorded=recorded)
    if match := snom.DEVICE_HTM_RE.match(name):
        phone, result, _ = _identify(match.group(2), "snom", caller, now, model=match.group(1))
        return Served(snom.device_htm(phone.mac, base_url=base), "application/xml", result, phone, seen=True)
    if match := snom.DEVICE_FIRMWARE_RE.match(name):
        phone, result, _ = _identify(match.group(2), "snom", caller, now, model=match.group(1))
        if not phone.file.firmware_url:
            raise Outcome(404, prov.NOT_FOUND, mac=phone.mac, device=phone)
        return Served(snom.firmware_xml(phone.file.firmware_url), "application/xml", result, phone, seen=True)
    if match := snom.DEVICE_XML_RE.match(name):
        phone, result, recorded = _identify(match.group(1), "snom", caller, now, file=name)
        profile = build_profile(phone.file, token=_proven_token(caller, result))
        menu = _with_credentials(f"{base}/phonebook/{phone.mac}/index.xml", profile)
        return Served(snom.device_xml(profile, base_url=base, phonebook_url=menu), "application/xml", result,
                      phone, seen=True, carries_credentials=True, recorded=recorded)
    if match := snom.MODEL_HTM_RE.match(name):
        if match.group(1).upper() not in snom.MODELS:
            raise Outcome(404, prov.NOT_FOUND)
        return Served(snom.model_htm(match.group(1), base_url=base), "application/xml")
    if match := snom.MODEL_XML_RE.match(name):
        if match.group(1).upper() not in snom.MODELS:
            raise Outcome(404, prov.NOT_FOUND)
        return Served(snom.model_xml(match.group(1), base_url=base, settings=settings), "application/xml")
    if yealink.EXPECTED_MISSES.match(name) or snom.EXPECTED_MISSES.match(name):
        raise Outcome(404, prov.NOT_FOUND)
    raise Outcome(404, prov.BAD_REQUEST)  # a name no phone of ours asks for: probing


def _proven_token(caller: prov.Caller, result: str) -> str | None:
    """The provisioning token, when the caller has just proved it holds it (SERVED: its SHA-256 matched)."""
    return caller.password if result == prov.SERVED else None


def _check_lock(caller: prov.Caller, now) -> None:
    if prov.locked_until(caller.ip, now) is not None:
        raise Outcome(429, prov.LOCKED)


def _find(mac: str, caller: prov.Caller, now, file: str | None = None, vendor: str | None = None) -> fetching.Found:
    found = fetching.find_phone(mac, caller, now, file=file, vendor=vendor)
    if found.served_download is not None:
        g.prov_recorded = (found.served_download, found.phone)
    if found.locked and found.phone is None:
        raise Outcome(429, prov.LOCKED)
    return found


def _refuse_if_locked(found: fetching.Found, result: str) -> None:
    """A lockout (of the address or of the device) stops everything but a phone proving itself with its
    own credentials: a lockout is against guessing, not against the phones behind the same address."""
    if found.locked and result != prov.SERVED:
        raise Outcome(429, prov.LOCKED)


def _identify(raw_mac: str, vendor: str, caller: prov.Caller, now, *, model: str | None = None,
              file: str | None = None):
    """(the phone this file is for, how it proved it, whether the read recorded the download): it proves
    it is that device with its own credentials, or the bootstrap window is open; else raise Outcome.
    With `file` (it carries credentials) the read records a fetch with the phone's own credentials;
    authenticate() then says SERVED: the same hash compared (in constant time here)."""
    mac = raw_mac.lower()
    found = _find(mac, caller, now, file, vendor)
    device = found.phone
    if device is None or device.vendor != vendor:
        if device is None:
            with unit_of_work():  # keep the record even though the request then fails
                named = model or catalogue.model_from_user_agent(vendor, caller.user_agent)
                prov.record_unknown(mac, vendor, named, caller, now)
        raise Outcome(404, prov.UNKNOWN_MAC, mac=mac)
    result = prov.authenticate(device, caller, now)
    _refuse_if_locked(found, result)
    if result == prov.CHALLENGE:
        raise Outcome(401, prov.CHALLENGE, mac=mac, device=device)
    if result in (prov.BAD_CREDENTIALS, prov.WRONG_DEVICE):
        raise Outcome(401 if result == prov.BAD_CREDENTIALS else 403, result, mac=mac, device=device)
    return device, result, found.served_download is not None


def _phonebook(rest: str, caller: prov.Caller, now):
    """phonebook/<mac>/{company,personal}.xml (and index.xml for Snom), in the device's vendor format."""
    raw_mac, _, leaf = rest.partition("/")
    if not yealink.DEVICE_RE.match(f"{raw_mac}.cfg") or leaf not in ("company.xml", "personal.xml", "index.xml"):
        raise Outcome(404, prov.BAD_REQUEST)
    mac = raw_mac.lower()
    found = _find(mac, caller, now)
    device = found.phone
    if device is None:
        raise Outcome(404, prov.UNKNOWN_MAC, mac=mac)
    result = prov.authenticate(device, caller, now)
    _refuse_if_locked(found, result)
    if result != prov.SERVED:  # phonebooks need the phone's own credentials, bootstrap or not
        status = 401 if result in (prov.CHALLENGE, prov.BAD_CREDENTIALS, prov.BOOTSTRAP) else 403
        raise Outcome(status, prov.CHALLENGE if result == prov.BOOTSTRAP else result, mac=mac, device=device)
    vendor = snom if device.vendor == "snom" else yealink
    if leaf == "index.xml":
        if device.vendor != "snom":
            raise Outcome(404, prov.NOT_FOUND, mac=mac, device=device)
        profile = build_profile(device.file)
        base = _base_url()
        items = [(TITLES[kind], _with_credentials(f"{base}/phonebook/{mac}/{kind}.xml", profile))
                 for kind in ("company", "personal")]
        return Served(snom.phonebook_menu(items), "application/xml", phone=device)
    if leaf == "company.xml":
        rows = company_phonebook(device.tenant_id)
    else:
        rows = personal_phonebook(device.tenant_id, device.user_id)
    return Served(vendor.phonebook(TITLES[leaf[:-4]], rows), "application/xml", phone=device)
