"""a user's mobile twin: the mobile rings with the user's phones after its own delay

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 16:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sip_user') as batch:
        batch.add_column(sa.Column('twin_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('twin_delay', sa.Integer(), server_default='0', nullable=False))
        batch.create_check_constraint(op.f('ck_sip_user_twin_delay_range'), 'twin_delay >= 0 AND twin_delay <= 30')


def downgrade():
    with op.batch_alter_table('sip_user') as batch:
        batch.drop_constraint(op.f('ck_sip_user_twin_delay_range'), type_='check')
        batch.drop_column('twin_delay')
        batch.drop_column('twin_enabled')
