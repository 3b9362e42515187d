"""Every console form, opened and sent back unchanged, then with its repeated rows reordered, never answers
500 (audit finding 3: the on-call group's external members and the office schedule's holidays crashed their
pages' save). Pages come from the app's URL map (the matrix's route list), so a new form is covered."""
from __future__ import annotations

from collections import defaultdict

import lxml.html
import pytest
from werkzeug.datastructures import MultiDict

from test_webui_matrix import ROUTES, companies, url_for_target  # noqa: F401 - `companies` is a fixture
from webui_testing import ADMIN_DUPONT, OPERATOR, login

pytestmark = pytest.mark.slow
SKIPPED_ACTIONS = ("delete", "remove", "logout", "regenerate", "secret", "reprovision", "retry", "resend",
                   "revoke", "test", "call", "kick", "mute")


def forms_of(page: bytes, url: str):
    """(action, fields) of each POST form a person could send back as it is (no file, no deletion)."""
    doc = lxml.html.fromstring(page)
    for form in doc.forms:
        action = form.get("action") or url
        if (form.method or "GET").upper() != "POST" or any(word in action.lower() for word in SKIPPED_ACTIONS):
            continue
        if form.xpath(".//input[@type='file']"):
            continue
        fields = list(form.form_values())
        button = form.xpath(".//button[@type='submit'][@name] | .//input[@type='submit'][@name]")
        if button:
            fields.append((button[0].get("name"), button[0].get("value", "")))
        yield action, fields


def reordered(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The same values with every repeated field's values in reverse order (rows of a table)."""
    by_name = defaultdict(list)
    for name, value in fields:
        by_name[name].append(value)
    reversed_values = {name: list(reversed(values)) for name, values in by_name.items()}
    return [(name, reversed_values[name].pop(0)) for name, _ in fields]


@pytest.mark.parametrize("account", [ADMIN_DUPONT, OPERATOR])
def test_every_form_sent_back_unchanged_or_reordered_is_never_a_500(app, companies, account):  # noqa: F811
    dupont, _martin, _clients = companies
    client = app.test_client()
    login(client, account)
    sent, crashes = 0, []
    for param in ROUTES:
        rule, method = param.values
        if method != "GET" or rule.rule.endswith((".csv", ".wav", ".pdf", ".png", ".xml")):
            continue
        url = url_for_target(rule, dupont, dupont)
        page = client.get(url)
        if page.status_code != 200 or not page.mimetype == "text/html":
            continue
        for action, fields in forms_of(page.data, url):
            for variant in (fields, reordered(fields)):
                answer = client.post(action, data=MultiDict(variant))
                sent += 1
                if answer.status_code >= 500:
                    crashes.append((url, action, variant[:12]))
    assert not crashes, crashes
    assert sent >= 40
