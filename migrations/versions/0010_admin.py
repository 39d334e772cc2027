"""Admin area: holidays and alert e-mails of access points, kiosk last seen, the admin change log.

Existing weekly hours are rewritten in the one shape services.hours reads: every day's
intervals as sorted ["HH:MM", "HH:MM"] pairs, unreadable or empty rows dropped.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 21:05:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(text):
    hours, _, minutes = str(text).strip().partition(":")
    hours, minutes = int(hours), int(minutes[:2] or 0)
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise ValueError(text)
    return f"{hours:02d}:{minutes:02d}"


def normalize_hours(raw):
    """Return weekly hours as {day: [[start, end], ...]} with valid, sorted intervals."""
    if isinstance(raw, str):
        raw = json.loads(raw or "{}")
    result = {}
    for day in DAYS:
        spans = []
        for row in (raw or {}).get(day) or []:
            try:
                start, end = _clock(row[0]), _clock(row[1])
            except (ValueError, IndexError, TypeError):
                continue
            if start < end:
                spans.append([start, end])
        if spans:
            result[day] = sorted(spans)
    return result


def upgrade():
    op.create_table('admin_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_admin_changes_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_changes'))
    )
    with op.batch_alter_table('admin_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_changes_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_changes_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_admin_changes_entity_entity_id', ['entity', 'entity_id'], unique=False)

    with op.batch_alter_table('access_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_dates', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('alert_emails', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('access_points', schema=None) as batch_op:
        batch_op.alter_column('closed_dates', server_default=None)
        batch_op.alter_column('alert_emails', server_default=None)

    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))

    access_points = sa.table('access_points', sa.column('id', sa.Integer), sa.column('hours', sa.JSON))
    conn = op.get_bind()
    for row in conn.execute(sa.select(access_points.c.id, access_points.c.hours)).all():
        conn.execute(access_points.update().where(access_points.c.id == row.id)
                     .values(hours=normalize_hours(row.hours)))


def downgrade():
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
    with op.batch_alter_table('access_points', schema=None) as batch_op:
        batch_op.drop_column('alert_emails')
        batch_op.drop_column('closed_dates')
    with op.batch_alter_table('admin_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_changes_entity_entity_id')
        batch_op.drop_index(batch_op.f('ix_admin_changes_created_at'))
        batch_op.drop_index(batch_op.f('ix_admin_changes_actor_id'))
    op.drop_table('admin_changes')
