"""The routing engine is pure: importing and running it pulls in no database, web or FreeSWITCH code."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

PROBE = """
import sys
from datetime import datetime, timezone
from centrex.routing.engine.route import route
from centrex.routing.engine.plan import Call, TenantConfig, UserEntry
config = TenantConfig(1, "a.example", users={"1000": UserEntry(1, "1000", "A")})
plan = route(config, Call("a.example", "1000"), datetime.now(timezone.utc), expand=True)
assert plan.steps
outside = ("flask", "sqlalchemy", "lxml", "ESL", "werkzeug", "centrex.freeswitch")
print(" ".join(sorted(m for m in outside if m in sys.modules)))
"""


def test_engine_imports_no_adapter_nor_database():
    repo = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=repo, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


# FreeSWITCH's vocabulary: its applications, channel variables, endpoints and our names inside it. The
# renderer (xmlcurl/dialplan.py, with centrex.freeswitch) maps the engine's steps to these, never the engine.
FREESWITCH_WORDS = (
    "local_stream://", "tone_stream://", "silence_stream://", "limit hash", "sofia/", "loopback/", "user/",
    "bridge", "domain_name", "user_context", "accountcode", "limit_ignore_transfer", "continue_on_fail",
    "hangup_after_bridge", "call_timeout", "leg_timeout", "origination_", "originate_disposition",
    "DIALSTATUS", "callcenter", "sound_prefix", "centrex-continue", "centrex_tenant", "centrex_user",
    "_ivr", "_conf", "_moh", " XML ", "xml_flush_cache", "uuid_",
)
FORBIDDEN_IMPORTS = ("centrex.freeswitch", "xmlcurl", "esl_handlers", "ESL")
ROUTING = Path(__file__).resolve().parents[1] / "centrex" / "routing"


def _docstrings(tree) -> set[int]:
    """ids of the module, class and function docstring nodes (prose may name FreeSWITCH)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _imports(tree) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return names


def test_routing_neither_imports_nor_speaks_freeswitch():
    files = sorted(ROUTING.rglob("*.py"))
    assert len(files) > 5
    problems = []
    for path in files:
        tree = ast.parse(path.read_text(), str(path))
        for name in _imports(tree):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IMPORTS):
                problems.append(f"{path.name} imports {name}")
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                problems += [f"{path.name}:{node.lineno} says {word!r}" for word in FREESWITCH_WORDS
                             if word in node.value]
    assert problems == [], "\n".join(problems)


ENGINE_MAY_IMPORT = ("__future__", "dataclasses", "datetime", "zoneinfo", "re", "typing", "collections",
                     "functools", "itertools", "enum", "phonenumbers", "centrex.routing.engine")


def test_the_engine_subpackage_imports_only_itself_and_the_standard_library():
    """routing/engine/ is the pure part: no database, no models, no Flask, no other domain."""
    files = sorted((ROUTING / "engine").glob("*.py"))
    assert len(files) > 5
    problems = [f"{path.name} imports {name}" for path in files
                for name in _imports(ast.parse(path.read_text(), str(path)))
                if not any(name == ok or name.startswith(ok + ".") for ok in ENGINE_MAY_IMPORT)]
    assert problems == [], "\n".join(problems)


def test_the_purity_check_sees_what_it_forbids():
    tree = ast.parse('"""the doc may say limit hash"""\nfrom centrex.freeswitch import names\n'
                     'x = "local_stream://a"\n')
    assert "centrex.freeswitch.names" in _imports(tree)
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in _docstrings(tree)]
    assert literals == ["local_stream://a"]
