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
