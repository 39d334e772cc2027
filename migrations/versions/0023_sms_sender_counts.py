"""The per-number text limit, counted in the database in the transaction that answers the text.

``sms_sender_counts`` holds one row per number (its blind index) and limit of ``SMS_RATE_LIMIT``:
the current window's start and how many texts it holds. Counting there instead of in the
Flask-Limiter storage makes the limit exact across workers and hosts with no Redis round trip.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sms_sender_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sender_key', sa.String(length=64), nullable=False),
        sa.Column('window', sa.String(length=32), nullable=False),
        sa.Column('window_start', sa.BigInteger(), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_sender_counts')),
        sa.UniqueConstraint('sender_key', 'window', name=op.f('uq_sms_sender_counts_sender_key')),
    )


def downgrade():
    op.drop_table('sms_sender_counts')
