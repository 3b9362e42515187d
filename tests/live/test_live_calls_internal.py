"""Extension to extension through the live switch, in both demo companies that share extension numbers."""
import pytest

pytestmark = pytest.mark.live


@pytest.mark.parametrize("domain", ["dupont.example", "martin.example"])
def test_an_extension_rings_its_colleague_in_its_own_company_only(phones, domain):
    live = phones
    other = "martin.example" if domain == "dupont.example" else "dupont.example"
    mine = live.phone("1002", domain, ring_ms=300)
    theirs = live.phone("1002", other, ring_ms=300)
    live.phone("1001", domain)
    result = live.call("1001", "1002", domain, talk_ms=1500)
    assert result.final == 200, result.output
    assert len(mine.invites()) == 1
    assert theirs.invites() == []
