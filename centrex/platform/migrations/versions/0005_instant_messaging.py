"""instant messaging: conversations, their members (how far each has read) and messages"""
import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = '0005', '0004', None, None


def upgrade():
    op.create_table('conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=True),
    sa.Column('pair_key', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(kind = 'private') = (pair_key IS NOT NULL)", name=op.f('ck_conversation_pair_key_for_private')),
    sa.CheckConstraint("kind IN ('private', 'group')", name=op.f('ck_conversation_kind')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_conversation_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation')),
    sa.UniqueConstraint('tenant_id', 'pair_key', name='uq_conversation_pair')
    )
    op.create_index(op.f('ix_conversation_tenant_id'), 'conversation', ['tenant_id'], unique=False)
    op.create_table('chat_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('sender_user_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('console', 'sip')", name=op.f('ck_chat_message_channel')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_chat_message_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_user_id'], ['sip_user.id'], name=op.f('fk_chat_message_sender_user_id_sip_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_chat_message_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_message'))
    )
    op.create_index('ix_chat_message_conversation_id_id', 'chat_message', ['conversation_id', 'id'], unique=False)
    op.create_index(op.f('ix_chat_message_tenant_id'), 'chat_message', ['tenant_id'], unique=False)
    op.create_table('conversation_member',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('last_read_id', sa.Integer(), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_conversation_member_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_conversation_member_tenant_id_tenant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['sip_user.id'], name=op.f('fk_conversation_member_user_id_sip_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', 'user_id', name=op.f('pk_conversation_member'))
    )
    op.create_index(op.f('ix_conversation_member_tenant_id'), 'conversation_member', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_conversation_member_user_id'), 'conversation_member', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_conversation_member_user_id'), table_name='conversation_member')
    op.drop_index(op.f('ix_conversation_member_tenant_id'), table_name='conversation_member')
    op.drop_table('conversation_member')
    op.drop_index(op.f('ix_chat_message_tenant_id'), table_name='chat_message')
    op.drop_index('ix_chat_message_conversation_id_id', table_name='chat_message')
    op.drop_table('chat_message')
    op.drop_index(op.f('ix_conversation_tenant_id'), table_name='conversation')
    op.drop_table('conversation')
