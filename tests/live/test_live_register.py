"""REGISTER through the live switch: only the product's directory answers, per tenant, with the hash."""
import pytest

pytestmark = pytest.mark.live


def test_a_phone_registers_with_its_secret_and_the_switch_lists_it(live):
    result = live.register("1001", "dupont.example", live.secret("1001", "dupont.example"))
    assert result.responses("REGISTER") == [401, 200]
    assert "sip:1001@127.0.0.1" in live.switch.api("sofia_contact 1001@dupont.example")


@pytest.mark.parametrize("extension, domain, password, why", [
    ("1001", "dupont.example", "wrong-secret", "wrong secret"),
    ("1099", "dupont.example", "whatever", "unknown user"),
    ("1001", "nowhere.example", "whatever", "foreign domain"),
    ("1000", "dupont.example", "1234", "the stock sample users (1000/1234)"),
    ("1019", "127.0.0.1", "1234", "the stock sample users on the switch's own domain"),
])
def test_a_register_the_product_does_not_know_is_refused(live, extension, domain, password, why):
    result = live.register(extension, domain, password)
    assert result.responses("REGISTER") == [401, 403], why


def test_another_tenants_secret_does_not_open_the_same_extension(live):
    martin_secret = live.secret("1001", "martin.example")
    assert live.register("1001", "dupont.example", martin_secret).responses("REGISTER") == [401, 403]
    assert live.register("1001", "martin.example", martin_secret).responses("REGISTER") == [401, 200]
