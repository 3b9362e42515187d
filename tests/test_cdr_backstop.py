"""The CDR path that does not need the listener: mod_xml_cdr posts every leg to POST /cdr, and what it
could not post waits in its spool, which we import (bad files set aside, never blocking the others)."""
import shutil
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from cdr_captures import CDR_DIR, spool_dir_copy, xml_cdr_posts, xml_variables
from centrex.calls import journal as cdr
from centrex.models import CallRecord, CdrJournal
from conftest import xmlcurl_headers

pytestmark = pytest.mark.smoke
FS = Path(__file__).resolve().parents[1] / "freeswitch"


def post_record(client, body: bytes, *, headers=None, remote="127.0.0.1"):
    return client.post("/cdr?uuid=x", data=body, headers=headers or xmlcurl_headers(),
                       environ_base={"REMOTE_ADDR": remote})


def captured_body(name: str) -> bytes:
    """The exact body of a captured mod_xml_cdr POST (`cdr=<url-encoded xml>`)."""
    return (CDR_DIR / name).read_bytes().replace(b"\r\n", b"\n").split(b"\n\n", 1)[1]


def test_posted_legs_become_one_record_however_often_they_come(client, demo):
    for _ in range(2):
        for name in ("xml_cdr-post-call-1001-to-1002-b_leg.http",
                     "xml_cdr-post-call-1001-to-1002-a_leg.http"):
            response = post_record(client, captured_body(name))
            assert (response.status_code, response.data) == (200, b"OK\n")
    from centrex.platform.db import db

    (record,) = db.session.execute(select(CallRecord)).scalars().all()
    assert (record.call_uuid, record.leg_count, record.answered_by, record.billsec) == \
        ("2d40f615-40fc-41da-ada8-c03158c7a001", 2, "1002", 5)
    assert db.session.execute(select(func.count()).select_from(CdrJournal)).scalar_one() == 2


def test_only_freeswitch_may_post_and_bad_records_get_a_reason(client, demo):
    body = captured_body("xml_cdr-post-voicemail-deposit.http")
    no_credentials = {"Content-Type": "application/x-www-form-urlencoded"}
    assert post_record(client, body, headers=no_credentials).status_code == 401
    assert post_record(client, body, remote="203.0.113.9").status_code == 403
    response = post_record(client, b"cdr=%3Cnot-a-cdr%2F%3E")
    assert response.status_code == 400 and b"unreadable CDR" in response.data
    from centrex.platform.db import db

    assert db.session.execute(select(func.count()).select_from(CdrJournal)).scalar_one() == 0


def test_the_spool_is_imported_once_and_bad_files_are_set_aside(session, demo, tmp_path):
    from esl_handlers.spool import import_spool

    spool = tmp_path / "spool"
    names = [n for n in xml_cdr_posts() if "outcome_a" in n or "external-did" in n]
    spool_dir_copy(spool, names)
    shutil.copy(CDR_DIR / "xml_cdr-fallback-file-when-post-fails.cdr.xml", spool / "a_6882e6ec.cdr.xml")
    (spool / "truncated.cdr.xml").write_text("%3C%3Fxml%20version%3D%221.0%22%3F%3E%0A%3Ccdr%3E%3Cvar")
    counts = import_spool(spool)
    assert (counts.files, counts.failed) == (len(names) + 1, 1)
    assert sorted(p.name for p in spool.iterdir()) == ["failed"]
    assert sorted(p.name for p in (spool / "failed").iterdir()) == \
        ["truncated.cdr.xml", "truncated.cdr.xml.reason"]
    records = {r.call_uuid: r for r in session.execute(select(CallRecord)).scalars()}
    assert set(records) == {"3f762c54-c911-4f18-a28f-338549617965", "4b623488-2fa1-4185-af9a-249723fefec7"}
    assert records["4b623488-2fa1-4185-af9a-249723fefec7"].did == "+41215550100"
    (fallback,) = cdr.journal_problems()
    # the B half of a loopback pair whose A half never came: kept, visible, waiting
    assert (fallback.leg_uuid, fallback.status, fallback.call_uuid) == \
        ("6882e6ec-50ab-47e1-864d-9cc262008b66", "waiting", "3da13cf4-ad42-4e52-ab2a-49d5e2e5996d")
    spool_dir_copy(spool, names)  # FreeSWITCH spooled them again: still one record each
    assert import_spool(spool).files == len(names)
    assert session.execute(select(func.count()).select_from(CallRecord)).scalar_one() == 2


def test_cdr_commands(app, session, demo, tmp_path):
    runner = app.test_cli_runner()
    spool = tmp_path / "spool"
    spool_dir_copy(spool, [n for n in xml_cdr_posts() if "outcome_e" in n])
    result = runner.invoke(args=["cdr", "import-spool", str(spool)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 files imported (1 calls with new legs), 0 set aside")
    result = runner.invoke(args=["cdr", "rebuild"])
    assert result.exit_code == 0 and "Rebuilt: 1 calls imported" in result.output
    result = runner.invoke(args=["cdr", "pending"])
    assert result.output.splitlines()[0] == "imported: 2"
    assert runner.invoke(args=["cdr", "import-spool", str(tmp_path / "nope")]).exit_code != 0


def test_xml_cdr_config_posts_to_us_with_a_timeout_and_spools_failures():
    doc = etree.parse(str(FS / "autoload_configs" / "xml_cdr.conf.xml"))
    settings = {p.get("name"): p.get("value") for p in doc.xpath("//settings/param")}
    assert settings["url"] == "$${centrex_cdr_url}/cdr"  # the CDR pool, never the lookups' workers
    assert settings["cred"] == "$${centrex_xmlcurl_credentials}"
    assert 0 < int(settings["timeout"]) <= 10
    assert settings["err-log-dir"] and settings["encode"] == "true"  # the spool format import_spool reads
    assert settings["log-b-leg"] == "true"
    modules = [m.get("module") for m in etree.parse(str(FS / "autoload_configs" / "modules.conf.xml"))
               .xpath("//load")]
    assert "mod_xml_cdr" in modules and "mod_event_socket" in modules


def test_spool_files_are_what_mod_xml_cdr_writes(tmp_path):
    """Our spool test files are encoded like the fallback file FreeSWITCH really wrote."""
    (path,) = spool_dir_copy(tmp_path, ["xml_cdr-post-call-1001-to-1002-a_leg.http"])
    real = (CDR_DIR / "xml_cdr-fallback-file-when-post-fails.cdr.xml").read_text()
    assert path.read_text()[:60] == real[:60]
    assert cdr.entry_from_xml_cdr(path.read_bytes()).leg_uuid == \
        xml_variables(xml_cdr_posts()["xml_cdr-post-call-1001-to-1002-a_leg.http"])["uuid"]
