"""device keys may be call park (on a slot) and transfer (to a number): the kind CHECK widened and a
number required for both (CHECK constraints written by hand: autogenerate does not see them)"""
from alembic import op

revision, down_revision, branch_labels, depends_on = '0007', '0006', None, None

OLD_KINDS = "kind IN ('line', 'blf', 'speed_dial', 'dnd', 'forward', 'voicemail')"
NEW_KINDS = "kind IN ('line', 'blf', 'speed_dial', 'dnd', 'forward', 'voicemail', 'park', 'transfer')"


def upgrade():
    with op.batch_alter_table('device_key') as batch:
        batch.drop_constraint(op.f('ck_device_key_kind'), type_='check')
        batch.create_check_constraint(op.f('ck_device_key_kind'), NEW_KINDS)
        batch.create_check_constraint(op.f('ck_device_key_park_transfer_need_number'),
                                      "kind NOT IN ('park', 'transfer') OR number IS NOT NULL")


def downgrade():
    op.execute("DELETE FROM device_key WHERE kind IN ('park', 'transfer')")
    with op.batch_alter_table('device_key') as batch:
        batch.drop_constraint(op.f('ck_device_key_park_transfer_need_number'), type_='check')
        batch.drop_constraint(op.f('ck_device_key_kind'), type_='check')
        batch.create_check_constraint(op.f('ck_device_key_kind'), OLD_KINDS)
