"""Schemathesis' CLI with every check against the app served on a free port (issue 22, point 6): requests
generated from the served document for each operation, with the ids of the demo's rows offered for the path
parameters so that every operation is reached (not only its 404). No server error, no undocumented status,
content type or header, no answer off its schema, no invalid request accepted, no valid one refused."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from api_testing import api_server  # noqa: F401
from centrex.models import (
    ApiCall,
    ConferenceRoom,
    Device,
    ForwardRule,
    Number,
    RingGroup,
    Schedule,
    Tenant,
    User,
    WebhookDelivery,
    WebhookSubscription,
)
from centrex.phones.devices import add_device
from centrex.platform import ports
from centrex.platform.db import db
from centrex.webhooks.subscriptions import create_subscription, emit
from esl_handlers.commands import EslSwitch
from esl_server import esl_server  # noqa: F401

pytestmark = pytest.mark.slow
CLI = Path(sys.executable).with_name("schemathesis")
PATH_IDS = {  # path parameter -> the model whose ids it takes
    "user_id": User, "group_id": RingGroup, "rule_id": ForwardRule, "number_id": Number, "device_id": Device,
    "webhook_id": WebhookSubscription, "delivery_id": WebhookDelivery, "room_id": ConferenceRoom,
    "schedule_id": Schedule,
}
# A request valid for the document may still break a rule of the data (an extension already used, a
# destination that does not exist): 409 and 422 say so with the reason. Any other refusal is a failure.
ACCEPTED = [200, 201, 202, 204, 404, 409, 422]


def _config(tenant: Tenant) -> str:
    lines = []
    for name, model in PATH_IDS.items():
        ids = list(db.session.execute(select(model.id).where(model.tenant_id == tenant.id)).scalars())
        assert ids, name
        lines += [f"[dictionaries.{name}]", f"values = {ids}", ""]
    calls = list(db.session.execute(select(ApiCall.id).where(ApiCall.tenant_id == tenant.id)).scalars())
    lines += ["[dictionaries.call_id]", f"values = {calls}", "", "[parameters]"]
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.8 }}' for name in (*PATH_IDS, "call_id")]
    lines += ["", "[checks.positive_data_acceptance]", f"expected-statuses = {ACCEPTED}"]
    return "\n".join(lines) + "\n"


def test_schemathesis_with_every_check_finds_nothing(api_server, committed, esl_server, monkeypatch,  # noqa: F811
                                                     tmp_path):
    """The live operations (conference members) talk to the test ESL server, which answers as FreeSWITCH
    did when captured."""
    monkeypatch.setattr(ports, "_switch", EslSwitch([esl_server.address]))
    base_url, key = api_server
    tenant = committed.execute(select(Tenant).filter_by(domain="dupont.example")).scalar_one()
    committed.add(ApiCall(id=str(uuid.uuid4()), tenant_id=tenant.id, from_extension="1001", to_number="+41213123456"))
    create_subscription(tenant, {"url": "https://198.51.99.10/hooks", "events": ["call.ended"]})
    emit(tenant.id, "call.ended", "schemathesis", {"call_id": "x"})
    add_device(tenant, {"mac": "001565aabb01", "vendor": "yealink", "model": "T54W"})
    committed.commit()
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(tenant))
    run = subprocess.run(
        [str(CLI), "--config-file", str(config), "run", f"{base_url}/api/v1/openapi.json",
         "--checks", "all", "-H", f"Authorization: Bearer {key}", "--max-examples", "8",
         "--phases", "examples,coverage,fuzzing", "--workers", "1", "--seed", "22",
         "--suppress-health-check", "all", "--no-color"],
        capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
