"""Directory entries for shared voicemail boxes, answered only to mod_voicemail's own lookups
(voicemail-lookup, message-count): a box has a vm-a1-hash and no SIP credential, so nothing can register
or be bridged as it."""
from __future__ import annotations

from lxml import etree

from centrex.voicemail.boxes import find_shared_box
from xmlcurl.documents import document, params, variables, xml_response

VOICEMAIL_ACTIONS = ("voicemail-lookup", "message-count")


def shared_box_answer(domain: str, number: str, action: str | None):
    if action not in VOICEMAIL_ACTIONS:
        return None, f"{number}@{domain} is not a user (action={action or '-'})"
    box = find_shared_box(domain, number)
    if box is None:
        return None, f"no user or shared box {number}@{domain}"
    root, section = document("directory")
    domain_el = etree.SubElement(section, "domain", name=box.domain)
    variables(domain_el, [("tenant_id", box.tenant_id), ("user_context", box.domain)])
    group = etree.SubElement(etree.SubElement(domain_el, "groups"), "group", name="default")
    user = etree.SubElement(etree.SubElement(group, "users"), "user", id=box.number)
    params(user, [("vm-a1-hash", box.vm_a1_hash), ("vm-enabled", "true")])
    variables(user, [("user_context", box.domain), ("domain_name", box.domain), ("tenant_id", box.tenant_id),
                     ("effective_caller_id_name", box.name)])
    return xml_response(root), f"shared box {number}@{domain} action={action}"
