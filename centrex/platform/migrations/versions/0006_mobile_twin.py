"""a user's mobile twin (the mobile rings with the user's phones after its own delay), and numbers that
are the company's access number for the employees' mobiles (dest_type 'access')"""
import sqlalchemy as sa
from alembic import op

_KINDS = ("'user', 'ring_group', 'ivr', 'queue', 'voicemail', 'conference', 'fax', 'schedule', 'external', "
          "'hangup'")

revision, down_revision, branch_labels, depends_on = '0006', '0005', None, None


def upgrade():
    with op.batch_alter_table('sip_user') as batch:
        batch.add_column(sa.Column('twin_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('twin_delay', sa.Integer(), server_default='0', nullable=False))
        batch.create_check_constraint(op.f('ck_sip_user_twin_delay_range'), 'twin_delay >= 0 AND twin_delay <= 30')
    with op.batch_alter_table('did_number') as batch:
        batch.drop_constraint(op.f('ck_did_number_dest_type'), type_='check')
        batch.create_check_constraint(op.f('ck_did_number_dest_type'),
                                      f"dest_type IS NULL OR dest_type IN ({_KINDS}, 'access')")


def downgrade():
    op.execute("UPDATE did_number SET dest_type = NULL WHERE dest_type = 'access'")
    with op.batch_alter_table('did_number') as batch:
        batch.drop_constraint(op.f('ck_did_number_dest_type'), type_='check')
        batch.create_check_constraint(op.f('ck_did_number_dest_type'), f"dest_type IS NULL OR dest_type IN ({_KINDS})")
    with op.batch_alter_table('sip_user') as batch:
        batch.drop_constraint(op.f('ck_sip_user_twin_delay_range'), type_='check')
        batch.drop_column('twin_delay')
        batch.drop_column('twin_enabled')
