"""callcenter.conf from the database: the startup request (fixture 48) gets every tenant's queues, agents
and tiers in the shape FreeSWITCH accepted; `queue reload` (fixture 65, CC-Queue) only that queue."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.features.queues import create_queue, set_agents
from centrex.models import CallQueue, User
from centrex.platform.db import db
from xmlcurl_helpers import captured_answer, parse_document

pytestmark = pytest.mark.smoke
STARTUP = "48-configuration-callcenter.conf-startup-served.http"
RELOAD = "65-configuration-callcenter.conf-queue_reload.http"


def user_id(demo, domain, extension):
    return db.session.execute(select(User.id).where(User.tenant_id == demo[domain].id,
                                                    User.extension == extension)).scalar_one()


def queue_id(demo, domain, name):
    return db.session.execute(select(CallQueue.id).where(CallQueue.tenant_id == demo[domain].id,
                                                         CallQueue.name == name)).scalar_one()


def test_startup_answer_has_the_accepted_shape_with_every_tenant(demo, post_capture):
    dupont = demo["dupont.example"]
    sales_queue = create_queue(dupont, {"name": "Ventes", "strategy": "ring-all"})
    set_agents(dupont, sales_queue, [user_id(demo, "dupont.example", "1001")])
    support = f"q{queue_id(demo, 'dupont.example', 'Réclamations')}@dupont.example"
    sales = f"q{sales_queue.id}@dupont.example"
    martin = f"q{queue_id(demo, 'martin.example', 'Réclamations')}@martin.example"
    doc = parse_document(post_capture(STARTUP))
    good = captured_answer(STARTUP)
    config = doc.xpath("/document/section[@name='configuration']/configuration[@name='callcenter.conf']")[0]
    # settings, queues, agents, tiers: in the order of the answer FreeSWITCH accepted
    assert [c.tag for c in config] == [c.tag for c in good.xpath("//configuration")[0]]
    good_params = {p.get("name") for p in good.xpath("//queue/param")}
    good_agent_attrs = set(good.xpath("//agent")[0].attrib) | {"no-answer-delay-time"}  # read by load_agent too
    queues = {q.get("name"): {p.get("name"): p.get("value") for p in q.xpath("param")}
              for q in config.xpath("queues/queue")}
    assert set(queues) == {support, sales, martin}
    for params in queues.values():
        assert set(params) <= good_params
    assert queues[support]["strategy"] == "top-down" and queues[support]["max-wait-time"] == "120"
    assert queues[sales]["strategy"] == "ring-all"
    assert queues[support]["moh-sound"].startswith("local_stream://dupont.example_moh")
    assert queues[martin]["moh-sound"].startswith("local_stream://martin.example_moh")
    agents = {a.get("name"): a for a in config.xpath("agents/agent")}
    assert {"1003@dupont.example", "1004@dupont.example", "1001@martin.example"} <= set(agents)
    for agent in agents.values():
        assert set(agent.attrib) <= good_agent_attrs and agent.get("type") == "callback"
        extension, domain = agent.get("name").split("@")
        assert agent.get("contact").endswith(f"user/{extension}@{domain}")
    tiers = [(t.get("queue"), t.get("agent"), t.get("position")) for t in config.xpath("tiers/tier")]
    assert (support, "1003@dupont.example", "1") in tiers and (support, "1004@dupont.example", "2") in tiers
    assert (martin, "1001@martin.example", "1") in tiers
    # Same extension 1001 in both companies: two agents, each in its own company's queue only.
    assert (sales, "1001@dupont.example", "1") in tiers
    assert not [t for t in tiers if t[0] == martin and "dupont" in t[1]]


def test_queue_reload_answers_only_that_queue(demo, post_capture):
    support = f"q{queue_id(demo, 'dupont.example', 'Réclamations')}@dupont.example"
    asked = support.replace("@", "%40")
    doc = parse_document(post_capture(RELOAD, replace={"CC-Queue=support%40dupont.example": f"CC-Queue={asked}"}))
    assert doc.xpath("//queue/@name") == [support]
    assert not doc.xpath("//agent") and not doc.xpath("//tier")


@pytest.mark.parametrize("asked", ["support%40dupont.example", "q999999%40dupont.example",
                                   "q1%40evil.example%2F.."])
def test_reload_of_an_unknown_queue_is_not_found(demo, post_capture, asked):
    doc = parse_document(post_capture(RELOAD, replace={"CC-Queue=support%40dupont.example": f"CC-Queue={asked}"}))
    assert doc.xpath("string(//result/@status)") == "not found"


def test_no_queue_anywhere_still_answers_so_the_stock_sample_never_loads(session, post_capture):
    doc = parse_document(post_capture("12-configuration-callcenter.conf-startup.http"))
    assert doc.xpath("//configuration[@name='callcenter.conf']/queues") and not doc.xpath("//queue")
