"""Outbox retry back-off (next_attempt_at) and a released intake's claim clock.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_clock_from', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contact_escalation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_column('contact_escalation')
        batch_op.drop_column('claim_clock_from')
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
