"""The staff queue reads one page: partial indexes over the open intakes in the queue's order.

ix_intakes_open_order walks the open intakes most urgent first, then oldest, so a page of the
queue reads that page (plus the pages before it) from the index instead of sorting the scope;
ix_intakes_open_confidential does the same for the confidential referrals, which a person outside
their victim service provider sees in submission order only.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

OPEN = "status = 'submitted' AND closed_at IS NULL"
OPEN_CONFIDENTIAL = OPEN + " AND confidential = true"


def upgrade():
    where = sa.text(OPEN)
    op.create_index('ix_intakes_open_order', 'intakes', [sa.text('priority DESC'), 'submitted_at', 'id'],
                    unique=False, sqlite_where=where, postgresql_where=where)
    where = sa.text(OPEN_CONFIDENTIAL)
    op.create_index('ix_intakes_open_confidential', 'intakes', ['submitted_at', 'id'],
                    unique=False, sqlite_where=where, postgresql_where=where)


def downgrade():
    op.drop_index('ix_intakes_open_confidential', table_name='intakes')
    op.drop_index('ix_intakes_open_order', table_name='intakes')
