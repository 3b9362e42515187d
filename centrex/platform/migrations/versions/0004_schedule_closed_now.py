"""schedules can be closed now (« Fermé maintenant »): closed_since, closed_by"""
import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = '0004', '0003', None, None


def upgrade():
    with op.batch_alter_table('schedule') as batch:
        batch.add_column(sa.Column('closed_since', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('closed_by', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('schedule') as batch:
        batch.drop_column('closed_by')
        batch.drop_column('closed_since')
