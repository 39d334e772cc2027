"""SMS: outbox, opt-outs, conversations and inbound message ids.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-20

Written to match ``models/sms.py``: batch mode for SQLite, constraint names from the naming
convention, enum columns as plain VARCHARs, timestamps as ``DateTime(timezone=True)``.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sms_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_opt_outs')),
    sa.UniqueConstraint('phone_index', name=op.f('uq_sms_opt_outs_phone_index'))
    )
    op.create_table('sms_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_enc', sa.LargeBinary(), nullable=False),
    sa.Column('to_index', sa.String(length=64), nullable=False),
    sa.Column('body_enc', sa.LargeBinary(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('twilio_sid', sa.String(length=64), nullable=True),
    sa.Column('error_code', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_sms_outbox_intake_id_intakes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_outbox')),
    sa.UniqueConstraint('twilio_sid', name=op.f('uq_sms_outbox_twilio_sid'))
    )
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_sms_outbox_status_id', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_outbox_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_outbox_to_index'), ['to_index'], unique=False)

    op.create_table('sms_conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_inbound_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_sms_conversations_intake_id_intakes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_conversations')),
    sa.UniqueConstraint('phone_index', name=op.f('uq_sms_conversations_phone_index'))
    )
    with op.batch_alter_table('sms_conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_conversations_intake_id'), ['intake_id'], unique=False)

    op.create_table('sms_inbound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_sid', sa.String(length=64), nullable=False),
    sa.Column('phone_index', sa.String(length=64), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['sms_conversations.id'], name=op.f('fk_sms_inbound_conversation_id_sms_conversations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_inbound')),
    sa.UniqueConstraint('message_sid', name=op.f('uq_sms_inbound_message_sid'))
    )
    with op.batch_alter_table('sms_inbound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_inbound_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_inbound_phone_index'), ['phone_index'], unique=False)


def downgrade():
    with op.batch_alter_table('sms_inbound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_inbound_phone_index'))
        batch_op.drop_index(batch_op.f('ix_sms_inbound_conversation_id'))
    op.drop_table('sms_inbound')
    with op.batch_alter_table('sms_conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_conversations_intake_id'))
    op.drop_table('sms_conversations')
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_outbox_to_index'))
        batch_op.drop_index(batch_op.f('ix_sms_outbox_intake_id'))
        batch_op.drop_index('ix_sms_outbox_status_id')
    op.drop_table('sms_outbox')
    op.drop_table('sms_opt_outs')
