"""schedules can be closed now (« Fermé maintenant »): closed_since, closed_by

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 16:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schedule') as batch:
        batch.add_column(sa.Column('closed_since', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('closed_by', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('schedule') as batch:
        batch.drop_column('closed_by')
        batch.drop_column('closed_since')
