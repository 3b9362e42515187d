"""sip_credentials: a view of what a SIP registrar in front of the switches (Kamailio's auth_db) checks,
one row per enabled user of an active tenant: username, domain, ha1 (the a1-hash FreeSWITCH gets; never a
secret). A view, so it is in step with every change in the same transaction; on PostgreSQL and SQLite."""
from alembic import op

revision, down_revision, branch_labels, depends_on = '0009', '0008', None, None

VIEW = """CREATE VIEW sip_credentials AS
SELECT sip_user.extension AS username, tenant.domain AS domain, sip_user.sip_a1_hash AS ha1
FROM sip_user JOIN tenant ON tenant.id = sip_user.tenant_id
WHERE tenant.status = 'active' AND sip_user.enabled"""


def upgrade():
    op.execute(VIEW)


def downgrade():
    op.execute("DROP VIEW sip_credentials")
