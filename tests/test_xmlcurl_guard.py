"""Only FreeSWITCH may ask: wrong or missing credentials get 401, a source address outside
XMLCURL_ALLOWED_NETWORKS gets 403, and neither answer carries any data."""
from __future__ import annotations

import base64
import socket

import pytest

from conftest import XMLCURL_PASSWORD, XMLCURL_USER, read_capture, xmlcurl_headers
from xmlcurl_helpers import a1_hashes, parse_document

pytestmark = pytest.mark.smoke

REGISTER = "21-directory-sip_auth-register-1001-password.http"
DIALPLAN = "25-dialplan-call-1001-to-1002.http"
PATHS = ["/xmlcurl", "/xml/directory", "/xml/dialplan", "/xml/configuration"]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def post(client, path, capture, *, authorization=..., remote_addr="127.0.0.1", extra_headers=None,
         environ_overrides=None):
    _, body = read_capture(capture)
    headers = xmlcurl_headers()
    if authorization is None:
        del headers["Authorization"]
    elif authorization is not ...:
        headers["Authorization"] = authorization
    headers.update(extra_headers or {})
    return client.post(path, data=body, headers=headers, environ_base={"REMOTE_ADDR": remote_addr},
                       environ_overrides=environ_overrides)


def capture_for(path: str) -> str:
    return DIALPLAN if path.endswith("dialplan") else REGISTER


def assert_no_data(response, hashes):
    body = response.data
    assert b"<document" not in body and b"<?xml" not in body
    assert b"dupont" not in body and b"1001" not in body
    assert not any(h.encode() in body for h in hashes)


@pytest.fixture
def hashes(demo):
    return list(a1_hashes("dupont.example").values()) + list(a1_hashes("martin.example").values())


BAD_CREDENTIALS = {
    "missing": None,
    "wrong password": basic(XMLCURL_USER, "not-the-password"),
    "wrong user": basic("admin", XMLCURL_PASSWORD),
    "empty password": basic(XMLCURL_USER, ""),
    "password prefix": basic(XMLCURL_USER, XMLCURL_PASSWORD[:-1]),
    "password plus": basic(XMLCURL_USER, XMLCURL_PASSWORD + "x"),
    "bearer scheme": "Bearer " + XMLCURL_PASSWORD,
    "not base64": "Basic %%%not-base64%%%",
    "no colon": "Basic " + base64.b64encode(XMLCURL_USER.encode()).decode(),
    "unicode user": basic("fréeswitch", XMLCURL_PASSWORD),
}


def test_bad_or_missing_credentials_get_401_and_no_data(client, hashes, subtests):
    for case, path in ((c, p) for c in sorted(BAD_CREDENTIALS) for p in PATHS):
        with subtests.test(credentials=case, path=path):
            response = post(client, path, capture_for(path), authorization=BAD_CREDENTIALS[case])
            assert response.status_code == 401
            assert response.headers["WWW-Authenticate"].startswith("Basic ")
            assert_no_data(response, hashes)


OUTSIDE = ["10.0.0.5", "192.0.2.2", "127.0.0.2", "0.0.0.0", "2001:db8::1", "fe80::1", "::2",
           "::ffff:10.0.0.5", "::ffff:192.0.2.2", "::ffff:127.0.0.2", "not-an-address", ""]


def test_source_outside_the_allow_list_gets_403_even_with_credentials(client, hashes, subtests):
    for address, path in ((a, p) for a in OUTSIDE for p in PATHS):
        with subtests.test(address=address, path=path):
            response = post(client, path, capture_for(path), remote_addr=address)
            assert response.status_code == 403
            assert_no_data(response, hashes)


def test_forwarded_for_header_does_not_open_the_door(client, hashes):
    """The allow-list reads the socket's address; a header naming loopback changes nothing."""
    response = post(client, "/xmlcurl", REGISTER, remote_addr="203.0.113.7",
                    extra_headers={"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1",
                                   "Forwarded": "for=127.0.0.1"})
    assert response.status_code == 403
    assert_no_data(response, hashes)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_allowed_sources_with_credentials_get_the_answer(client, demo, address):
    """The positive case, so the refusals above are refusals of the guard and not of a broken app."""
    response = post(client, "/xmlcurl", REGISTER, remote_addr=address)
    doc = parse_document(response)
    assert doc.xpath("string(//user/params/param[@name='a1-hash']/@value)") == \
        a1_hashes("dupont.example")["1001"]


def test_refusals_never_log_the_password_tried(client, demo, caplog):
    tried = "guessed-" + XMLCURL_PASSWORD
    post(client, "/xmlcurl", REGISTER, authorization=basic(XMLCURL_USER, tried))
    post(client, "/xmlcurl", REGISTER, remote_addr="10.9.9.9", authorization=basic(XMLCURL_USER, tried))
    assert caplog.records, "the refusals are logged"
    assert tried not in caplog.text and XMLCURL_PASSWORD not in caplog.text


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_get_no_data(client, hashes, method):
    response = client.open("/xmlcurl", method=method, headers=xmlcurl_headers(),
                           environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 405
    assert_no_data(response, hashes)


def test_a_request_freeswitch_gave_up_on_is_not_answered(client, demo):
    """Queued past mod_xml_curl's timeout, the connection is closed by the time a worker takes it: a quick
    empty 503, no lookup. While FreeSWITCH still waits, the answer as usual."""
    waiting, worker_side = socket.socketpair()
    try:
        response = post(client, "/xmlcurl", DIALPLAN, environ_overrides={"gunicorn.socket": worker_side})
        assert response.status_code == 200 and parse_document(response) is not None
        waiting.close()
        response = post(client, "/xmlcurl", DIALPLAN, environ_overrides={"gunicorn.socket": worker_side})
        assert response.status_code == 503 and response.data == b""
    finally:
        worker_side.close()
