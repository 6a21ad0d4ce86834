"""convening_registrations: one index in the organisers' list order

Revision ID: 3f7a1c9e5b20
Revises: 4e1a7c9b2d05
Create Date: 2026-12-04 17:00:00

The manage page lists a convening's registrations by status, then queue order; at 20,000
registrations this index lets the database read the first page in order instead of sorting all.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f7a1c9e5b20'
down_revision = '4e1a7c9b2d05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_convening_registrations_list', 'convening_registrations',
                    ['convening_id', 'status', 'queued_at', 'id'])


def downgrade():
    op.drop_index('ix_convening_registrations_list', table_name='convening_registrations')
