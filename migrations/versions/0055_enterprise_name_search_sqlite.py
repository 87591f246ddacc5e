"""A name searched by part on SQLite (issue 28): 0052 gave PostgreSQL a trigram index for LIKE '%…%' and SQLite a plain
index, which such a search cannot use (700 ms at a million applications, every enterprise read). SQLite's equivalent is
an FTS5 table with the trigram tokenizer over the enterprises' names — external content, so it keeps only the index —
filled from the enterprises here and kept by three triggers. Nothing on PostgreSQL.

Revision ID: 0055_name_search_sqlite
Revises: 0054_enterprise_representative
Create Date: 2026-12-08 04:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0055_name_search_sqlite'
down_revision = '0054_enterprise_representative'
branch_labels = None
depends_on = None

TABLE = "enterprises_name_search"


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(name, content='enterprises', content_rowid='id', "
        "tokenize='trigram')"
    )
    op.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")  # every enterprise's name, from the table
    op.execute(
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON enterprises BEGIN "
        f"INSERT INTO {TABLE}(rowid, name) VALUES (new.id, new.name); END"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON enterprises BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, name) VALUES ('delete', old.id, old.name); END"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF name ON enterprises BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, name) VALUES ('delete', old.id, old.name); "
        f"INSERT INTO {TABLE}(rowid, name) VALUES (new.id, new.name); END"
    )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{trigger}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
