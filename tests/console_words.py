"""Helpers for the language tests: walk the console (every page a role reaches by its links, every form on
them submitted with wrong values) and find English in the French pages or French in the English pages."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
from babel.messages.pofile import read_po

import webui

CATALOGUE = Path(webui.__file__).resolve().parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# Forms that end the walk or remove what the next forms need: not submitted.
NOT_SUBMITTED = re.compile(r"logout|delete|remove|revoke|purge|kick|hangup|reveal|regenerate|reprovision"
                           r"|resend|redeliver|rotate|/call$|click|lang|check-sync|reset")
NOT_VISITED = re.compile(r"logout|/download|\.wav|\.pdf|\.png|/audio/\d+$|/static/|/api/|/provisioning/|lang")
# Rounds of wrong values per input type ("" = any other type): too long or malformed, too short, then
# plausible but refused (a number outside the call class, an extension already used).
ROUNDS = [
    {"date": "2026-13-45", "time": "25:99", "email": "pas-une-adresse", "number": "-7", "url": "ftp://x",
     "password": "x", "": "!" * 300},
    {"date": "2026-02-30", "time": "24:61", "email": "a@b", "number": "0", "url": "http://", "": "zz"},
    {"date": "2026-12-24", "time": "18:00", "email": "claire.dumas@dupont.example", "number": "100000",
     "": "+41791112233"},
    {"date": "1999-01-01", "time": "00:00", "number": "1", "": "1001"},
]


def english_sentences() -> list[tuple[str, re.Pattern]]:
    """The catalogue's English sentences (three words or more) whose French differs, as patterns that match
    them with their parameters filled in."""
    catalogue = read_po(CATALOGUE.open("rb"))
    found = []
    for message in catalogue:
        key = message.id if isinstance(message.id, str) else (message.id or [""])[0]
        french = message.string if isinstance(message.string, str) else (message.string or [""])[0]
        if not key or key == french or len(re.findall(r"[A-Za-z]{2,}", re.sub(r"%\(\w+\)s", "", key))) < 3:
            continue
        parts = [re.escape(part) for part in re.split(r"%\(\w+\)[sd]", key)]
        found.append((key, re.compile(r"\b" + ".{1,80}?".join(parts))))
    return found


def visible_text(html: str) -> str:
    """What a person reads: the text of the page and the values of its buttons and placeholders."""
    root = lxml.html.fromstring(html)
    for hidden in root.xpath("//script|//style|//template"):
        hidden.drop_tree()
    words = [root.text_content()]
    words += root.xpath("//@placeholder|//@title|//@aria-label|//input[@type='submit']/@value")
    return re.sub(r"\s+", " ", " ".join(words))


ENGLISH = re.compile(r"\b(?:the|is|not|must|may|valid|already|this|please|field|required|missing|invalid"
                     r"|between|should|cannot|unknown|allowed|enter)\b", re.IGNORECASE)


def untranslated(html: str, sentences) -> list[str]:
    """The catalogue's English sentences on a French page, and English words of messages it does not hold
    (a library's own message) around them."""
    text = visible_text(html)
    found = [key for key, pattern in sentences if pattern.search(text)]
    return found + [text[max(0, m.start() - 40):m.end() + 40] for m in ENGLISH.finditer(text)]


def links(url: str, html: str) -> set[str]:
    root = lxml.html.fromstring(html)
    found = set()
    for href in root.xpath("//a/@href"):
        target = urlsplit(urljoin(url, href))
        if not target.netloc and target.path.startswith("/") and not NOT_VISITED.search(target.path):
            found.add(target.path + (f"?{target.query}" if target.query else ""))
    return found


def wrong_forms(url: str, html: str, wrong: dict) -> list[tuple[str, dict]]:
    """Every POST form of the page with each field given a value it should refuse (hidden fields kept)."""
    root = lxml.html.fromstring(html)
    forms = []
    for form in root.xpath("//form[translate(@method, 'POST', 'post')='post']"):
        action = urlsplit(urljoin(url, form.get("action") or url)).path
        if NOT_SUBMITTED.search(action):
            continue
        data: dict[str, list[str]] = {}
        for field in form.xpath(".//input|.//select|.//textarea"):
            name, kind = field.get("name"), (field.get("type") or "text").lower()
            if not name or kind in ("file", "submit", "button"):
                continue
            if kind == "hidden":
                value = field.get("value") or ""
            elif field.tag == "select":
                options = field.xpath(".//option/@value")
                value = options[-1] if options else ""
            elif kind in ("checkbox", "radio"):
                value = field.get("value") or "on"
            else:
                value = wrong.get(kind, wrong[""])
            data.setdefault(name, []).append(value)
        forms.append((action, data))
    return forms


def walk(client, start: str, limit: int = 400):
    """(url, html) of every page reached from `start` by its links, then of every answer to a wrong form."""
    seen, queue, pages = set(), [start], []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow_redirects=True)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        url = response.request.path
        html = response.get_data(as_text=True)
        pages.append((url, html))
        queue += sorted(links(url, html) - seen)
    answers = []
    for url, html, wrong in [(url, html, wrong) for wrong in ROUNDS for url, html in pages]:
        for action, data in wrong_forms(url, html, wrong):
            answer = client.post(action, data=data, follow_redirects=True)
            assert answer.status_code < 500, f"{action} {data}: {answer.status_code}"
            if answer.mimetype == "text/html":
                answers.append((f"POST {action} (from {url})", answer.get_data(as_text=True)))
    return pages, answers


FRENCH = re.compile(r"\b(?:Enregistrer|Ajouter|Supprimer|Annuler|Modifier|Rechercher|Filtrer|Essayer|utilisateurs?|"
                    r"numéros?|téléphones?|appels?|messagerie|horaires?|groupes?|aucune?|oui|non|retour|toutes?|"
                    r"jours?|depuis|jusqu|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|avec|pour|dans|"
                    r"être|à|où|été|déjà)\b|\b(?:[lLdDnNsScCjJ]|[qQ]u)[’'](?=\w)", re.IGNORECASE)


def data_texts(session) -> list[str]:
    """Every text the companies typed (names, labels, descriptions…): shown as typed in any language."""
    from sqlalchemy import String, select

    from centrex.platform.db import Base

    found = set()
    for mapper in Base.registry.mappers:
        for column in mapper.columns:
            if isinstance(column.type, String) and column.table is mapper.local_table:
                found |= {v for v in session.execute(select(column).distinct()).scalars() if v and len(v) > 1}
    from centrex.models import AuditEntry

    for changes in session.execute(select(AuditEntry.changes)).scalars():
        found |= {str(v) for v in (changes or {}).values() if isinstance(v, str) and len(v) > 1}
    return sorted(found, key=len, reverse=True)


def french_words(html: str, data: list[str]) -> list[str]:
    """French words on an English page, once the companies' own texts are taken out."""
    text = visible_text(html)
    for typed in data:
        text = text.replace(typed, " ")
    return [text[max(0, m.start() - 30):m.end() + 30] for m in FRENCH.finditer(text)]
