"""Check-ins: one text per period to an intake still open after CHECKIN_AFTER_DAYS, and its answer.

Reminders need no table of their own: each is a row of scheduled_jobs ("reminder:<event id>").

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 00:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('phone_index', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=True),
    sa.Column('answer', sa.String(length=16), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_check_ins_intake_id_intakes'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('intake_id', 'period', name='uq_check_ins_intake_id_period')
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index('ix_check_ins_phone_index_state', ['phone_index', 'state'], unique=False)


def downgrade():
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_check_ins_phone_index_state')
        batch_op.drop_index(batch_op.f('ix_check_ins_intake_id'))
    op.drop_table('check_ins')
