"""Database helpers that must behave the same on SQLite and PostgreSQL."""

from django.db import connection, migrations


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


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for ``count`` rows a bulk loader will insert itself (fast_insert).

    PostgreSQL hands them out from the table's sequence, so concurrent writers never collide. On SQLite the
    caller's write transaction holds the database lock (transaction_mode IMMEDIATE), so the ids after the
    current maximum stay free until it commits.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))


def fast_insert(model, rows: list[dict]) -> int:
    """Insert plain dicts (attribute names → Python values) without building model instances.

    Rows that carry ``id`` take it from reserve_ids().

    Django's bulk_create spends most of its time compiling SQL per value; a city-sized load (a million
    residents) cannot afford that. Missing fields take their model default; ``auto_now(_add)`` fields get now.
    Values go to the driver as they are (str, int, bool, date, Decimal, None), so callers pass clean data.
    PostgreSQL gets COPY, SQLite one prepared INSERT run many times.
    """
    import json

    from django.db.models import JSONField
    from django.utils import timezone

    if not rows:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    fields = [f for f in model._meta.local_concrete_fields if not (f.primary_key and "id" not in rows[0])]
    getters = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            getters.append(lambda row, f=f: row.get(f.attname, now))
        elif isinstance(f, JSONField):
            getters.append(lambda row, f=f: json.dumps(row.get(f.attname, f.get_default())))
        else:
            default = f.get_default()
            getters.append(lambda row, f=f, default=default: row.get(f.attname, default))
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([get(row) for get in getters])
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',
                               [[get(row) for get in getters] for row in rows])
    return len(rows)
