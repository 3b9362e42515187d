"""Menus and hold music through the core services: every reference checked against the company's own
objects; local_stream started, reloaded and stopped after the commit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.features import ivr, moh
from centrex.freeswitch.sync import pending_commands
from centrex.models import AudioFile, CallQueue, IvrMenu, MohClass, Number, NumberAnnouncement
from centrex.platform.db import db
from centrex.platform.errors import DomainError

pytestmark = pytest.mark.smoke


def first(model, tenant, **where):
    query = select(model).where(model.tenant_id == tenant.id)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.execute(query.order_by(model.id)).scalars().first()


def test_menu_validation(demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    martin_queue = first(CallQueue, martin)
    dupont_prompt = first(AudioFile, dupont, kind="prompt")
    cases = [
        ({"name": "A", "no_input_seconds": 60, "overall_timeout_seconds": 30}, "overall_timeout_seconds"),
        ({"name": "A", "invalid_action": "message"}, "invalid_sound_id"),
        ({"name": "A", "invalid_action": "destination"}, "invalid_dest_type"),
        ({"name": "A", "timeout_dest_type": "queue", "timeout_dest_id": martin_queue.id}, "timeout_dest_id"),
        ({"name": "A", "timeout_dest_type": "back"}, "timeout_dest_type"),
        ({"name": "Français"}, "name"),
    ]
    for data, field in cases:
        with pytest.raises(DomainError) as info:
            ivr.create_menu(dupont, data)
        assert field in info.value.fields, data
    with pytest.raises(DomainError) as info:
        ivr.create_menu(martin, {"name": "A", "greeting_id": dupont_prompt.id})  # another company's file
    assert "greeting_id" in info.value.fields


def test_entry_validation(demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    menu = first(IvrMenu, dupont, name="English")
    for data, field in [({"digits": "12345", "dest_type": "hangup"}, "digits"),
                        ({"digits": "1a", "dest_type": "hangup"}, "digits"),
                        ({"digits": "5", "dest_type": "queue", "dest_id": first(CallQueue, martin).id}, "dest_id"),
                        ({"digits": "5", "dest_type": "ivr", "dest_id": menu.id}, "dest_id"),
                        ({"digits": "5", "dest_type": "external"}, "dest_value")]:
        with pytest.raises(DomainError) as info:
            ivr.set_entry(dupont, menu, data)
        assert field in info.value.fields, data
    entry = ivr.set_entry(dupont, menu, {"digits": "1", "dest_type": "hangup"})  # replaces the choice for 1
    assert [e.dest_type for e in ivr.entries_of(menu) if e.digits == "1"] == ["hangup"] and entry.id


def test_menu_in_use_cannot_be_deleted(demo):
    from centrex.routing.numbers import point_number
    dupont = demo["dupont.example"]
    root = first(IvrMenu, dupont, name="Choix de la langue")
    french = first(IvrMenu, dupont, name="Français")
    number = db.session.execute(select(Number).where(Number.e164 == "+41215550100")).scalar_one()
    point_number(number, dupont, {"dest_type": "ivr", "dest_id": root.id})
    for menu in (root, french):  # the main number, and the root's key 1
        with pytest.raises(DomainError) as info:
            ivr.delete_menu(dupont, menu)
        assert info.value.status == 409
    point_number(number, dupont, {"dest_type": "hangup"})
    ivr.delete_menu(dupont, root)
    assert db.session.get(IvrMenu, root.id) is None


@pytest.mark.parametrize("extension", ["1001", "2001", "3000", "8000", "2100", "5000", "112"])
def test_short_numbers_are_unique_in_the_company(demo, extension):
    with pytest.raises(DomainError) as info:
        ivr.create_menu(demo["dupont.example"], {"name": "Nouveau", "extension": extension})
    assert "extension" in info.value.fields


def test_same_short_numbers_in_another_company(demo):
    martin = demo["martin.example"]
    assert ivr.create_menu(martin, {"name": "Nouveau", "extension": "2001"}).extension == "2001"  # Dupont's group


def test_hold_music_classes_drive_local_stream(demo, session):
    session.commit()
    dupont = demo["dupont.example"]
    music = moh.create_moh_class(dupont, {"name": "Jazz", "shuffle": False})
    name = f"dupont.example_moh{music.id}"
    moh.update_moh_class(dupont, music, {"shuffle": True, "is_default": True})
    old = first(MohClass, dupont, name="Musique d'attente")
    old_name = f"dupont.example_moh{old.id}"
    moh.delete_moh_class(dupont, old)
    assert pending_commands() == [f"start_local_stream {name}", f"reload_local_stream {name}",
                                  f"stop_local_stream {old_name}"]
    assert moh.default_moh_stream(dupont) == f"local_stream://{name}"
    defaults = db.session.execute(select(MohClass).where(MohClass.tenant_id == dupont.id,
                                                         MohClass.is_default.is_(True))).scalars().all()
    assert [c.id for c in defaults] == [music.id]


def test_announcement_only_on_own_numbers_with_own_prompts(demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    dupont_number = db.session.execute(select(Number).where(Number.e164 == "+41215550110")).scalar_one()
    martin_number = db.session.execute(select(Number).where(Number.e164 == "+41225550200")).scalar_one()
    prompt = first(AudioFile, dupont, kind="prompt")
    with pytest.raises(DomainError):
        moh.set_number_announcement(martin, dupont_number, prompt)
    with pytest.raises(DomainError):
        moh.set_number_announcement(martin, martin_number, prompt)
    moh.set_number_announcement(dupont, dupont_number, None)
    assert db.session.execute(select(NumberAnnouncement).where(
        NumberAnnouncement.number_id == dupont_number.id)).first() is None
