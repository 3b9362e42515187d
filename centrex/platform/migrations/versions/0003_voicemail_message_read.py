"""voicemail messages remember whether they were listened to (read_at)"""
import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = '0003', '0002', None, None


def upgrade():
    with op.batch_alter_table('voicemail_message') as batch:
        batch.add_column(sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('voicemail_message') as batch:
        batch.drop_column('read_at')
