"""a company's default key layout (default_key) and the operator's phone settings per company
(phone_settings: registration expiry, DTMF, codecs, SRTP overriding the CENTREX_PROV_* defaults)"""
import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = '0008', '0007', None, None


def upgrade():
    op.create_table('default_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_user_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=32), nullable=True),
    sa.Column('label', sa.String(length=64), nullable=True),
    sa.CheckConstraint("kind IN ('line', 'blf', 'speed_dial', 'dnd', 'forward', 'voicemail', 'park', 'transfer')",
                       name=op.f('ck_default_key_kind')),
    sa.CheckConstraint('position > 0', name=op.f('ck_default_key_position_positive')),
    sa.CheckConstraint("kind != 'blf' OR target_user_id IS NOT NULL", name=op.f('ck_default_key_blf_needs_target')),
    sa.CheckConstraint("kind != 'speed_dial' OR number IS NOT NULL",
                       name=op.f('ck_default_key_speed_dial_needs_number')),
    sa.CheckConstraint("kind NOT IN ('park', 'transfer') OR number IS NOT NULL",
                       name=op.f('ck_default_key_park_transfer_need_number')),
    sa.ForeignKeyConstraint(['target_user_id'], ['sip_user.id'], name=op.f('fk_default_key_target_user_id_sip_user'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_default_key_tenant_id_tenant'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_default_key')),
    sa.UniqueConstraint('tenant_id', 'position', name=op.f('uq_default_key_tenant_id_position'))
    )
    op.create_index(op.f('ix_default_key_target_user_id'), 'default_key', ['target_user_id'], unique=False)
    op.create_index(op.f('ix_default_key_tenant_id'), 'default_key', ['tenant_id'], unique=False)
    op.create_table('phone_settings',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('register_expiry', sa.Integer(), nullable=True),
    sa.Column('dtmf', sa.String(length=16), nullable=True),
    sa.Column('codecs', sa.String(length=64), nullable=True),
    sa.Column('srtp', sa.String(length=16), nullable=True),
    sa.CheckConstraint('register_expiry BETWEEN 60 AND 86400', name=op.f('ck_phone_settings_register_expiry_range')),
    sa.CheckConstraint("dtmf IN ('rfc2833', 'sip_info', 'inband')", name=op.f('ck_phone_settings_dtmf')),
    sa.CheckConstraint("srtp IN ('off', 'optional', 'mandatory')", name=op.f('ck_phone_settings_srtp')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_phone_settings_tenant_id_tenant'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_phone_settings'))
    )


def downgrade():
    op.drop_table('phone_settings')
    op.drop_index(op.f('ix_default_key_tenant_id'), table_name='default_key')
    op.drop_index(op.f('ix_default_key_target_user_id'), table_name='default_key')
    op.drop_table('default_key')
