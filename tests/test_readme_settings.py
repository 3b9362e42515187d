"""The README lists every setting the product reads (CENTREX_* environment variables) and every command of
its Flask CLI: a newcomer can trust it. A setting or command added without a README line fails here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ["centrex", "xmlcurl", "esl_handlers", "provisioning", "webui", "wsgi.py", "scripts/run.sh",
           "freeswitch/deploy.py"]


def settings_read_by_the_product() -> set[str]:
    found = set()
    for entry in PRODUCT:
        path = ROOT / entry
        for file in ([path] if path.is_file() else [*path.rglob("*.py"), *path.rglob("*.sh")]):
            found |= set(re.findall(r"CENTREX_[A-Z0-9_]+", file.read_text()))
    return found


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_every_setting_is_in_the_readme():
    settings = settings_read_by_the_product()
    assert len(settings) > 40
    missing = sorted(s for s in settings if not re.search(rf"\b{s}\b", readme()))
    assert missing == []


def test_every_cli_command_is_in_the_readme(app):
    """`flask <command>` or `flask <group> <command>` in backticks; Flask-Migrate's `db` group as a whole."""
    text = readme()
    commands = []
    for name, command in sorted(app.cli.commands.items()):
        subs = sorted(getattr(command, "commands", {}))
        commands += [name] if not subs or name == "db" else [f"{name} {sub}" for sub in subs]
    assert len(commands) > 15
    missing = [c for c in commands if f"`flask {c}" not in text]
    assert missing == []
