"""The phrase macros we ship: every language the console offers a voicemail box plays recorded prompts
(FreeSWITCH's stock fr/de macros spoke through a TTS engine a node does not have, and hung up)."""
from pathlib import Path

import pytest
from lxml import etree

from centrex.platform.schemas import LANGUAGES

pytestmark = pytest.mark.smoke
FS = Path(__file__).resolve().parents[1] / "freeswitch"
STOCK = {"en"}  # FreeSWITCH's own lang/en plays files already


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - STOCK))
def test_every_console_language_has_file_based_voicemail_phrases(language):
    root = etree.parse(str(FS / "lang" / language / f"{language}.xml")).getroot()
    element = root.find("language")
    assert element.get("name") == language
    assert element.get("tts-engine") is None
    assert element.get("sound-prefix", "").startswith("$${sounds_dir}/")
    included = [node.get("data") for node in root.iter("X-PRE-PROCESS")]
    assert any(path.endswith("vm/sounds.xml") for path in included), included


def test_no_shipped_phrase_needs_a_tts_engine():
    for path in (FS / "lang").rglob("*.xml"):
        speaking = [a for a in etree.parse(str(path)).iter("action") if a.get("function") == "speak-text"]
        assert not speaking, path


def test_the_languages_section_includes_every_console_language():
    includes = [node.get("data") for node in etree.parse(str(FS / "freeswitch.xml")).iter("X-PRE-PROCESS")]
    for language in LANGUAGES:
        assert f"lang/{language}/*.xml" in includes, language


def test_the_voicemail_macros_cover_what_mod_voicemail_asks_for():
    english = {"voicemail_hello", "voicemail_goodbye", "voicemail_record_message", "voicemail_ack",
               "voicemail_play_greeting", "voicemail_message_count", "voicemail_menu"}
    for language in ("fr", "de"):
        macros = etree.parse(str(FS / "lang" / language / "vm" / "sounds.xml")).iter("macro")
        names = {m.get("name") for m in macros}
        assert english <= names, (language, english - names)
