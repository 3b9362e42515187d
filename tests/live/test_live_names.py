"""Names a tenant types reach phones as typed: FreeSWITCH's preprocessor (`$${global}`, X-pre-process), which
runs on every mod_xml_curl answer, must never see them (audit finding: the ESL password became a caller name)."""
import pytest
from sqlalchemy import select

pytestmark = pytest.mark.live


def rename(live, extension: str, name: str, *, validated: bool = True) -> str:
    """Give Dupont's user a new name through the core service, or (validated=False) straight into its row,
    as data saved before names were checked would be."""
    from centrex.directory.users import update_user
    from centrex.models import Tenant, User

    with live.data() as session:
        user = session.execute(select(User).join(Tenant).where(
            Tenant.domain == "dupont.example", User.extension == extension)).scalar_one()
        previous = user.name
        if validated:
            update_user(user, {"name": name})
        else:
            user.name = name
    return previous


def call_alain_from_sophie(live):
    live.at("2026-12-07 10:00")
    alain = live.phone("1001")
    live.phone("1002")  # its REGISTER is answered from the same directory entry: a dropped answer refuses it
    result = live.call("1002", "1001", talk_ms=500)
    assert result.final == 200, result.output
    return alain.invites()[-1]


@pytest.mark.parametrize("crafted", ["Cy X-pre-process cmd=set data=a=b", "Zoé & Cie <Ventes> $5 $$10"])
def test_a_crafted_name_shows_as_typed_on_the_callees_phone(phones, crafted):
    previous = rename(phones, "1002", crafted)
    try:
        invite = call_alain_from_sophie(phones)
        assert invite.header("From").startswith(f'"{crafted}" <sip:1002@'), invite.header("From")
        assert phones.switch.api("user_data 1002@dupont.example var effective_caller_id_name").strip() == crafted
    finally:
        rename(phones, "1002", previous)


@pytest.mark.parametrize("crafted", ["Al $${centrex_esl_password} X", "Bo $${centrex_xmlcurl_credentials}"])
def test_a_global_variable_in_a_stored_name_never_reaches_a_phone(phones, crafted):
    """The console refuses `${` now (FreeSWITCH will not set a caller name holding a variable); a row saved
    before must still not hand FreeSWITCH's globals to a phone."""
    previous = rename(phones, "1002", crafted, validated=False)
    try:
        invite = call_alain_from_sophie(phones)
        secrets = [phones.switch.esl_password, phones.product.xmlcurl_password]
        assert not any(secret in invite.text for secret in secrets), invite.header("From")
        data = phones.switch.api("user_data 1002@dupont.example var effective_caller_id_name").strip()
        assert data == crafted  # FreeSWITCH holds the name as typed, unexpanded
    finally:
        rename(phones, "1002", previous, validated=False)
