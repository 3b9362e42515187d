"""Constant answers for a FreeSWITCH under bench (the switch benches' baseline): the directory answers
every user@domain with a user document of the product's own shape (its a1-hash derived from the user
and the domain, as `bench_secret` gives the product's bulk users theirs), the dialplan bridges a bulk
DID (+419<company:5><extension:4>) straight to its user, and a call record post gets an empty 200.
No database, no cache: what the switch costs with an endpoint that does no work."""
from __future__ import annotations

import hashlib
import re

from flask import Response, request

from harness import bulk

DID = re.compile(r"\+419(\d{5})(\d{4})")
NOT_FOUND = (b'<?xml version="1.0" encoding="UTF-8"?>\n<document type="freeswitch/xml">'
             b'<section name="result"><result status="not found"/></section></document>\n')
DIALPLAN = ('<?xml version="1.0" encoding="UTF-8"?>\n<document type="freeswitch/xml"><section name="dialplan">'
            '<context name="{context}"><extension name="bench"><condition>'
            '<action application="set" data="hangup_after_bridge=true"/>'
            '<action application="bridge" data="user/{extension}@{domain}"/>'
            '</condition></extension></context></section></document>\n')


def bench_secret(extension: str, domain: str) -> str:
    """The SIP secret of a bench user: derived, so SIPp, the product's bulk users and the constant
    directory agree without asking anyone."""
    return hashlib.sha256(f"switch-bench:{extension}@{domain}".encode()).hexdigest()[:20]


def _xml(body: bytes) -> Response:
    return Response(body, status=200, mimetype="text/xml")


def directory(form) -> bytes:
    from centrex.directory.lookup import DirectoryUser
    from centrex.platform.crypto import digest_a1
    from xmlcurl.directory import _user_document

    user, domain = form.get("user") or "", (form.get("domain") or form.get("key_value") or "").lower()
    if not user.isdigit() or not domain:
        return NOT_FOUND
    return _user_document(DirectoryUser(
        tenant_id=1, domain=domain, tenant_name="Bench", extension=user, name=f"User {user}",
        a1_hash=digest_a1(user, domain, bench_secret(user, domain)), vm_a1_hash=None, max_calls=2,
        language="fr", outbound_number=None)) or NOT_FOUND


def dialplan(form) -> bytes:
    found = DID.fullmatch(form.get("Hunt-Destination-Number") or form.get("Caller-Destination-Number") or "")
    if not found:
        return NOT_FOUND
    context = form.get("Hunt-Context") or form.get("Caller-Context") or "public"
    return DIALPLAN.format(context=context, extension=found[2], domain=bulk.tenant_domain(int(found[1]))).encode()


def xmlcurl(path_section: str | None = None):
    section = request.form.get("section") or path_section or ""
    answer = {"directory": directory, "dialplan": dialplan}.get(section)
    return _xml(answer(request.form) if answer else NOT_FOUND)


def cdr():
    return Response(b"", status=200)


MAX_REGISTRATIONS = re.compile(rb'<param name="max-registrations-per-extension" value="[^"]*"/>')
USER_CACHE = re.compile(rb' cacheable="[^"]*"')


def drop_from_answers(application, pattern: re.Pattern) -> None:
    """The product's xml_curl answers without what `pattern` matches (a variant of the product:
    MAX_REGISTRATIONS, sofia then counts no registrations before accepting one; USER_CACHE, FreeSWITCH
    then keeps no user and asks again for every lookup)."""
    @application.after_request
    def _drop(response):
        if request.path.startswith(("/xmlcurl", "/xml/")) and not response.direct_passthrough:
            response.set_data(pattern.sub(b"", response.get_data()))
        return response


def install(application) -> None:
    """Replace the product's /xmlcurl (and /xml/<section>) and /cdr views by the constant ones; the rest
    of the app (its hooks, its configuration answers' route) stays, as the bench's ceiling keeps it."""
    views = {"/xmlcurl": xmlcurl, "/xml/<path_section>": xmlcurl, "/cdr": cdr}
    for rule in application.url_map.iter_rules():
        if rule.rule in views:
            application.view_functions[rule.endpoint] = views[rule.rule]
