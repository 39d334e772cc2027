"""Messages a household sends after submitting (encrypted), the "new message" mark on an intake,
and the audit log of staff searches.

Enum columns are plain VARCHARs (values are checked in Python), as in 0001.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-29 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('household_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('body_enc', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_household_messages_intake_id_intakes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_messages'))
    )
    with op.batch_alter_table('household_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_messages_intake_id'), ['intake_id'], unique=False)

    op.create_table('intake_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=True),
    sa.Column('term_index', sa.String(length=64), nullable=True),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.Column('searched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_intake_searches_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_searches'))
    )
    with op.batch_alter_table('intake_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_searches_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_message_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_column('new_message_at')

    with op.batch_alter_table('intake_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_searches_user_id'))
    op.drop_table('intake_searches')

    with op.batch_alter_table('household_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_messages_intake_id'))
    op.drop_table('household_messages')
