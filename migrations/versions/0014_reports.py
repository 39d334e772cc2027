"""Reports: indexes for counting intakes by submission time and finding each intake's first claim
and first contact (services.reports).

Revision ID: 0014
Revises: 0010
Create Date: 2026-11-29 21:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.create_index('ix_intakes_status_submitted_at', ['status', 'submitted_at'], unique=False)
        batch_op.create_index('ix_intakes_routed_access_point_id_submitted_at',
                              ['routed_access_point_id', 'submitted_at'], unique=False)
    with op.batch_alter_table('intake_events', schema=None) as batch_op:
        batch_op.create_index('ix_intake_events_kind_intake_id_created_at', ['kind', 'intake_id', 'created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('intake_events', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_events_kind_intake_id_created_at')
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_index('ix_intakes_routed_access_point_id_submitted_at')
        batch_op.drop_index('ix_intakes_status_submitted_at')
