"""The audit log of HMIS CSV exports (who, when, which range and access points, how many households).

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-29 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hmis_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('export_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('access_points', sa.JSON(), nullable=False),
    sa.Column('hashed', sa.Boolean(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hmis_exports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hmis_exports')),
    sa.UniqueConstraint('export_id', name=op.f('uq_hmis_exports_export_id'))
    )
    with op.batch_alter_table('hmis_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hmis_exports_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hmis_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hmis_exports_user_id'))

    op.drop_table('hmis_exports')
