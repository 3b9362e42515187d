"""voicemail messages remember whether they were listened to (read_at)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 14:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('voicemail_message') as batch:
        batch.add_column(sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('voicemail_message') as batch:
        batch.drop_column('read_at')
