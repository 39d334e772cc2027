"""Voice calls: one session per Twilio CallSid and the steps each call has processed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

The caller's number is stored encrypted with a blind index, like intakes.contact_phone_index.
(call_sid, step) is unique so that Twilio sending a request again never records an answer twice.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('voice_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=False),
    sa.Column('caller_enc', sa.LargeBinary(), nullable=True),
    sa.Column('caller_index', sa.String(length=64), nullable=True),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('phase', sa.String(length=20), nullable=False),
    sa.Column('question_key', sa.String(length=64), nullable=True),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('retries', sa.Integer(), nullable=False),
    sa.Column('callback', sa.Boolean(), nullable=False),
    sa.Column('consent_method', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_voice_calls_intake_id_intakes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_calls')),
    sa.UniqueConstraint('call_sid', name=op.f('uq_voice_calls_call_sid'))
    )
    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_calls_caller_index'), ['caller_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_voice_calls_intake_id'), ['intake_id'], unique=False)

    op.create_table('voice_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_steps')),
    sa.UniqueConstraint('call_sid', 'step', name='uq_voice_steps_call_sid_step')
    )


def downgrade():
    op.drop_table('voice_steps')
    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_calls_intake_id'))
        batch_op.drop_index(batch_op.f('ix_voice_calls_caller_index'))

    op.drop_table('voice_calls')
