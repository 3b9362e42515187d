"""sip_credentials: a view, not a table - what a SIP registrar in front of the switches (Kamailio's
auth_db, kamailio/) may read: per enabled user of an active tenant, username, domain and ha1 (the a1-hash
FreeSWITCH gets; never the secret). Being a view, it is in step with every change in that change's own
transaction. Created by migration 0009, and by create_all through the DDL events below."""
from sqlalchemy import DDL, event

from centrex.platform.db import Base

SIP_CREDENTIALS_VIEW = """CREATE VIEW sip_credentials AS
SELECT sip_user.extension AS username, tenant.domain AS domain, sip_user.sip_a1_hash AS ha1
FROM sip_user JOIN tenant ON tenant.id = sip_user.tenant_id
WHERE tenant.status = 'active' AND sip_user.enabled"""

event.listen(Base.metadata, "after_create", DDL(SIP_CREDENTIALS_VIEW))
event.listen(Base.metadata, "before_drop", DDL("DROP VIEW IF EXISTS sip_credentials"))
