"""The FreeSWITCH nodes behind the SIP edge (issue 16, "cluster" deployment): the product owns the list,
Kamailio's dispatcher reads it through the view `switch_dispatch` (its own columns: setid, destination,
flags, priority, attrs, description). A drained node stays in the view, flagged disabled (4): the edge
sends it no new call but still knows it (calls it sends to users, in-dialog requests). After a change:
every edge reloads its dispatcher by itself (kamailio.cfg, POOL_WATCH)."""
from sqlalchemy import DDL, Boolean, String, event, false
from sqlalchemy.orm import Mapped, mapped_column

from centrex.platform.db import Base

DISPATCH_SET = 1  # the dispatcher's set of FreeSWITCH nodes taking calls from phones

SWITCH_DISPATCH_VIEW = f"""CREATE VIEW switch_dispatch AS
SELECT id, {DISPATCH_SET} AS setid, sip_address AS destination,
       CASE WHEN drained THEN 4 ELSE 0 END AS flags, 0 AS priority, '' AS attrs, name AS description
FROM switch_node"""


class SwitchNode(Base):
    """One FreeSWITCH node: where the edge sends calls (its `edge` SIP profile), its event socket."""
    __tablename__ = "switch_node"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    sip_address: Mapped[str] = mapped_column(String(255))  # sip:10.0.0.21:5070
    esl_address: Mapped[str] = mapped_column(String(255))  # 10.0.0.21:8021
    drained: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


event.listen(SwitchNode.__table__, "after_create", DDL(SWITCH_DISPATCH_VIEW))
event.listen(SwitchNode.__table__, "before_drop", DDL("DROP VIEW IF EXISTS switch_dispatch"))
