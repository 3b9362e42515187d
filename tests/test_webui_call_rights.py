"""« Autoriser les appels vers » in the client menu: the company's rules (ceiling, premium, blocked
prefixes) and every user's call class and premium switch, saved in one transaction; roles and companies
kept apart; what is saved is what the dialplan then applies."""

from __future__ import annotations

from sqlalchemy import func, select

from centrex.models import AuditEntry, BlockedPrefix, CallPolicy, User
from centrex.platform.db import db
from centrex.platform.errors import N_, Message
from centrex.routing.loader import load_tenant_config
from test_webui_operator import field_error
from webui.i18n import translate
from webui_testing import ADMIN_DUPONT, ADMIN_MARTIN, OPERATOR, RECEPTION_DUPONT, USER_DUPONT, login, post, text


def url(tenant) -> str:
    return f"/t/{tenant.id}/call-rights"


def users_of(tenant) -> dict[str, User]:
    rows = db.session.execute(select(User).where(User.tenant_id == tenant.id)).scalars()
    return {u.extension: u for u in rows}


def prefixes(tenant) -> dict[str, str]:
    rows = db.session.execute(select(BlockedPrefix).where(BlockedPrefix.tenant_id == tenant.id)).scalars()
    return {p.prefix: p.label for p in rows}


def policy(tenant) -> tuple[str, bool]:
    row = db.session.execute(select(CallPolicy).where(CallPolicy.tenant_id == tenant.id)).scalar_one()
    return row.max_call_class, row.allow_premium


