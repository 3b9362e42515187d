"""Who is asking, and what they may see: the one place roles, custom roles and tenant boundaries are
enforced for the console. Views declare their roles with @allow; tenant pages carry the tenant in the URL
(`tenant_id`), which @allow resolves to g.tenant or refuses. Every page of the client menu also has an
area in CLIENT_AREAS: an administrator limited by a custom role (a delegated administrator) opens it
only when the role grants that area (GET: read; any other method: write)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request, session
from sqlalchemy import select

from centrex.access.sessions import account_of, close_session, open_session
from centrex.models import Account, Tenant
from centrex.models.role import PERMISSION_AREAS, RolePermission
from centrex.platform.audit import Actor
from centrex.platform.db import db
from centrex.platform.errors import N_, Forbidden, NotFound
from centrex.tenants import licences

OPERATOR, ADMIN, USER = "operator", "admin", "user"
STAFF = (OPERATOR, ADMIN)  # who may open a client's pages ("menu client")
ANYONE = "anyone"  # pages open before login (login, language)

CLIENT_MENU = "client"  # the blueprint of the client menu, where areas apply
EVERY_STAFF = "*"  # a client-menu page any staff of the company may open (overview, logo)
FULL_ADMIN = "!"  # only operators and administrators with full rights (logins, roles: no self-promotion)

# Each page (endpoint) of the client menu -> its permission area (centrex.models.role.PERMISSION_AREAS),
# EVERY_STAFF or FULL_ADMIN. A new client-menu page MUST be added here: unlisted, it is closed to
# delegated administrators and tests/test_webui_roles.py fails naming it.
CLIENT_AREAS: dict[str, str] = {
    "client.dashboard": EVERY_STAFF,
    "client.logo": EVERY_STAFF,
    # Utilisateurs
    "client.users": "users",
    "client.user_new": "users",
    "client.user_edit": "users",
    "client.user_secret": "users",
    "client.user_secret_show": "users",
    "client.user_welcome": "users",
    "client.user_delete": "users",
    "client.user_forwarding": "users",
    "client.user_forwarding_delete": "users",
    "client.user_forwarding_switch": "users",
    # Numéros, Matériel
    "client.numbers": "numbers",
    "client.number_edit": "numbers",
    "client.devices": "devices",
    "client.device_new": "devices",
    "client.device_edit": "devices",
    "client.device_delete": "devices",
    "client.device_reprovision": "devices",
    "client.device_admin_password": "devices",
    "client.device_claim": "devices",
    "client.device_keys": "devices",
    "client.device_keys_copy": "devices",
    "client.default_layout": "devices",
    "client.default_layout_apply": "devices",
    # Groupes d'appels, horaires
    "client.groups": "groups",
    "client.group_new": "groups",
    "client.group_edit": "groups",
    "client.group_delete": "groups",
    "client.schedules": "schedules",
    "client.schedule_new": "schedules",
    "client.schedule_edit": "schedules",
    "client.schedule_delete": "schedules",
    "client.schedule_closed": "schedules",
    "client.schedule_holidays": "schedules",
    "client.schedule_copy": "schedules",
    # Files d'attente, menus vocaux, messagerie partagée, fichiers audio
    "client.queues": "queues",
    "client.queue_new": "queues",
    "client.queue_edit": "queues",
    "client.queue_delete": "queues",
    "client.menus": "ivr",
    "client.menu_new": "ivr",
    "client.menu_edit": "ivr",
    "client.menu_delete": "ivr",
    "client.voicemail_boxes": "voicemail",
    "client.voicemail_box_new": "voicemail",
    "client.voicemail_box_edit": "voicemail",
    "client.voicemail_box_delete": "voicemail",
    "client.voicemail_box_listen": "voicemail",
    "client.voicemail_box_message_delete": "voicemail",
    "client.voicemail_box_message_read": "voicemail",
    "client.voicemail_box_message_download": "voicemail",
    "client.voicemail_box_message_forward": "voicemail",
    "client.audio_files": "audio",
    "client.audio_upload": "audio",
    "client.audio_listen": "audio",
    "client.audio_delete": "audio",
    "client.moh_class_new": "audio",
    "client.moh_class_save": "audio",
    "client.moh_class_delete": "audio",
    "client.number_announcement": "audio",
    # Scénario d'appels, historique d'appels, fax, carte réseau, présence, annuaire, historique
    "client.scenario": "scenario",
    "client.explain_json": "scenario",
    "client.calls": "calls",
    "client.calls_csv": "calls",
    "client.faxes": "faxes",
    "client.fax_resend": "faxes",
    "client.network": "network",
    "client.presence": "presence",
    "client.presence_json": "presence",
    "client.phonebook": "phonebook",
    "client.phonebook_delete": "phonebook",
    "client.history": "history",
    # API et webhooks
    "client.api_tokens_page": "api",
    "client.api_token_revoke": "api",
    "client.api_webhooks": "api",
    "client.api_webhook": "api",
    "client.api_webhook_change": "api",
    "client.api_delivery_retry": "api",
    # Autorisations: logins and custom roles
    "client.logins": FULL_ADMIN,
    "client.login_active": FULL_ADMIN,
    "client.login_password": FULL_ADMIN,
    "client.login_role": FULL_ADMIN,
    "client.roles": FULL_ADMIN,
    "client.role_new": FULL_ADMIN,
    "client.role_edit": FULL_ADMIN,
    "client.role_delete": FULL_ADMIN,
    # Autoriser les appels vers: company-wide rules and every user's call class
    "client.call_rights": "call_rights",
    # Conference rooms and who is in them now, like the calls of the moment (the API's scope too)
    "client.conferences": "calls",
    "client.conference_new": "calls",
    "client.conference_edit": "calls",
    "client.conference_member": "calls",
    "client.conference_delete": "calls",
}
assert set(CLIENT_AREAS.values()) <= {*PERMISSION_AREAS, EVERY_STAFF, FULL_ADMIN}, "unknown area"

# The area each API key scope (centrex.models.api.SCOPES, "thing:level") acts on: a delegated
# administrator allowed to create keys gives a key no more than the role itself grants.
SCOPE_AREAS: dict[str, str] = {
    "users": "users",
    "forwarding": "users",
    "numbers": "numbers",
    "devices": "devices",
    "groups": "groups",
    "cdr": "calls",
    "calls": "calls",
    "conferences": "calls",  # live control of the rooms, like the calls of the moment
    "presence": "presence",
    "webhooks": "api",
    "messages": FULL_ADMIN,  # employees' private conversations: no delegated administrator gives them
}


class NotLoggedIn(Exception):
    """No valid session: the console sends people to the login page, the API answers 401."""


@dataclass(frozen=True)
class Principal:
    account_id: int
    email: str
    role: str
    tenant_id: int | None
    user_id: int | None
    # A delegated administrator's custom role: {(area, level)}; None = the full rights of the role
    grants: frozenset[tuple[str, str]] | None = None

    @property
    def delegated(self) -> bool:
        return self.role == ADMIN and self.grants is not None

    def may(self, area: str, write: bool = False) -> bool:
        """May this principal read (or write) this area of a client's menu (its own client's, for an
        administrator: tenant_for checks which client)?"""
        if self.role == OPERATOR or (self.role == ADMIN and not self.delegated):
            return True
        if not self.delegated or area == FULL_ADMIN:
            return False
        if area == EVERY_STAFF:
            return True
        return (area, "write") in self.grants or (not write and (area, "read") in self.grants)

    def may_open(self, endpoint: str, method: str = "GET") -> bool:
        """The area check of a client-menu page (an unlisted page is closed to delegated admins)."""
        if not self.delegated or not endpoint.startswith(CLIENT_MENU + "."):
            return True
        area = CLIENT_AREAS.get(endpoint)
        return area is not None and self.may(area, write=method not in ("GET", "HEAD", "OPTIONS"))

    def may_grant_scope(self, scope: str) -> bool:
        """May this principal give an API key this scope (no more than its own rights)?"""
        if not self.delegated:
            return True
        thing, _sep, level = scope.partition(":")
        area = SCOPE_AREAS.get(thing)
        return area is not None and self.may(area, write=level != "read")

    def actor(self) -> Actor:
        """Who the audit log names for changes made in this request."""
        return Actor(self.email, request.remote_addr)


def start_session(account: Account) -> None:
    """Sign this browser in: a new server-side session, its token alone in the (signed) cookie."""
    session.clear()
    session.permanent = True
    session["sid"] = open_session(account, int(current_app.permanent_session_lifetime.total_seconds()))


def end_session() -> None:
    close_session(session.get("sid"))
    session.clear()


def load_principal() -> Principal | None:
    """The logged-in account of this request, re-read from the database each time with its session
    (logout, deactivation and password changes take effect at once)."""
    account = account_of(session.get("sid"), int(current_app.permanent_session_lifetime.total_seconds()))
    if account is None:
        flashes = session.get("_flashes")  # what the last page said survives (« déconnecté », a link sent)
        session.clear()
        if flashes:
            session["_flashes"] = flashes
        return None
    grants = None
    if account.role == ADMIN and account.role_id is not None:
        rows = db.session.execute(
            select(RolePermission.area, RolePermission.level).where(
                RolePermission.role_id == account.role_id, RolePermission.tenant_id == account.tenant_id
            )
        )
        grants = frozenset((area, level) for area, level in rows)
    return Principal(account.id, account.email, account.role, account.tenant_id, account.user_id, grants)


def current_principal() -> Principal | None:
    if "principal" not in g:
        g.principal = load_principal()
    return g.principal


def tenant_for(principal: Principal, tenant_id: int) -> Tenant:
    """The tenant a request names, if this principal may see it; NotFound otherwise (an admin of one
    client cannot even learn whether another client's id exists)."""
    if principal.role != OPERATOR and principal.tenant_id != tenant_id:
        raise NotFound(N_("No such client."))
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(N_("No such client."))
    return tenant


def allow(*roles: str):
    """Decorator for every console view: the roles that may open it. A `tenant_id` URL argument is
    replaced by g.tenant after the tenant check."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                raise NotLoggedIn()
            if principal.role not in roles:
                raise Forbidden(N_("Your role does not give access to this page."))
            if "tenant_id" in kwargs:
                g.tenant = tenant_for(principal, kwargs.pop("tenant_id"))
            elif principal.tenant_id is not None:
                g.tenant = db.session.get(Tenant, principal.tenant_id)
            check_area(principal)
            check_licence(g.get("tenant"))
            return view(*args, **kwargs)

        guarded.allowed_roles = roles
        return guarded

    return decorate


# The pages of a licensed service, by endpoint prefix (as the menu groups them): closed, with the reason,
# to everyone (operator included) while the client's licence lacks the service.
LICENSED_PAGES = {"client.queue": "queues", "client.menu": "ivr", "client.fax": "fax", "client.api": "api",
                  "client.conference": "conferences"}


def check_licence(tenant: Tenant | None) -> None:
    endpoint = request.endpoint or ""
    feature = next((f for prefix, f in LICENSED_PAGES.items() if endpoint.startswith(prefix)), None)
    if feature is not None and tenant is not None:
        licences.require(tenant, feature)


def check_area(principal: Principal) -> None:
    """A delegated administrator opens a client-menu page only if the custom role grants its area."""
    if principal.may_open(request.endpoint or "", request.method):
        return
    if principal.may_open(request.endpoint or "", "GET"):
        raise Forbidden(N_("Your role lets you see this page, not change it."))
    raise Forbidden(N_("Your role does not give access to this page."))


def public(view):
    """Marks a view open to anyone (the login page): every console view says who may open it."""
    view.allowed_roles = (ANYONE,)
    return view
