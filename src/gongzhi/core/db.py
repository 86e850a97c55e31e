"""Database helpers that must behave the same on SQLite and PostgreSQL."""

from django.db import migrations


def _append_only_sql(table: str, vendor: str) -> tuple[list[str], list[str]]:
    if vendor == "postgresql":
        fn = f"{table}_append_only"
        forward = [
            f"""CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER {fn}_trg BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {fn}()",
        ]
        backward = [f"DROP TRIGGER IF EXISTS {fn}_trg ON {table}", f"DROP FUNCTION IF EXISTS {fn}()"]
    elif vendor == "sqlite":
        # Updates only: Django empties tables with DELETE on SQLite (test flushes), where PostgreSQL uses
        # TRUNCATE, which row triggers don't see. Deletes through the ORM are refused by AppendOnly.
        forward = [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
        backward = [f"DROP TRIGGER IF EXISTS {table}_no_update"]
    else:  # other backends get the model-level guard only
        forward, backward = [], []
    return forward, backward


def append_only(table: str) -> migrations.RunPython:
    """A migration operation that makes ``table`` refuse UPDATE and DELETE at the database level."""

    def forward(apps, schema_editor):
        for sql in _append_only_sql(table, schema_editor.connection.vendor)[0]:
            schema_editor.execute(sql)

    def backward(apps, schema_editor):
        for sql in _append_only_sql(table, schema_editor.connection.vendor)[1]:
            schema_editor.execute(sql)

    return migrations.RunPython(forward, backward, elidable=False)


def chunked(items, size: int = 1000):
    """Yield lists of at most ``size`` items: keeps IN (...) lists under SQLite's variable limit."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
