"""The company's default key layout: set once in the console or the API, new phones start with it (each
with the keys its model has), "apply" gives it to phones that exist; another company's phones never."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from api_testing import bearer, keys  # noqa: F401
from centrex.models import AuditEntry, Device, Tenant, User
from centrex.phones.layouts import set_default_keys
from centrex.platform.db import db
from tests.provisioning_helpers import device_auth, parse_yealink, phone
from webui_testing import post, text

pytestmark = pytest.mark.smoke


def _user(tenant, extension):
    return db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == extension)).scalar_one()


def _reception_layout(tenant) -> list[dict]:
    return [{"position": 1, "kind": "line"},
            {"position": 2, "kind": "blf", "target_user_id": _user(tenant, "1000").id, "label": "Accueil"},
            {"position": 3, "kind": "voicemail"}, {"position": 4, "kind": "dnd"},
            {"position": 20, "kind": "park", "number": "1", "label": "Parking"}]


def _kinds(device_id: int) -> list[tuple[int, str]]:
    return [(k.position, k.kind) for k in db.session.get(Device, device_id).keys]


def test_new_phones_start_with_the_default_keys_they_have_room_for(client, admin, dupont):
    saved = post(admin, f"/t/{dupont.id}/devices/default-keys", {
        "kind_1": "line", "kind_2": "blf", "target_2": str(_user(dupont, "1000").id), "label_2": "Accueil",
        "kind_3": "voicemail", "kind_4": "dnd", "kind_20": "park", "number_20": "1"})
    assert saved.status_code == 302
    page = text(admin.get(f"/t/{dupont.id}/devices/default-keys"))
    assert "Touches par défaut" in page and 'name="kind_32"' in page and 'name="kind_33"' not in page

    t54w = phone(dupont, _user(dupont, "1001"), model="T54W")  # 27 keys: all five
    t41s = phone(dupont, _user(dupont, "1002"), model="T41S", mac="001565000002")  # 15 keys: not key 20
    assert _kinds(t54w.id) == [(1, "line"), (2, "blf"), (3, "voicemail"), (4, "dnd"), (20, "park")]
    assert _kinds(t41s.id) == [(1, "line"), (2, "blf"), (3, "voicemail"), (4, "dnd")]
    values = parse_yealink(client.get(f"/prov/{t54w.mac}.cfg", headers=device_auth(t54w)).get_data(as_text=True))
    assert (values["linekey.2.type"], values["linekey.2.value"], values["linekey.2.label"]) == ("16", "1000", "Accueil")
    assert (values["linekey.20.type"], values["linekey.20.value"]) == ("10", "*61")
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "set_default_keys")).scalars().one()
    assert entry.tenant_id == dupont.id and "1:line" in str(entry.changes["keys"])


def test_apply_the_default_to_existing_phones(admin, dupont):
    before = phone(dupont, None, model="T46U")
    untouched = phone(dupont, None, model="T46U", mac="001565000003")
    set_default_keys(dupont, _reception_layout(dupont))
    db.session.commit()
    assert _kinds(before.id) == []  # added before the default: nothing changed by itself
    applied = post(admin, f"/t/{dupont.id}/devices/default-keys/apply", {"devices": str(before.id)})
    assert applied.status_code == 302
    assert _kinds(before.id) == [(1, "line"), (2, "blf"), (3, "voicemail"), (4, "dnd"), (20, "park")]
    assert _kinds(untouched.id) == []
    assert "Touches par défaut appliquées à 1 téléphones." in text(admin.get(f"/t/{dupont.id}/devices/default-keys"))


def test_a_default_layout_is_checked_like_a_phones_keys(admin, dupont):
    martin = db.session.execute(select(Tenant).where(Tenant.domain == "martin.example")).scalar_one()
    foreign = post(admin, f"/t/{dupont.id}/devices/default-keys",
                   {"kind_2": "blf", "target_2": str(_user(martin, "1000").id)})
    assert foreign.status_code == 422  # a BLF on another company's user
    too_far = post(admin, f"/t/{dupont.id}/devices/default-keys", {"kind_40": "dnd"})  # no field: crafted
    assert too_far.status_code == 422
    assert "au plus" in text(too_far)


def test_the_api_sets_reads_and_applies_the_default(client, keys, dupont):
    device = phone(dupont, None, model="D785", vendor="snom", mac="000413785001")
    put = client.put("/api/v1/default-keys", headers=bearer(keys["dupont"]), json={"keys": [
        {"position": 1, "kind": "line"}, {"position": 5, "kind": "transfer", "number": "2001"}]})
    assert put.status_code == 200, put.get_json()
    listed = client.get("/api/v1/default-keys", headers=bearer(keys["dupont"])).get_json()["items"]
    assert [(k["position"], k["kind"], k["number"]) for k in listed] == [(1, "line", None), (5, "transfer", "2001")]
    applied = client.post("/api/v1/default-keys/apply", headers=bearer(keys["dupont"]), json={"devices": [device.id]})
    assert applied.status_code == 200 and applied.get_json() == {"applied": 1}
    assert _kinds(device.id) == [(1, "line"), (5, "transfer")]
    other = client.post("/api/v1/default-keys/apply", headers=bearer(keys["martin"]), json={"devices": [device.id]})
    assert other.status_code == 422 and _kinds(device.id) == [(1, "line"), (5, "transfer")]  # not Martin's
