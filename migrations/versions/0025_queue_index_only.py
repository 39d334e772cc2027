"""The staff queue's counts are read from their indexes alone, and the channel and language
filters have an index in the queue's order.

Every index a capped count reads now leads with what narrows it (access point, holder) and holds
each column the count's conditions name: closed_at
(always null in these partial indexes, but SQLite reads a column the query names from the table
unless the index holds it), confidential (a sealed referral is not counted) and, for the counts by
flag, the due time (overdue) and the flag itself. ix_intakes_open_channel and ix_intakes_open_language hold the open
intakes by channel (language) in the queue's order with what the page and its count filter on, so
a filtered page is one range of one index. Status comes after the columns that narrow: PostgreSQL
leaves a condition its partial index implies (status here) out of the range it reads, so a status
ahead of them made it read every access point before the ones asked for; SQLite still counts it
as one more equality term, and so prefers these to ix_intakes_queue and ix_intakes_report_timings. ix_intakes_open_no_safe_place holds the open intakes
with no safe place tonight (urgent whatever their priority), for the urgent count of the icon.
ix_intakes_open_order (the queue's order) also holds what a page filters on (access point, holder,
confidential, due time, escalation, status), so a page is read from it alone, however far it walks.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

OPEN = "status = 'submitted' AND closed_at IS NULL"
#: Each rare count: its condition, and the column it reads (held in its index).
COUNTED = {
    "confidential": "confidential = true",
    "diversion_candidate": "diversion_candidate = true",
    "out_of_area": "out_of_area = true",
    "callback_requested": "callback_requested = true",
    "needs_interpreter": "interpreter_language IS NOT NULL",
    "possible_flood": "possible_flood = true",
    "escalated": "escalation > 0",
}
NO_SAFE_PLACE = "CAST(priority_reasons AS VARCHAR) LIKE '%no_safe_place_tonight%'"
IN_ORDER = [sa.text('priority DESC'), 'submitted_at', 'id', 'routed_access_point_id', 'claimed_by_id',
            'confidential', 'due_at', 'escalation', 'closed_at']


def _count_columns(condition):
    column = condition.split()[0]
    return ['routed_access_point_id', 'status', 'confidential', 'due_at',
            *([column] if column != 'confidential' else []), 'closed_at']


def _open_index(name, columns, condition=OPEN):
    where = sa.text(condition)
    op.create_index(name, 'intakes', columns, unique=False, sqlite_where=where, postgresql_where=where)


def upgrade():
    op.drop_index('ix_intakes_open_order', table_name='intakes')
    _open_index('ix_intakes_open_order', [*IN_ORDER, 'status'])
    op.drop_index('ix_intakes_open_counts', table_name='intakes')
    _open_index('ix_intakes_open_counts', ['routed_access_point_id', 'status', 'due_at', 'claimed_by_id', 'track',
                                           'confidential', 'escalation', 'priority', 'closed_at'])
    op.drop_index('ix_intakes_open_holder', table_name='intakes')
    _open_index('ix_intakes_open_holder', ['claimed_by_id', 'routed_access_point_id', 'status', 'confidential',
                                           'closed_at'])
    for name, condition in COUNTED.items():
        op.drop_index(f'ix_intakes_count_{name}', table_name='intakes')
        _open_index(f'ix_intakes_count_{name}', _count_columns(condition), f"{OPEN} AND {condition}")
    _open_index('ix_intakes_open_channel', ['channel', 'status', *IN_ORDER])
    _open_index('ix_intakes_open_language', ['language', 'status', *IN_ORDER])
    _open_index('ix_intakes_open_no_safe_place', ['routed_access_point_id', 'claimed_by_id', 'status', 'confidential',
                                                  'priority', 'closed_at'], f"{OPEN} AND {NO_SAFE_PLACE}")


def downgrade():
    op.drop_index('ix_intakes_open_no_safe_place', table_name='intakes')
    op.drop_index('ix_intakes_open_language', table_name='intakes')
    op.drop_index('ix_intakes_open_channel', table_name='intakes')
    for name, condition in reversed(COUNTED.items()):
        op.drop_index(f'ix_intakes_count_{name}', table_name='intakes')
        _open_index(f'ix_intakes_count_{name}', ['status', 'routed_access_point_id'], f"{OPEN} AND {condition}")
    op.drop_index('ix_intakes_open_holder', table_name='intakes')
    _open_index('ix_intakes_open_holder', ['status', 'claimed_by_id', 'routed_access_point_id'])
    op.drop_index('ix_intakes_open_counts', table_name='intakes')
    _open_index('ix_intakes_open_counts', ['status', 'routed_access_point_id', 'due_at', 'claimed_by_id', 'track',
                                           'confidential', 'escalation', 'priority'])
    op.drop_index('ix_intakes_open_order', table_name='intakes')
    _open_index('ix_intakes_open_order', [sa.text('priority DESC'), 'submitted_at', 'id'])
