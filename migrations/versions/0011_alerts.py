"""Alerts and response timers: e-mail in the outbox, on-call phones and targets per access point,
staff alert preferences, the next due time and escalation stage of an intake.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduled_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_jobs')),
    sa.UniqueConstraint('name', name=op.f('uq_scheduled_jobs_name'))
    )
    with op.batch_alter_table('scheduled_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduled_jobs_next_run_at'), ['next_run_at'], unique=False)

    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='sms', nullable=False))
        batch_op.add_column(sa.Column('subject_enc', sa.LargeBinary(), nullable=True))

    with op.batch_alter_table('access_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oncall_phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claim_target_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contact_target_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('urgent_target_minutes', sa.Integer(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_preference', sa.String(length=16), server_default='none',
                                      nullable=False))

    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_contact_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalation', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_intakes_due_at'), ['due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intakes_due_at'))
        batch_op.drop_column('escalation')
        batch_op.drop_column('first_contact_at')
        batch_op.drop_column('due_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('alert_preference')

    with op.batch_alter_table('access_points', schema=None) as batch_op:
        batch_op.drop_column('urgent_target_minutes')
        batch_op.drop_column('contact_target_minutes')
        batch_op.drop_column('claim_target_minutes')
        batch_op.drop_column('oncall_phone')

    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.drop_column('subject_enc')
        batch_op.drop_column('channel')

    with op.batch_alter_table('scheduled_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduled_jobs_next_run_at'))

    op.drop_table('scheduled_jobs')
