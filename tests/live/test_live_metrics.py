"""/metrics of the live product (gunicorn's workers, the ESL listener) after a real REGISTER through the
switch: the directory answer and the switch's events show, and a stranger is refused."""
import base64
import re
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.live


def scrape(live, credentials: str | None) -> tuple[int, str]:
    request = urllib.request.Request(live.product.url + "/metrics")
    if credentials:
        request.add_header("Authorization", "Basic " + base64.b64encode(credentials.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def value(text: str, sample: str) -> float:
    """The sum of the samples of this name whose labels include those given ('name{a="b"}')."""
    name, _, labels = sample.partition("{")
    wanted = set(re.findall(r'\w+="[^"]*"', labels))
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)$", line)
        if match and wanted <= set(re.findall(r'\w+="[^"]*"', match.group(1) or "")):
            total += float(match.group(2))
    return total


def test_a_register_moves_the_metrics_of_web_workers_and_listener(live):
    # the listener may still be connecting when the session starts: a registration made before it
    # connects reaches it as its snapshot, not as an event it reads
    live.wait_for(lambda: "resynchronised" in live.product.log_since("esl-listener"), 30,
                  what="the ESL listener connected")
    status, before = scrape(live, live.product.credentials)
    assert status == 200
    live.switch.api("xml_flush_cache id 1001 dupont.example")  # else the switch's user cache may answer it
    result = live.register("1001", "dupont.example", live.secret("1001", "dupont.example"))
    assert result.responses("REGISTER") == [401, 200]
    answered = 'centrex_xmlcurl_request_seconds_count{section="directory",outcome="answered"}'
    esl = ("centrex_esl_events_received_total", "centrex_esl_events_handled_total")

    def moved():
        after = scrape(live, live.product.credentials)[1]
        return value(after, answered) > value(before, answered) and \
            all(value(after, name) > value(before, name) for name in esl) and after

    after = live.wait_for(moved, 15, what="the REGISTER's lookup and its sofia::register event in /metrics")
    assert value(after, esl[1]) <= value(after, esl[0])
    assert 'centrex_worker_heartbeat_age_seconds{worker="esl"}' in after
    assert scrape(live, None)[0] == 401
    assert scrape(live, "freeswitch:wrong")[0] == 401
