"""The web console (operator, client administrators, employees), French and English.
`init_app(app)` is what the composition root calls."""

from __future__ import annotations

from importlib import import_module

from webui.console import csrf
from webui.i18n import init_babel
from webui.numbers import readable_number

BLUEPRINT_NAMES = ("auth", "operator", "client", "me")


def init_app(app) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked by the console's blueprints only
    app.config.setdefault("SESSION_REFRESH_EACH_REQUEST", True)
    init_babel(app)
    csrf.init_app(app)
    app.add_template_filter(readable_number, "phone")
    from webui.views import auth, client, me, operator

    # These modules add their pages to the blueprints above.
    for pages in (
        "audio_files",
        "call_rights",
        "client_api",
        "calls",
        "client_assets",
        "client_conferences",
        "client_device_keys",
        "client_logins",
        "client_menus",
        "client_user_removal",
        "client_roles",
        "client_sip_account",
        "password_links",
        "client_network",
        "client_queues",
        "fax",
        "operator_client_numbers",
        "operator_platform",
        "operator_phones",
        "operator_nodes",
        "phonebook",
        "presence",
        "messages",
        "routing_groups",
        "routing_schedules",
        "schedule_actions",
        "routing_forwards",
        "scenario",
        "voicemail_shared",
        "voicemail_mine",
        "voicemail_message_actions",
        "webphone",
    ):
        import_module(f"webui.views.{pages}")
    for blueprint in (auth.bp, operator.bp, client.bp, me.bp):
        app.register_blueprint(blueprint)
