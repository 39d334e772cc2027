"""Reliability: unanswered-text detection on SMS conversations; flood flags on intakes; audit chain.

The audit tables (intake_events, intake_views) get row_hash, a keyed hash chain that makes a
row changed or deleted with plain SQL visible to `flask audit verify`. On PostgreSQL, also take
the right away from the app's role (docs/staff.md, "Audit trail"):

    REVOKE UPDATE, DELETE, TRUNCATE ON intake_events, intake_views FROM frontdoor_app;

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-29 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('intake_events', 'intake_views'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('device_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('possible_flood', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_intakes_source_index'), ['source_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_intakes_device_index'), ['device_index'], unique=False)
    with op.batch_alter_table('sms_conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_body_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('last_body_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    for table in ('intake_events', 'intake_views'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('row_hash')
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intakes_device_index'))
        batch_op.drop_index(batch_op.f('ix_intakes_source_index'))
        batch_op.drop_column('possible_flood')
        batch_op.drop_column('device_index')
        batch_op.drop_column('source_index')
    with op.batch_alter_table('sms_conversations', schema=None) as batch_op:
        batch_op.drop_column('last_body_at')
        batch_op.drop_column('last_body_index')
