"""Assisted and street-outreach intake: who assisted, where the household was met, contact log.

Revision ID: 0016
Revises: 0010
Create Date: 2026-11-29 21:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('met_where_enc', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('met_county_fips', sa.String(length=5), nullable=True))
        batch_op.create_index(batch_op.f('ix_intakes_assisted_by_id'), ['assisted_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_intakes_assisted_by_id_users'), 'users',
                                    ['assisted_by_id'], ['id'])
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_consent_records_recorded_by_id_users'), 'users',
                                    ['recorded_by_id'], ['id'])
    op.create_table('outreach_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('met_on', sa.Date(), nullable=False),
    sa.Column('county_fips', sa.String(length=5), nullable=True),
    sa.Column('place_enc', sa.LargeBinary(), nullable=True),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('result', sa.Enum('engaged', 'declined', 'referred_shelter', name='contactresult',
                                native_enum=False, create_constraint=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_outreach_contacts_region_id_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outreach_contacts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_contacts'))
    )
    with op.batch_alter_table('outreach_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_contacts_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_outreach_contacts_region_id_met_on', ['region_id', 'met_on'], unique=False)


def downgrade():
    with op.batch_alter_table('outreach_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_contacts_region_id_met_on')
        batch_op.drop_index(batch_op.f('ix_outreach_contacts_user_id'))
    op.drop_table('outreach_contacts')
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_consent_records_recorded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('recorded_by_id')
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_intakes_assisted_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_intakes_assisted_by_id'))
        batch_op.drop_column('met_county_fips')
        batch_op.drop_column('met_where_enc')
        batch_op.drop_column('assisted_by_id')
