"""Trust: key rotation sources, server-side sessions and per-address sign-in locks.

- sms_opt_outs.phone_enc, sms_conversations.phone_enc: the indexed number, encrypted, so that
  `flask pii reencrypt` can re-derive their blind indexes (rows from before stay under the key
  they were made with until the number texts again).
- users.session_generation: checked on every staff request; bumped by sign-out, deactivation and
  a password change.
- login_locks replaces users.failed_logins / users.locked_until: failures count per account and
  address.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-29 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sms_opt_outs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_enc', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('sms_conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_enc', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    op.create_table('login_locks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address_index', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_locks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_locks')),
    sa.UniqueConstraint('user_id', 'address_index', name='uq_login_locks_user_id_address_index')
    )


def downgrade():
    op.drop_table('login_locks')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('session_generation')
    with op.batch_alter_table('sms_conversations', schema=None) as batch_op:
        batch_op.drop_column('phone_enc')
    with op.batch_alter_table('sms_opt_outs', schema=None) as batch_op:
        batch_op.drop_column('phone_enc')
