"""A name searched by part (issue 28): the lists' 搜索 looks for part of an enterprise's name (LIKE '%…%'), which read
all the enterprises — 250,000 at a million applications. On PostgreSQL a trigram index (the pg_trgm extension, which
a database's owner may create: it is trusted) serves such a search; on SQLite the index is a plain one, as the model
declares it there.

Revision ID: 0052_enterprise_name_search
Revises: 0051_reserved_days
Create Date: 2026-12-07 18:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0052_enterprise_name_search'
down_revision = '0051_reserved_days'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_enterprises_name_trgm",
            "enterprises",
            ["name"],
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        )
    else:
        op.create_index("ix_enterprises_name_trgm", "enterprises", ["name"])


def downgrade():
    op.drop_index("ix_enterprises_name_trgm", table_name="enterprises")
