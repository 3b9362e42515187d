"""xmlcurl.form.PostedForm decodes what werkzeug's request.form decodes (it only does it lazily)."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings, strategies as st
from werkzeug.datastructures import MultiDict

from conftest import read_capture
from xmlcurl.form import PostedForm
from xmlcurl_helpers import request_captures

pytestmark = pytest.mark.smoke


def werkzeug_form(body: bytes) -> MultiDict:
    """What werkzeug's urlencoded parser makes of a body (an undecodable body is an empty form)."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return MultiDict()
    return MultiDict(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


def assert_same(body: bytes) -> None:
    ours, theirs = PostedForm(body), werkzeug_form(body)
    assert set(ours.keys()) == set(theirs.keys())
    for key in theirs.keys():
        assert ours.get(key) == theirs.get(key)
        assert ours.getlist(key) == theirs.getlist(key)
        assert ours[key] == theirs[key] and key in ours
    assert ours.get("no such field") is None and ours.get("no such field", "x") == "x"


def test_every_captured_request_decodes_the_same():
    for name in request_captures():
        assert_same(read_capture(name)[1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=30)), max_size=12))
def test_encoded_pairs_decode_the_same(pairs):
    assert_same(urlencode(pairs).encode())


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.text(alphabet="ab=&%+ 2F0é", max_size=40).map(str.encode)))
def test_arbitrary_bodies_decode_the_same(body):
    assert_same(body)
