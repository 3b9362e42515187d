from sqlalchemy import select

from centrex.models import AuditEntry
from centrex.platform.db import db
from console_words import walk
from webui_testing import OPERATOR, login


def test_dbg(client, dupont):
    client.set_cookie("console_lang", "fr")
    login(client, OPERATOR)
    walk(client, "/")
    rows = db.session.execute(select(AuditEntry)).scalars().all()
    seen = {}
    for r in rows:
        for k, v in (r.changes or {}).items():
            seen.setdefault((r.object_type, k), (r.action, repr(v)[:60]))
    for (t, k), (a, v) in sorted(seen.items()):
        print(t, k, a, v)
    print(sorted({(r.action, r.object_type) for r in rows}))
