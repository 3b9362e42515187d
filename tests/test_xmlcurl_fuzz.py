"""Whatever FreeSWITCH (or anything on its address) posts, the answer is HTTP 200 and a well-formed
freeswitch/xml document: every field of the captured directory and dialplan forms replaced, deleted,
duplicated, made huge or full of control characters, and bodies that are not a form at all."""
from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import xmlcurl_headers
from xmlcurl_helpers import (
    a1_hashes,
    assert_no_secret_material,
    bridge_legs,
    capture_form,
    demo_secrets,
    encode_form,
    is_not_found,
    leg_domain,
    parse_document,
    transfer_contexts,
)

DIRECTORY_CAPTURES = [
    "21-directory-sip_auth-register-1001-password.http",
    "22-directory-message-count-after_register-1001.http",
    "26-directory-user_call-bridge_user_1002.http",
    "29-directory-voicemail-lookup-1002.http",
]
DIALPLAN_CAPTURES = [
    "25-dialplan-call-1001-to-1002.http",
    "62-dialplan-public-did_41215550100-external_profile.http",
]
FORMS = {name: capture_form(name) for name in DIRECTORY_CAPTURES + DIALPLAN_CAPTURES}
PATHS = {"directory": ["/xmlcurl", "/xml/directory"], "dialplan": ["/xmlcurl", "/xml/dialplan"]}

# Values a hostile or broken peer might send in any field.
NASTY = ["", " ", "\x00", "1001\x00", "\r\n", "\x01\x02\x7f", "é", "☎" * 50, "x" * 70_000,
         "martin.example", "MARTIN.EXAMPLE", "dupont.example ", "1001@martin.example",
         "' OR '1'='1", "<x/>&amp;", "%00", "../../etc/passwd", "${system(id)}", "\ud7ff\ue000\U0010ffff"]

FUZZ = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture
def known(demo):
    """What may legitimately appear: each tenant's a1-hashes; and what never may: the secrets."""
    return {"hashes": {d: a1_hashes(d) for d in ("dupont.example", "martin.example")},
            "secrets": demo_secrets()}


def send(client, path, body: bytes, content_type="application/x-www-form-urlencoded"):
    headers = {**xmlcurl_headers(), "Content-Type": content_type}
    return client.post(path, data=body, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})


def check_answer(response, pairs, known):
    """The properties every answer has, whatever was asked."""
    doc = parse_document(response)
    assert_no_secret_material(response.data, doc, known["secrets"])
    if is_not_found(doc):
        return
    section = doc.find("section").get("name")
    sent = {k: [v for key, v in pairs if key == k] for k in
            ("key_value", "user", "Hunt-Context", "Caller-Context")}
    if section == "directory":
        for domain in doc.xpath("/document/section/domain"):
            name = domain.get("name")
            assert name in {v.strip().lower() for v in sent["key_value"]}
            for user in domain.xpath("groups/group/users/user"):  # that tenant's hash, never another's
                assert user.xpath("string(params/param[@name='a1-hash']/@value)") == \
                    known["hashes"][name][user.get("id")]
    elif section == "dialplan":
        [context] = doc.xpath("/document/section/context/@name")
        assert context in {v.strip().lower() for v in sent["Hunt-Context"] + sent["Caller-Context"]}
        # `public` stamps a carrier call with the tenant owning the DID and transfers it there, once.
        tenants = set(transfer_contexts(doc)) if context == "public" else {context}
        assert len(tenants) <= 1 and tenants <= {context, *known["hashes"]}
        assert all(leg_domain(leg) in (None, *tenants) for leg in bridge_legs(doc))
        assert all(target in tenants for target in transfer_contexts(doc))
    else:
        pytest.fail(f"a {section} answer to a directory/dialplan request")


@pytest.mark.parametrize("capture", DIRECTORY_CAPTURES + DIALPLAN_CAPTURES[:1])
def test_every_field_replaced_or_deleted(client, known, capture, caplog):
    """Deterministic sweep: each field of the capture removed, duplicated, and set to two nasty values
    (rotating through the list); then every field at once set to each nasty value. Bad input is an
    ordinary "not found", not an error with a stack trace in the log."""
    form = FORMS[capture]
    path = PATHS[dict(form)["section"]][1]
    variants = []
    for index, (name, _) in enumerate(form):
        variants.append(form[:index] + form[index + 1:])
        variants.append(form[:index] + [(name, "martin.example"), form[index]] + form[index + 1:])
        variants += [form[:index] + [(name, NASTY[(index + k * 7) % len(NASTY)])] + form[index + 1:]
                     for k in range(2)]
    variants += [[(name, value) for name, _ in form] for value in NASTY if len(value) < 1000]
    for pairs in variants:
        check_answer(send(client, path, encode_form(pairs)), pairs, known)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [(r.getMessage(), r.exc_info and repr(r.exc_info[1])[:200]) for r in errors[:3]]


def mutated_forms():
    """A captured form with any number of its fields replaced, deleted or duplicated, plus new fields."""
    text = st.one_of(st.text(max_size=40), st.text(alphabet=st.characters(max_codepoint=0x1f), max_size=8),
                     st.sampled_from(NASTY), st.text(min_size=1, max_size=3).map(lambda t: t * 10_000))

    @st.composite
    def build(draw):
        capture = draw(st.sampled_from(sorted(FORMS)))
        pairs = list(FORMS[capture])
        for _ in range(draw(st.integers(0, 12))):
            index = draw(st.integers(0, len(pairs) - 1)) if pairs else 0
            op = draw(st.sampled_from(["replace", "delete", "duplicate", "insert"]))
            if op == "insert" or not pairs:
                pairs.insert(index, (draw(st.text(max_size=20)), draw(text)))
            elif op == "replace":
                pairs[index] = (pairs[index][0], draw(text))
            elif op == "delete":
                del pairs[index]
            else:
                pairs.insert(index, (pairs[index][0], draw(text)))
        section = dict(FORMS[capture])["section"]
        return draw(st.sampled_from(PATHS[section])), pairs
    return build()


@FUZZ
@given(request=mutated_forms())
def test_mutated_forms_always_get_a_document(client, known, request):
    path, pairs = request
    check_answer(send(client, path, encode_form(pairs)), pairs, known)


@FUZZ
@given(body=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode)),
       content_type=st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                     "multipart/form-data", "application/json", "text/plain", ""]),
       path=st.sampled_from(["/xmlcurl", "/xml/directory", "/xml/dialplan", "/xml/configuration"]))
def test_malformed_bodies_get_a_document(client, known, body, content_type, path):
    check_answer(send(client, path, body, content_type), [], known)


BROKEN_BODIES = [b"", b"\x00" * 64, b"\xff\xfe\xfd", b"section=directory&" * 5000, b"%" * 100,
                 b"section=%ZZ&key_value=%", b"=&=&==",
                 b"section=directory&section=dialplan&" + b"a=b&" * 10_000]


def test_broken_bodies_get_a_document(client, known):
    for body in BROKEN_BODIES:
        for path in ("/xmlcurl", "/xml/directory", "/xml/dialplan"):
            check_answer(send(client, path, body), [], known)
