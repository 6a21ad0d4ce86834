"""users.name_key and users.in_directory: the people directory

Revision ID: 7c3e5a1d9f28
Revises: 42a9a7c666e7
Create Date: 2026-12-04 20:20:00

`name_key` is the display name folded for matching in any script (app.i18n.fold: NFKC,
case-folded, accents dropped), filled here for existing accounts; `in_directory` is the consent of
members other than ambassadors and staff (who are listed by default) to be found.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


def fold(text):
    """app.i18n.fold as it was when this revision was written (a migration never follows code)."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text or "").casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).split())


# revision identifiers, used by Alembic.
revision = '7c3e5a1d9f28'
down_revision = '42a9a7c666e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('in_directory', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index('ix_users_name_key', ['name_key'], unique=False)
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('display_name', sa.String),
                     sa.column('name_key', sa.String))
    connection = op.get_bind()
    for user_id, name in connection.execute(sa.select(users.c.id, users.c.display_name)).all():
        connection.execute(users.update().where(users.c.id == user_id).values(name_key=fold(name)[:120]))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_name_key')
        batch_op.drop_column('in_directory')
        batch_op.drop_column('name_key')
