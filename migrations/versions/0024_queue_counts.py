"""The staff queue's filter-bar counts are capped and read from partial indexes.

ix_intakes_open_counts holds the open intakes by access point and due time (overdue, due today)
with what the common counts read, so they are counted from the index alone;
ix_intakes_open_holder by who holds them (mine); one
small partial index per count that few open intakes match (a flag, an escalation), so that counting
at most 1,001 of them reads only those. Status leads each key: SQLite's planner prefers an index
with more equality terms, and would otherwise walk ix_intakes_queue or ix_intakes_report_timings.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

OPEN = "status = 'submitted' AND closed_at IS NULL"
COUNTED = {
    "confidential": "confidential = true",
    "diversion_candidate": "diversion_candidate = true",
    "out_of_area": "out_of_area = true",
    "callback_requested": "callback_requested = true",
    "needs_interpreter": "interpreter_language IS NOT NULL",
    "possible_flood": "possible_flood = true",
    "escalated": "escalation > 0",
}


def upgrade():
    where = sa.text(OPEN)
    op.create_index('ix_intakes_open_counts', 'intakes',
                    ['status', 'routed_access_point_id', 'due_at', 'claimed_by_id', 'track', 'confidential',
                     'escalation', 'priority'], unique=False, sqlite_where=where, postgresql_where=where)
    op.create_index('ix_intakes_open_holder', 'intakes', ['status', 'claimed_by_id', 'routed_access_point_id'],
                    unique=False, sqlite_where=where, postgresql_where=where)
    for name, condition in COUNTED.items():
        where = sa.text(f"{OPEN} AND {condition}")
        op.create_index(f'ix_intakes_count_{name}', 'intakes', ['status', 'routed_access_point_id'],
                        unique=False, sqlite_where=where, postgresql_where=where)


def downgrade():
    for name in reversed(COUNTED):
        op.drop_index(f'ix_intakes_count_{name}', table_name='intakes')
    op.drop_index('ix_intakes_open_holder', table_name='intakes')
    op.drop_index('ix_intakes_open_counts', table_name='intakes')
