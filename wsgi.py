"""Composition root: builds the WSGI app from the core and the adapters (what gunicorn and `flask` load)."""
from __future__ import annotations

import os

from flask import Flask
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.engine import Engine

from centrex.cli import core as core_cli, nodes as nodes_cli, route as route_cli, workers as worker_cli
from centrex.freeswitch import sync as switch_sync, user_cache as switch_user_cache
from centrex.platform import answer_cache, logs, metrics
from centrex.platform.config import instance_folder, settings_from_env
from centrex.platform.db import db
from centrex.platform.migrations import MIGRATIONS
from centrex.platform.unit_of_work import register_hooks


def create_app(overrides: dict | None = None) -> Flask:
    instance = instance_folder()
    app = Flask("centrex", instance_path=str(instance), instance_relative_config=True)
    app.config.update(settings_from_env(instance))
    app.config.update(overrides or {})
    logs.configure(os.environ.get("CENTREX_LOG_LEVEL", "INFO"), os.environ.get("CENTREX_LOG_FORMAT", "text"))

    db.init_app(app)
    Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)  # flask db …
    if not event.contains(Engine, "before_cursor_execute", metrics.count_query):
        event.listen(Engine, "before_cursor_execute", metrics.count_query)  # SQL statements per answer
    register_hooks(app, answer_cache.HOOK, switch_sync.HOOK, switch_user_cache.HOOK)  # what runs around every commit
    core_cli.register(app)
    route_cli.register(app)
    worker_cli.register(app)
    nodes_cli.register(app)

    import provisioning
    import xmlcurl
    from esl_handlers import fax_intake

    app.register_blueprint(xmlcurl.bp)
    app.register_blueprint(provisioning.bp)  # /prov
    fax_intake.register_cli(app)

    from centrex.platform.ports import set_switch
    from esl_handlers import cdr_post, cli as esl_cli
    from esl_handlers.commands import EslSwitch

    app.register_blueprint(cdr_post.bp)  # mod_xml_cdr posts here
    esl_cli.register(app)  # flask esl run, flask cdr ...
    set_switch(EslSwitch.from_config(app.config))  # connects on first use: the web starts without FreeSWITCH

    import webui

    webui.init_app(app)
    import webui.api

    app.register_blueprint(webui.api.bp)  # /api/v1

    import monitoring

    app.register_blueprint(monitoring.bp)  # /metrics, /healthz, /readyz
    monitoring.register_cli(app)  # flask health
    return app


app = None
if os.environ.get("CENTREX_EAGER_APP") == "1":  # gunicorn: wsgi:app
    app = create_app()
