"""Following the password links the console e-mails (invitations, resets), as the person would."""
from __future__ import annotations

import re

from sqlalchemy import select

from centrex.models import OutboxMessage
from centrex.platform.db import db
from webui_testing import csrf_of

LINK_RE = re.compile(r"https?://[^/\s]+(/password/[A-Za-z0-9_.\-]+)")


def last_link(email: str) -> str:
    """The path of the newest password link e-mailed to this address."""
    mails = db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "password_link")
                               .order_by(OutboxMessage.id.desc())).scalars()
    mail = next(m for m in mails if email in m.recipients)
    return LINK_RE.search(mail.body).group(1)


def choose_password(client, path: str, password: str, confirm: str | None = None):
    page = client.get(path)
    return client.post(path, data={"new_password": password, "confirm_password": confirm or password,
                                   "csrf_token": csrf_of(page.data)})
