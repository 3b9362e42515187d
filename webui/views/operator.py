"""Operator's general menu ("menu général"): clients, their licences and white label."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from centrex.access.accounts import create_account
from centrex.models import Account, Branding, Device, Number, Tenant, User
from centrex.platform.db import db
from centrex.platform.errors import DomainError
from centrex.tenants.branding import MAX_LOGO_BYTES, branding_of, save_branding
from centrex.tenants.companies import create_tenant, set_status, update_tenant
from centrex.tenants.licences import features_of, set_features
from webui.access import OPERATOR, allow
from webui.console import console_blueprint, safe_next
from webui.forms import change, errors_of, values

bp = console_blueprint("operator", __name__, url_prefix="/operator")

TENANT_TEXT = ("name", "timezone", "language", "country", "max_calls")


def per_tenant(model) -> dict[int, int]:
    """How many rows of `model` each client has (the operator sees the whole platform)."""
    rows = db.session.execute(select(model.tenant_id, func.count(model.id)).group_by(model.tenant_id))
    return {tenant_id: count for tenant_id, count in rows if tenant_id is not None}


@bp.get("/")
@allow(OPERATOR)
def index():
    return redirect(url_for("operator.clients"))


@bp.get("/clients")
@allow(OPERATOR)
def clients():
    query = select(Tenant).order_by(Tenant.name)
    search = request.args.get("q", "").strip()
    if search:
        like = f"%{search.lower()}%"
        query = query.where(func.lower(Tenant.name).like(like) | Tenant.domain.like(like))
    status = request.args.get("status")
    if status in ("active", "suspended"):
        query = query.where(Tenant.status == status)
    return render_template(
        "console/operator/clients.html",
        clients=db.session.execute(query).scalars().all(),
        users=per_tenant(User),
        numbers=per_tenant(Number),
        devices=per_tenant(Device),
        search=search,
        status=status,
    )


@bp.route("/clients/new", methods=["GET", "POST"])
@allow(OPERATOR)
def client_new():
    form, errors, status = (
        {"language": "fr", "timezone": "Europe/Zurich", "country": "CH", "max_calls": "10"},
        {},
        200,
    )
    if request.method == "POST":
        form = request.form
        data = values(form, text=("domain",) + TENANT_TEXT, optional=("max_users",))
        try:
            with change():
                tenant = create_tenant(data)
                if form.get("admin_email") or form.get("admin_password"):
                    try:
                        create_account(
                            form.get("admin_email", ""),
                            form.get("admin_password", ""),
                            "admin",
                            tenant=tenant,
                        )
                    except DomainError as exc:
                        raise type(exc)(
                            exc.text, {f"admin_{k}": v for k, v in exc.fields.items()}
                        ) from exc
            flash(_("Client %(name)s created.", name=tenant.name))
            return redirect(url_for("operator.client_edit", tenant_id=tenant.id))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    return render_template("console/operator/client_form.html", form=form, errors=errors, new=True), status


def numbers_of_client(tenant_id: int) -> dict:
    """What the client page shows: the client's numbers (main first) and the free numbers of the pool."""
    own = db.session.execute(select(Number).where(Number.tenant_id == tenant_id)
                             .order_by(Number.is_main.desc(), Number.e164)).scalars().all()
    free = db.session.execute(select(Number).where(Number.tenant_id.is_(None))
                              .order_by(Number.e164)).scalars().all()
    return {"client_numbers": own, "free_numbers": free}


@bp.route("/clients/<int:tenant_id>", methods=["GET", "POST"])
@allow(OPERATOR)
def client_edit():
    tenant = g.tenant
    form = {k: getattr(tenant, k) for k in TENANT_TEXT + ("max_users", "domain")}
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        try:
            with change():
                update_tenant(tenant, values(form, text=TENANT_TEXT, optional=("max_users",)))
            flash(_("Changes saved."))
            return redirect(url_for("operator.client_edit", tenant_id=tenant.id))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    admins = (
        db.session.execute(
            select(Account)
            .where(Account.tenant_id == tenant.id, Account.role == "admin")
            .order_by(Account.email)
        )
        .scalars()
        .all()
    )
    return (
        render_template(
            "console/operator/client_form.html",
            form=form,
            errors=errors,
            new=False,
            client=tenant,
            admins=admins,
            **numbers_of_client(tenant.id),
        ),
        status,
    )


