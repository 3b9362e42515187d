"""At most 3 SQL statements per directory and dialplan request (counted on the engine itself), for every
captured request of those sections, found or not: the answer must not grow with the size of the data."""
from __future__ import annotations

import pytest

from xmlcurl_helpers import count_queries, parse_document, request_captures

pytestmark = pytest.mark.smoke

MAX_QUERIES = 3


@pytest.mark.parametrize("section", ["directory", "dialplan"])
def test_each_captured_request_runs_at_most_three_queries(demo, post_capture, section):
    counts = {}
    for capture in request_captures(section):
        with count_queries() as statements:
            parse_document(post_capture(capture))
        counts[capture] = len(statements)
        assert len(statements) <= MAX_QUERIES, (capture, statements)
    assert any(counts.values()), "the counter saw the requests' queries"


def test_the_counter_sees_a_found_user_lookup(demo, post_capture):
    with count_queries() as statements:
        parse_document(post_capture("21-directory-sip_auth-register-1001-password.http"))
    assert 1 <= len(statements) <= MAX_QUERIES
    assert any("sip_user" in s for s in statements)
