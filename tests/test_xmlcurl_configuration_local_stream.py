"""local_stream.conf: one <directory> per hold-music class of every tenant (fixture 49's accepted shape);
nothing configured yet -> "not found", so FreeSWITCH keeps its own file (local_stream refuses to load empty)."""
from __future__ import annotations

from pathlib import Path

import pytest

from xmlcurl_helpers import captured_answer, is_not_found, parse_document

pytestmark = pytest.mark.smoke
SERVED = "49-configuration-local_stream.conf-startup-served.http"


def test_every_class_of_every_tenant_is_a_directory(demo, post_capture, app):
    good = captured_answer(SERVED)
    good_params = {p.get("name") for p in good.xpath("//directory/param")}
    doc = parse_document(post_capture(SERVED))
    directories = doc.xpath("/document/section/configuration[@name='local_stream.conf']/directory")
    names = [d.get("name") for d in directories]
    assert len(names) == 2 and len(set(names)) == 2
    assert names[0].startswith("dupont.example_moh") and names[1].startswith("martin.example_moh")
    for directory in directories:
        assert {p.get("name") for p in directory.xpath("param")} == good_params
        path = Path(directory.get("path"))
        assert path.is_dir()  # created with the class, where FreeSWITCH reads it
        domain = directory.get("name").split("_moh")[0]
        assert path.parent.parent.name == domain
    from centrex.models import AudioFile, MohClass
    from centrex.platform.db import db
    dupont_class = db.session.execute(db.select(MohClass).where(
        MohClass.tenant_id == demo["dupont.example"].id)).scalar_one()
    [music] = db.session.execute(db.select(AudioFile).where(AudioFile.moh_class_id == dupont_class.id)).scalars()
    assert (Path(directories[0].get("path")) / music.stored_name).is_file()  # what the stream plays


def test_no_class_yet_leaves_freeswitchs_file(session, post_capture):
    doc = parse_document(post_capture("15-configuration-local_stream.conf-startup.http"))
    assert doc.xpath("string(//result/@status)") == "not found"


@pytest.mark.parametrize("capture", ["11-configuration-voicemail.conf-startup.http",
                                     "03-configuration-sofia.conf-config_sofia.http",
                                     "27-configuration-timezones.conf-reload_mod_voicemail.http"])
def test_other_files_stay_freeswitchs_own(demo, post_capture, capture):
    assert is_not_found(parse_document(post_capture(capture)))
