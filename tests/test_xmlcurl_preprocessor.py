"""Every answer leaves through one serialiser that FreeSWITCH's preprocessor cannot read into: no `$${` and no
`X-pre-process` in the bytes, whatever a tenant typed, and the same values once parsed (audit finding 1)."""
import re

import pytest
from lxml import etree

from centrex.directory.users import update_user
from centrex.models import User
from centrex.platform.db import db
from centrex.platform.errors import Invalid
from xmlcurl.documents import document, serialise, variables

pytestmark = pytest.mark.smoke
CRAFTED = "Al $${centrex_esl_password} X-PRE-process ${uuid} x-pre-process"


def preprocessor_would_act(raw: bytes) -> bool:
    return b"$${" in raw or re.search(rb"x-pre-process", raw, re.IGNORECASE) is not None


def test_serialised_values_mean_the_same_but_spell_nothing_for_the_preprocessor():
    root, section = document("directory")
    variables(section, [("effective_caller_id_name", CRAFTED), ("dial", "${sofia_contact(*/1001@d.example)}")])
    raw = serialise(root)
    assert not preprocessor_would_act(raw)
    values = [v.get("value") for v in etree.fromstring(raw).iter("variable")]
    assert values == [CRAFTED, "${sofia_contact(*/1001@d.example)}"]  # run-time variables still expand


def test_a_stored_crafted_name_leaves_in_the_directory_answer_unreadable_by_the_preprocessor(demo, post_capture):
    alain = db.session.execute(db.select(User).where(User.tenant_id == demo["dupont.example"].id,
                                                     User.extension == "1001")).scalar_one()
    alain.name = CRAFTED  # saved before names were checked
    db.session.flush()
    response = post_capture("21-directory-sip_auth-register-1001-password.http")
    assert not preprocessor_would_act(response.data)
    doc = etree.fromstring(response.data)
    assert doc.xpath("string(//variable[@name='effective_caller_id_name']/@value)") == CRAFTED


def test_a_name_holding_a_freeswitch_variable_is_refused_with_the_reason(demo):
    alain = db.session.execute(db.select(User).where(User.tenant_id == demo["dupont.example"].id,
                                                     User.extension == "1001")).scalar_one()
    with pytest.raises(Invalid) as refused:
        update_user(alain, {"name": "Al ${uuid}"})
    assert refused.value.fields == {"name": ["« ${ » is not allowed: FreeSWITCH would read it as a variable."]}
    assert alain.name == "Alain Dupont"
