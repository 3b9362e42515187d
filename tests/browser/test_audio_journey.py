"""The tenant admin uploads hold music in a real browser (headless Chromium): « Fichiers audio », choose
the music class, pick a wav made here with sox, « Téléverser »; the file is converted and stored, and the
page's <audio> player gets it back as audio/wav. Alain Dupont then finds his voicemail messages."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import choose, fill, open_menu, send_form, wait_for, wait_text
from centrex.models import AudioFile, Tenant
from centrex.platform.db import db

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("sox") is None, reason="sox is installed by `make test`")]


def test_admin_uploads_hold_music_and_plays_it(live_server, browser, tmp_path):
    music = tmp_path / "jingle.wav"
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(music), "synth", "1.5", "sine", "330"], check=True)
    open_menu(browser, live_server, "admin@dupont.example", "Fichiers audio")
    wait_for(browser, "input[name=file]")
    choose(browser, "target", "Musique d’attente · Musique d'attente")
    fill(browser, "name", "Jingle du printemps")
    browser.find_element(By.NAME, "file").send_keys(str(music))
    send_form(browser, "audio-form", "Téléverser", "Jingle du printemps est téléversé.")
    browser.snap("audio-uploaded")
    db.session.rollback()  # a new transaction sees what the server committed
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    row = db.session.execute(select(AudioFile).where(AudioFile.tenant_id == dupont.id,
                                                     AudioFile.name == "Jingle du printemps")).scalar_one()
    assert (row.kind, row.original_filename, row.sample_rate) == ("moh", "jingle.wav", 8000)
    player = browser.find_element(By.CSS_SELECTOR, f"audio[src$='/audio/{row.id}/listen']")
    content_type = browser.execute_async_script(
        "const done = arguments[1]; "
        "fetch(arguments[0]).then(r => done(r.status + ' ' + r.headers.get('content-type')))",
        player.get_attribute("src"))
    assert content_type == "200 audio/wav"


def test_user_finds_voicemail_messages(live_server, browser):
    open_menu(browser, live_server, "alain.dupont@dupont.example", "Messagerie vocale")
    wait_text(browser, "Fiduciaire Rochat")
    browser.snap("my-voicemail")
    players = browser.find_elements(By.CSS_SELECTOR, "#messages audio")
    assert len(players) == 2
    status = browser.execute_async_script(
        "const done = arguments[1]; "
        "fetch(arguments[0]).then(r => done(r.status + ' ' + r.headers.get('content-type')))",
        players[0].get_attribute("src"))
    assert status == "200 audio/wav"
