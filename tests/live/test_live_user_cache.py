"""FreeSWITCH's user cache on (the directory answer is `cacheable`), and still never stale: a secret
replaced or a user disabled in the console holds on the very next REGISTER, because the product sends
`xml_flush_cache id <user> <domain>` to the switch once the change is committed."""
from __future__ import annotations

import pytest
from test_live_console_api import CSRF, Console, user_id

pytestmark = pytest.mark.live


def cached_entries(live, extension: str, domain: str) -> str:
    """Flushes that user from the switch's cache; FreeSWITCH's reply says how many entries it held."""
    return live.switch.api(f"xml_flush_cache id {extension} {domain}")


def test_the_switch_keeps_a_registered_users_answer(live):
    live.switch.api("xml_flush_cache")
    assert live.register("1003", "dupont.example", live.secret("1003", "dupont.example")) \
        .responses("REGISTER") == [401, 200]
    assert "cleared 1 entry" in cached_entries(live, "1003", "dupont.example")
    # (not "then 0": mod_voicemail's message count after the REGISTER may fill the entry again meanwhile)


def test_a_secret_replaced_in_the_console_holds_on_the_very_next_register(live):
    old = live.secret("1004", "dupont.example")
    assert live.register("1004", "dupont.example", old).responses("REGISTER") == [401, 200]  # now cached
    console = Console(live)
    path = console.url(f"/users/{user_id(live, '1004')}")
    token = CSRF.search(console.client.get(path).get_data(as_text=True))[1]
    replaced = console.client.post(f"{path}/secret", data={"csrf_token": token})
    assert replaced.status_code == 200, replaced.get_data(as_text=True)[:500]
    new = live.secret("1004", "dupont.example")
    assert new != old
    assert live.register("1004", "dupont.example", old).responses("REGISTER") == [401, 403]
    assert live.register("1004", "dupont.example", new).responses("REGISTER") == [401, 200]


def test_a_user_disabled_in_the_console_is_refused_at_once(live):
    secret = live.secret("1005", "dupont.example")
    assert live.register("1005", "dupont.example", secret).responses("REGISTER") == [401, 200]  # now cached
    console = Console(live)
    path = f"/users/{user_id(live, '1005')}"
    form = console.form(path)
    assert "enabled" in form, form
    console.submit(path, {k: v for k, v in form.items() if k != "enabled"})
    try:
        assert live.register("1005", "dupont.example", secret).responses("REGISTER") == [401, 403]
    finally:
        console.submit(path, form)
    assert live.register("1005", "dupont.example", secret).responses("REGISTER") == [401, 200]
