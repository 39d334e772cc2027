"""Reports: a covering index for counting intakes submitted in a date range by every attribute the
dashboard shows, and one for each intake's first claim and first contact (services.reports).

Revision ID: 0014
Revises: 0010
Create Date: 2026-11-29 21:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.create_index('ix_intakes_report', [
            'status', 'submitted_at', 'routed_access_point_id', 'confidential', 'channel', 'track',
            'homeless_category', 'language', 'outcome', 'diversion_candidate', 'out_of_area',
            'callback_requested', 'county_fips'], unique=False)
    with op.batch_alter_table('intake_events', schema=None) as batch_op:
        batch_op.create_index('ix_intake_events_kind_created_at_intake_id', ['kind', 'created_at', 'intake_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('intake_events', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_events_kind_created_at_intake_id')
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_index('ix_intakes_report')
