"""Helpers for the API tests: keys for the demo companies (same extension numbers in both), requests."""

from __future__ import annotations

import pytest

from centrex.access.api_tokens import create_token
from centrex.models.api import SCOPES

ALL_SCOPES = list(SCOPES)


def key_for(tenant, scopes=None, *, name="CRM", rate_limit=None) -> str:
    """A fresh API key of this company (flushed in the test's transaction)."""
    _token, key = create_token(
        tenant, {"name": name, "scopes": list(scopes or ALL_SCOPES), "rate_limit": rate_limit}
    )
    return key


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(demo):
    """{"dupont": key, "martin": key}: every scope, one per demo company."""
    return {"dupont": key_for(demo["dupont.example"]), "martin": key_for(demo["martin.example"])}


@pytest.fixture
def api_server(app, committed):
    """The whole app on 127.0.0.1:<free port> in a thread, the demo committed: (base URL, Dupont's key with
    every scope and room for many requests)."""
    import threading

    from werkzeug.serving import make_server

    from centrex.demo.companies import load_demo

    tenants = {tenant.domain: tenant for tenant in load_demo()["tenants"]}
    key = key_for(tenants["dupont.example"], rate_limit=10000)
    committed.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", key
    finally:
        server.shutdown()
        thread.join(timeout=10)
