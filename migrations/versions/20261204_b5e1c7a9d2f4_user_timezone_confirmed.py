"""users.timezone_confirmed: a member's zone is known only once they confirmed it

Revision ID: b5e1c7a9d2f4
Revises: 9d6f2b8c4e04
Create Date: 2026-12-04 16:00:00

Every existing account starts unconfirmed: most kept the preselected UTC without choosing it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e1c7a9d2f4'
down_revision = '9d6f2b8c4e04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone_confirmed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('timezone_confirmed')
