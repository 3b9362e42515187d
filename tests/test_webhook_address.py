"""The one check of where webhooks may go (audit finding 7), at creation through the API and at delivery."""
import socket

import pytest

from api_testing import bearer, keys  # noqa: F401
from centrex.webhooks.address import AddressRefused, AddressUnknown, internet_addresses, on_the_internet

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1", "2002:7f00:1::1", "2002:a9fe:a9fe::1",
    "224.0.0.1", "ff02::1",
])
def test_the_operators_networks_in_any_disguise_are_not_the_internet(address):
    assert not on_the_internet(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_internet_addresses_are(address):
    assert on_the_internet(address)


def fake_dns(*answers):
    return lambda host, port, type=None: [(socket.AF_INET6 if ":" in a else socket.AF_INET, type, 6, "", (a, port))
                                          for a in answers]


def test_a_name_is_refused_when_any_of_its_addresses_is_private():
    with pytest.raises(AddressRefused):
        internet_addresses("crm.example.com", 443, resolve=fake_dns("8.8.8.8", "10.0.0.5"))
    assert internet_addresses("crm.example.com", 443, resolve=fake_dns("8.8.8.8")) == ["8.8.8.8"]
    assert internet_addresses("crm.example.com", 443, allow_private=True, resolve=fake_dns("10.0.0.5")) == ["10.0.0.5"]


def test_a_name_that_does_not_resolve_is_unknown():
    with pytest.raises(AddressUnknown):
        internet_addresses("no-such-host.invalid", 443)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "https://[::ffff:169.254.169.254]/latest",
                                 "https://[64:ff9b::7f00:1]/x", "http://localhost/hook", "https://10.0.0.5/crm"])
def test_creating_a_webhook_towards_the_operators_networks_is_refused(client, keys, url):
    answer = client.post("/api/v1/webhooks", json={"url": url, "events": ["call.ended"]},
                         headers=bearer(keys["dupont"]))
    assert answer.status_code == 422
    assert answer.get_json()["fields"]["url"] == [
        "Webhooks only go to the Internet, not to a private or reserved address."]


def test_a_name_that_does_not_resolve_today_is_accepted_and_checked_at_delivery(client, keys):
    answer = client.post("/api/v1/webhooks",
                         json={"url": "https://crm.example.invalid/hooks", "events": ["call.ended"]},
                         headers=bearer(keys["dupont"]))
    assert answer.status_code == 201