def form_for(tenant, **changes) -> dict:
    """The page's form as the browser would send it back unchanged, with `changes` on top."""
    data = {"max_call_class": "international"}
    for row, (prefix, label) in enumerate(sorted(prefixes(tenant).items())):
        data[f"prefixes.{row}.prefix"], data[f"prefixes.{row}.label"] = prefix, label
    for user in users_of(tenant).values():
        data[f"users.{user.id}.call_class"] = user.call_class
        if user.allow_premium:
            data[f"users.{user.id}.allow_premium"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_sees_the_company_rules_and_only_its_users(admin, dupont):
    page = text(admin.get(url(dupont)))
    assert "Appels autorisés" in page  # the menu entry and the title, in French by default
    assert 'value="+882"' in page and 'value="+881"' in page and "Satellite" in page
    assert "Alain Dupont" in page and "Pierre Martin" not in page and "Nadia Keller" not in page
    assert policy(dupont) == ("international", False)


def test_roles_and_companies(app, demo, dupont):
    expected = {OPERATOR: 200, ADMIN_DUPONT: 200, USER_DUPONT: 403, ADMIN_MARTIN: 404, RECEPTION_DUPONT: 403}
    for email, status in expected.items():
        browser = app.test_client()
        login(browser, email)
        assert browser.get(url(dupont)).status_code == status, email
    martin = app.test_client()
    login(martin, ADMIN_MARTIN)
    response = post(martin, url(dupont), form_for(dupont, allow_premium="on"))
    assert response.status_code == 404 and policy(dupont) == ("international", False)


def test_form_without_csrf_is_refused(admin, dupont):
    response = admin.post(url(dupont), data=form_for(dupont, allow_premium="on"))
    assert response.status_code == 400 and policy(dupont) == ("international", False)


def test_bulk_save_changes_rules_prefixes_and_users_together(admin, dupont):
    staff = users_of(dupont)
    response = post(admin, url(dupont), form_for(dupont, **{
        "max_call_class": "mobile", "allow_premium": "on",
        "prefixes.0.remove": "on",  # +881
        "prefixes.2.prefix": "00 41 90", "prefixes.2.label": "Surtaxés",
        f"users.{staff['1002'].id}.call_class": "international",
        f"users.{staff['1002'].id}.allow_premium": "on"}))
    assert response.status_code == 302, text(response)[:2000]
    assert policy(dupont) == ("mobile", True)
    assert prefixes(dupont) == {"+882": "Satellite et réseaux internationaux (Thuraya…)", "+4190": "Surtaxés"}
    sophie = users_of(dupont)["1002"]
    assert (sophie.call_class, sophie.allow_premium) == ("international", True)
    audited = db.session.execute(select(AuditEntry.object_type, AuditEntry.action)
                                 .where(AuditEntry.tenant_id == dupont.id, AuditEntry.actor == ADMIN_DUPONT)).all()
    assert {("call_policy", "update"), ("blocked_prefix", "delete"), ("blocked_prefix", "create"),
            ("sip_user", "update")} <= set(audited)
    # What the dialplan now reads: the same rules, from the one routing query.
    config = load_tenant_config(dupont.id)
    assert (config.call_ceiling, config.premium_allowed) == ("mobile", True)
    assert [p for p, _ in config.blocked_prefixes] == ["+4190", "+882"]


def test_one_invalid_row_saves_nothing_and_shows_the_error_on_that_row(admin, dupont):
    staff = users_of(dupont)
    before = (policy(dupont), prefixes(dupont), {e: (u.call_class, u.allow_premium) for e, u in staff.items()})
    audit_rows = db.session.execute(select(func.count(AuditEntry.id))).scalar_one()
    response = post(admin, url(dupont), form_for(dupont, **{
        "max_call_class": "national", "prefixes.2.prefix": "+4190", "prefixes.2.label": "Surtaxés",
        f"users.{staff['1002'].id}.call_class": "international",
        f"users.{staff['1003'].id}.call_class": "galactique"}))
    assert response.status_code == 422
    page = text(response)
    assert field_error(page, f"users.{staff['1003'].id}.call_class").startswith("Doit être")
    assert f'id="user-{staff["1003"].id}" class=" has-error"' in page
    assert 'value="galactique"' not in page  # the select keeps the real choices
    db.session.expire_all()
    after = (policy(dupont), prefixes(dupont),
             {e: (u.call_class, u.allow_premium) for e, u in users_of(dupont).items()})
    assert after == before
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == audit_rows


def test_bad_and_repeated_prefixes_are_shown_under_their_row(admin, dupont):
    response = post(admin, url(dupont), form_for(dupont, **{
        "prefixes.2.prefix": "+8", "prefixes.2.label": "Trop court",
        "prefixes.3.prefix": "882", "prefixes.5.prefix": "+882"}))
    assert response.status_code == 422
    page = text(response)
    assert field_error(page, "prefixes.2.prefix") == "Un préfixe est un + suivi de 2 à 15 chiffres, p. ex. +882."
    assert field_error(page, "prefixes.3.prefix") == "Un préfixe est un + suivi de 2 à 15 chiffres, p. ex. +882."
    assert field_error(page, "prefixes.5.prefix") == "Indiqué deux fois."
    assert prefixes(dupont) == {"+881": "Satellite (Iridium, Globalstar…)",
                                "+882": "Satellite et réseaux internationaux (Thuraya…)"}


def test_a_user_of_another_company_cannot_be_changed_through_the_form(admin, demo, dupont):
    pierre = users_of(demo["martin.example"])["1001"]
    response = post(admin, url(dupont), form_for(dupont, **{f"users.{pierre.id}.call_class": "international"}))
    assert response.status_code == 422
    db.session.expire_all()
    assert users_of(demo["martin.example"])["1001"].call_class == "national"


def test_english_page(admin, dupont):
    admin.set_cookie("console_lang", "en")
    page = text(admin.get(url(dupont)))
    assert "Allowed calls" in page and "Blocked destinations" in page


def test_dry_run_explains_the_blocked_prefix(admin, dupont):
    response = admin.get(f"/t/{dupont.id}/scenario/explain.json?destination=%2B88212345678&caller=1001"
                         "&at=2026-12-01T09:00")
    assert response.status_code == 200
    last = response.get_json()["steps"][-1]
    assert (last["kind"], last["cause"], last["note"]) == ("error", "OUTGOING_CALL_BARRED", "prefix_blocked")
    assert last["text"]["fr"] == ("+88212345678 commence par +882 (Satellite et réseaux internationaux (Thuraya…)), "
                                  "bloqué pour toute l’entreprise : appel refusé.")
    assert "blocked for the whole company" in last["text"]["en"]


def test_the_refusal_of_a_blocked_destination_reads_in_french(app):
    message = Message.of(N_("Numbers starting with %(prefix)s are blocked for the whole company."), prefix="+882")
    with app.test_request_context(headers={"Cookie": "console_lang=fr"}):
        assert translate(message) == "Les numéros commençant par +882 sont bloqués pour toute l’entreprise."
    with app.test_request_context(headers={"Cookie": "console_lang=en"}):
        assert translate(message) == message == "Numbers starting with +882 are blocked for the whole company."


def test_the_table_says_where_the_company_limits_a_user(admin, dupont):
    alain = users_of(dupont)["1001"]  # international
    page = text(post(admin, url(dupont), form_for(dupont, max_call_class="national"), follow_redirects=True))
    assert page.count("Limité à « national » par l’entreprise.") == 1  # only Alain is above the ceiling
    assert "refusé pour toute l’entreprise" in page  # Dupont refuses premium numbers
    assert users_of(dupont)["1001"].call_class == alain.call_class == "international"
