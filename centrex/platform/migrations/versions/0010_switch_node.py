"""switch_node: the FreeSWITCH nodes behind the SIP edge (cluster deployment), and the view
switch_dispatch with the columns of Kamailio's dispatcher (a drained node flagged disabled, 4)."""
import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = '0010', '0009', None, None

VIEW = """CREATE VIEW switch_dispatch AS
SELECT id, 1 AS setid, sip_address AS destination,
       CASE WHEN drained THEN 4 ELSE 0 END AS flags, 0 AS priority, '' AS attrs, name AS description
FROM switch_node"""


def upgrade():
    op.create_table(
        'switch_node',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('sip_address', sa.String(length=255), nullable=False),
        sa.Column('esl_address', sa.String(length=255), nullable=False),
        sa.Column('drained', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_switch_node')),
        sa.UniqueConstraint('name', name=op.f('uq_switch_node_name')),
    )
    op.execute(VIEW)


def downgrade():
    op.execute("DROP VIEW switch_dispatch")
    op.drop_table('switch_node')
