"""Report figures kept on write: on the intake, the first claim, business minutes to the first
claim and to the first contact attempt, and when each was due (services.timers); and the daily
report summary, intakes counted per local day and access point (services.report_days).

Existing intakes are backfilled from their events, in their access point's opening hours, and
the summary is counted from them.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 00:00:00.000000

"""
from datetime import UTC

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

BATCH = 2000
COUNT_COLUMNS = [
    'n', 'channel_kiosk', 'channel_web', 'channel_sms', 'channel_voice', 'channel_assisted', 'track_homeless',
    'track_prevention', 'track_unknown', 'category_1', 'category_2', 'category_3', 'category_4', 'category_unknown',
    'outcome_open', 'outcome_assessed_in_hmis', 'outcome_diverted', 'outcome_referred_elsewhere',
    'outcome_unable_to_contact', 'outcome_declined', 'outcome_duplicate', 'candidate_open',
    'candidate_assessed_in_hmis', 'candidate_diverted', 'candidate_referred_elsewhere',
    'candidate_unable_to_contact', 'candidate_declined', 'candidate_duplicate', 'flag_out_of_area',
    'flag_callback_requested', 'diversion_result_1', 'diversion_result_0', 'diversion_result_99',
    'settled_missed_claim', 'settled_missed_contact', 'settled_missed_any']
WAITING = "closed_at IS NULL AND (first_claimed_at IS NULL OR first_contact_at IS NULL)"
TIMING_INDEX = [
    'status', 'submitted_at', 'routed_access_point_id', 'confidential', 'claim_minutes', 'contact_minutes',
    'first_claimed_at', 'first_contact_at', 'closed_at', 'claim_due_at', 'contact_due_at']


def upgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claim_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contact_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claim_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contact_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_intakes_report_timings', TIMING_INDEX, unique=False)
        batch_op.create_index('ix_intakes_report_waiting', [
            'status', 'submitted_at', 'routed_access_point_id', 'confidential', 'first_claimed_at',
            'first_contact_at', 'claim_due_at', 'contact_due_at'], unique=False,
            sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.create_table(
        'report_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('access_point_id', sa.Integer(), nullable=True),
        sa.Column('confidential', sa.Boolean(), nullable=False),
        *[sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in COUNT_COLUMNS],
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_days')),
    )
    op.create_index('ix_report_days_day', 'report_days', ['day', 'access_point_id', 'confidential'], unique=False)
    op.create_table(
        'report_day_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('access_point_id', sa.Integer(), nullable=True),
        sa.Column('confidential', sa.Boolean(), nullable=False),
        sa.Column('dimension', sa.String(length=16), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_day_codes')),
    )
    op.create_index('ix_report_day_codes_day', 'report_day_codes',
                    ['dimension', 'day', 'access_point_id', 'confidential', 'code', 'n'], unique=False)
    _backfill()
    _count_summary()


def _count_summary():
    from sqlalchemy.orm import Session

    from services.report_days import refresh_all

    session = Session(bind=op.get_bind())
    refresh_all(session)
    session.flush()


def _backfill():
    """First claim and first contact from the events, then minutes and due times in business hours."""
    from flask import current_app, has_app_context

    from services import timers

    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    op.execute(
        "UPDATE intakes SET first_claimed_at = (SELECT min(e.created_at) FROM intake_events e "
        "WHERE e.intake_id = intakes.id AND e.kind = 'claimed') WHERE first_claimed_at IS NULL")
    op.execute(
        "UPDATE intakes SET first_contact_at = (SELECT min(e.created_at) FROM intake_events e "
        "WHERE e.intake_id = intakes.id AND e.kind IN ('contact_attempt', 'sms_sent')) "
        "WHERE first_contact_at IS NULL")
    meta = sa.MetaData()
    aps = sa.Table('access_points', meta, sa.Column('id', sa.Integer), sa.Column('hours', sa.JSON),
                   sa.Column('closed_dates', sa.JSON), sa.Column('timezone', sa.String),
                   sa.Column('claim_target_minutes', sa.Integer), sa.Column('contact_target_minutes', sa.Integer),
                   sa.Column('urgent_target_minutes', sa.Integer))
    intakes = sa.Table('intakes', meta, sa.Column('id', sa.Integer), sa.Column('status', sa.String),
                       sa.Column('routed_access_point_id', sa.Integer), sa.Column('priority', sa.Integer),
                       sa.Column('priority_reasons', sa.JSON),
                       *[sa.Column(name, sa.DateTime(timezone=True)) for name in (
                           'submitted_at', 'first_claimed_at', 'first_contact_at', 'claim_due_at',
                           'contact_due_at')],
                       sa.Column('claim_minutes', sa.Integer), sa.Column('contact_minutes', sa.Integer))
    config = current_app.config if has_app_context() else {}
    places = {row.id: (timers.schedule_for(row), timers.targets_for(row, config))
              for row in bind.execute(sa.select(aps)).all()}
    wall = (None, timers.targets_for(None, config))

    def aware(moment):
        return None if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=UTC))

    def stored(moment):
        return None if moment is None else (moment.astimezone(UTC).replace(tzinfo=None) if sqlite else moment)

    last = 0
    while True:
        rows = bind.execute(sa.select(intakes).where(intakes.c.id > last, intakes.c.submitted_at.is_not(None))
                            .order_by(intakes.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            schedule, targets = places.get(row.routed_access_point_id, wall)
            start = aware(row.submitted_at)
            claim = targets.urgent_claim if timers.is_urgent(row, config) else targets.claim
            values = {
                'claim_due_at': stored(timers.add_minutes(schedule, start, claim)),
                'contact_due_at': stored(timers.add_minutes(schedule, start, targets.contact)),
            }
            if row.first_claimed_at is not None:
                values['claim_minutes'] = timers.minutes_between(schedule, start, aware(row.first_claimed_at))
            if row.first_contact_at is not None:
                values['contact_minutes'] = timers.minutes_between(schedule, start, aware(row.first_contact_at))
            bind.execute(intakes.update().where(intakes.c.id == row.id).values(**values))
        last = rows[-1].id


def downgrade():
    op.drop_index('ix_report_day_codes_day', table_name='report_day_codes')
    op.drop_table('report_day_codes')
    op.drop_index('ix_report_days_day', table_name='report_days')
    op.drop_table('report_days')
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_index('ix_intakes_report_waiting')
        batch_op.drop_index('ix_intakes_report_timings')
        batch_op.drop_column('contact_due_at')
        batch_op.drop_column('claim_due_at')
        batch_op.drop_column('contact_minutes')
        batch_op.drop_column('claim_minutes')
        batch_op.drop_column('first_claimed_at')
