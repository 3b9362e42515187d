"""Every catalogued model's files hold only keys of the checked-in reference lists (tests/fixtures/phones/,
each key with its source), with values from their enums; the keys land where the model's layout puts
them: line keys up to the phone's count, then its expansion modules, module by module."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from centrex.models import User
from centrex.phones import catalogue
from centrex.phones.devices import set_device_keys
from centrex.platform.db import db
from tests.provisioning_helpers import device_auth, parse_xml, parse_yealink, phone, snom_settings

pytestmark = pytest.mark.smoke

FIXTURES = Path(__file__).parent / "fixtures" / "phones"
KINDS = 8  # one key of each kind on the phone's first keys (_keys)
YEALINK_INDEXES = [(r"^account\.\d+\.", "account.X."), (r"\.(sip_server|outbound_proxy)\.\d+\.", r".\1.Y."),
                   (r"^voice_mail\.number\.\d+$", "voice_mail.number.X"),
                   (r"^remote_phonebook\.data\.\d+\.", "remote_phonebook.data.X."), (r"^linekey\.\d+\.", "linekey.X."),
                   (r"^expansion_module\.\d+\.key\.\d+\.", "expansion_module.X.key.Y.")]


def layouts() -> dict[tuple[str, str], tuple]:
    """{(vendor, model): (keys, module, module keys, max modules, common code)} from layouts.txt."""
    rows = {}
    for line in (FIXTURES / "layouts.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            vendor, model, keys, module, per_module, most, code, source = (p.strip() for p in line.split(" | "))
            assert source, f"{model}: no source named"
            rows[(vendor, model)] = (int(keys), None if module == "-" else module, int(per_module), int(most),
                                     None if code == "-" else code)
    return rows


def test_the_catalogue_matches_the_reference_layouts():
    """Each model's keys, expansion module (size, how many) and common file as the references give them."""
    catalogued = {(m.vendor, m.name): (m.keys, m.module.name if m.module else None, m.module.keys if m.module else 0,
                                       m.module.max_modules if m.module else 0, m.common_code)
                  for m in catalogue.MODELS}
    assert catalogued == layouts()


def reference(name: str) -> dict[str, tuple[set[str], str]]:
    """{key: (families, values)} from a list file; values "int", "text" or "a|b|c"."""
    rows = {}
    for line in (FIXTURES / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, families, values, source = (part.strip() for part in line.split(" | "))
            assert source, f"{key}: no source named"
            rows[key] = (set(families.split(",")), values)
    return rows


def family(model: catalogue.PhoneModel) -> str:
    if model.vendor == "snom":
        return f"d{model.name[1]}xx"
    return "t3x" if model.name[1] == "3" else "t5x" if model.name[1] == "5" else f"t4x{model.name[-1].lower()}"


def check(values: dict[str, str], rows: dict, fam: str) -> None:
    for key, value in values.items():
        assert key in rows, f"{key} is in no reference list"
        families, allowed = rows[key]
        assert "*" in families or fam in families, f"{key} is not a {fam} key"
        if allowed == "int":
            assert re.fullmatch(r"[+-]?\d+", value), f"{key} = {value!r} is not a number"
        elif allowed != "text":
            assert value in allowed.split("|"), f"{key} = {value!r} not in {allowed}"


def _keys(model: catalogue.PhoneModel, tenant) -> list[dict]:
    colleague = db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == "1000")).scalar_one()
    kinds = [{"kind": "line"}, {"kind": "blf", "target_user_id": colleague.id},
             {"kind": "speed_dial", "number": "+41791234567", "label": "Mobile"}, {"kind": "voicemail"},
             {"kind": "dnd"}, {"kind": "forward"}, {"kind": "park", "number": "1", "label": "Parking"},
             {"kind": "transfer", "number": "1000", "label": "Accueil"}]
    keys = [{"position": n, **kind} for n, kind in enumerate(kinds[:model.keys], start=1)]
    if model.module:
        first, last = model.keys + 1, model.total_keys
        keys += [{"position": first, "kind": "blf", "target_user_id": colleague.id},
                 {"position": first + model.module.keys, "kind": "dnd"}, {"position": last, "kind": "forward"}]
    return keys


@pytest.mark.parametrize("name", catalogue.names("yealink"))
def test_yealink_files_hold_only_reference_keys(client, dupont, name):
    model, rows = catalogue.find("yealink", name), reference("yealink-keys.txt")
    owner = db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1001")).scalar_one()
    device = phone(dupont, owner, model=name, firmware_url="https://fw.operator.example/yealink.rom")
    set_device_keys(device, _keys(model, dupont))
    files = [client.get(f"/prov/{device.mac}.cfg", headers=device_auth(device))]
    if model.common_code:
        files.append(client.get(f"/prov/y000000000{model.common_code}.cfg"))
    generated = {}
    for response in files:
        assert response.status_code == 200
        generated.update(parse_yealink(response.get_data(as_text=True)))
    normalised = {}
    for key, value in generated.items():
        for pattern, replacement in YEALINK_INDEXES:
            key = re.sub(pattern, replacement, key)
        normalised[key] = value
    check(normalised, rows, family(model))
    # the layout: line keys up to the phone's count, then module after module of the model's module size
    lines = {int(k.split(".")[1]) for k in generated if k.startswith("linekey.")}
    assert lines == set(range(1, min(KINDS, model.keys) + 1))
    modules = {tuple(int(n) for n in k.split(".")[1:4:2]) for k in generated if k.startswith("expansion_module.")}
    if model.module:
        assert modules == {(1, 1), (2, 1), (model.module.max_modules, model.module.keys)}
    else:
        assert not modules


@pytest.mark.parametrize("name", catalogue.names("snom"))
def test_snom_files_hold_only_reference_settings(client, dupont, name):
    model, rows = catalogue.find("snom", name), reference("snom-keys.txt")
    owner = db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1001")).scalar_one()
    device = phone(dupont, owner, vendor="snom", model=name, mac="000413abcd01",
                   firmware_url="https://fw.operator.example/snom.bin")
    set_device_keys(device, _keys(model, dupont))
    own = client.get("/prov/snom-000413ABCD01.xml", headers=device_auth(device))
    common = client.get(f"/prov/snom{name}.xml")
    assert own.status_code == common.status_code == 200
    settings = {**snom_settings(parse_xml(common.get_data())), **snom_settings(parse_xml(own.get_data()))}
    normalised = {re.sub(r"\[\d+\]$", "[X]", key): value for key, value in settings.items()}
    check(normalised, rows, family(model))
    fkeys = {int(k.get("idx")): k.text for k in parse_xml(own.get_data()).find("functionKeys")}
    for text in fkeys.values():
        check({"fkey.type": text.split(" ", 1)[0]}, rows, family(model))
    expected = {n - 1 for n in range(1, min(KINDS, model.keys) + 1)}
    if model.module:
        expected |= {model.keys, model.keys + model.module.keys, model.total_keys - 1}
    assert set(fkeys) == expected  # fkey idx from 0: the phone's keys, then its modules' (FusionPBX D785)
