"""The JSON API for CRMs and integrations, under /api/v1 (`bp`, registered by the composition root).

Token auth only (Authorization: Bearer): the API never reads the console's session cookie, so a browser
cannot be tricked into calling it with someone's session; that is why it needs no CSRF token."""

from importlib import import_module

from webui.api.framework import OPERATIONS, bp

RESOURCES = ("users", "numbers", "devices", "default_keys", "routing", "schedules", "calls", "conferences", "history",
             "webhooks", "messages")

for _name in RESOURCES:
    import_module(f"webui.api.resources.{_name}")
import_module("webui.api.openapi")

__all__ = ["bp", "OPERATIONS"]