@bp.post("/clients/<int:tenant_id>/status")
@allow(OPERATOR)
def client_status():
    wanted = "suspended" if request.form.get("action") == "suspend" else "active"
    with change():
        set_status(g.tenant, wanted)
    flash(
        _("%(name)s is suspended: its phones can no longer register.", name=g.tenant.name)
        if wanted == "suspended"
        else _("%(name)s is active again.", name=g.tenant.name)
    )
    return redirect(safe_next(request.form.get("next")) or url_for("operator.clients"))


@bp.post("/clients/<int:tenant_id>/admins")
@allow(OPERATOR)
def client_admin_add():
    """Another administrator login for this client."""
    form = request.form
    try:
        with change():
            account = create_account(
                form.get("admin_email", ""), form.get("admin_password", ""), "admin", tenant=g.tenant
            )
        flash(_("%(email)s can now manage %(name)s.", email=account.email, name=g.tenant.name))
    except DomainError as exc:
        errors = errors_of(exc)
        detail = "; ".join(m for k, v in errors.items() if k != "_form" for m in v)
        flash(f"{errors['_form'][0]} {detail}".strip(), "error")
    return redirect(url_for("operator.client_edit", tenant_id=g.tenant.id))


def feature_labels() -> list[tuple[str, str]]:
    return [("queues", _("Queues")), ("ivr", _("Voice menus")), ("conferences", _("Conferences")),
            ("fax", _("Fax")), ("api", _("API"))]


@bp.get("/licences")
@allow(OPERATOR)
def licences():
    tenants = db.session.execute(select(Tenant).order_by(Tenant.name)).scalars().all()
    users = per_tenant(User)
    return render_template(
        "console/operator/licences.html",
        clients=tenants,
        users=users,
        features=feature_labels(),
        licensed={t.id: features_of(t.id) for t in tenants},
        total_used=sum(users.values()),
        total_seats=sum(t.max_users or 0 for t in tenants),
        unlimited=sum(1 for t in tenants if t.max_users is None),
        errors={},
    )


@bp.post("/licences/<int:tenant_id>")
@allow(OPERATOR)
def licence_save():
    try:
        with change():
            update_tenant(g.tenant, values(request.form, text=("max_calls",), optional=("max_users",)))
            if "features_shown" in request.form:  # the checkboxes were on the form: unticked = not sold
                set_features(g.tenant, request.form.getlist("features"))
        flash(_("Licence of %(name)s saved.", name=g.tenant.name))
    except DomainError as exc:
        errors = errors_of(exc)
        detail = "; ".join(m for k, v in errors.items() if k != "_form" for m in v)
        flash(_("Licence of %(name)s not saved: %(reason)s", name=g.tenant.name, reason=detail), "error")
    return redirect(url_for("operator.licences"))


@bp.route("/clients/<int:tenant_id>/branding", methods=["GET", "POST"])
@allow(OPERATOR)
def branding():
    tenant = g.tenant
    current = branding_of(tenant.id)
    fields = ("display_name", "primary_colour", "accent_colour", "email_sender_name", "delivery_address")
    form = (
        {k: getattr(current, k) for k in fields}
        if current
        else {"primary_colour": "#123a6b", "accent_colour": "#3d8fd6"}
    )
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        upload = request.files.get("logo")
        logo = upload.stream.read(MAX_LOGO_BYTES + 1) if upload and upload.filename else None
        try:
            with change():
                save_branding(
                    tenant,
                    values(
                        form,
                        text=("primary_colour", "accent_colour"),
                        optional=("display_name", "email_sender_name", "delivery_address"),
                    ),
                    logo=logo,
                    remove_logo="remove_logo" in form,
                )
            flash(_("White label of %(name)s saved.", name=tenant.name))
            return redirect(url_for("operator.branding", tenant_id=tenant.id))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    return (
        render_template(
            "console/operator/branding.html",
            form=form,
            errors=errors,
            client=tenant,
            has_logo=bool(current and current.logo),
        ),
        status,
    )


@bp.get("/branding")
@allow(OPERATOR)
def branding_index():
    tenants = db.session.execute(select(Tenant).order_by(Tenant.name)).scalars().all()
    brandings = {b.tenant_id: b for b in db.session.execute(select(Branding)).scalars()}
    return render_template("console/operator/branding_index.html", clients=tenants, brandings=brandings)
