"""Indexes for the person picker's search (``users/views/search.py``) at national scale.

On PostgreSQL only, trigram GIN indexes on ``UPPER(...)`` of the username and the two name
columns: the picker filters with ``icontains`` on each word typed, which Django writes as
``UPPER(col::text) LIKE UPPER('%…%')`` — a prefix or a part of a name alike — and these indexes
answer it without reading the whole table. Like the audit log's (``0006``), they are not in the
model's state (SQLite has no such index); other databases skip this step. ``pg_trgm`` was
created by ``0006``.
"""

from django.db import migrations

SEARCHED = ("username", "first_name", "last_name")


def _name(column: str) -> str:
    return f"user_{column}_trgm"


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_name(column)} ON users_user "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_name(column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0006_audit_event_indexes"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
