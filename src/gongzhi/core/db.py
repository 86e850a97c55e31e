"""Database helpers that must behave the same on SQLite and PostgreSQL."""

import functools
from datetime import datetime

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


_SEQUENCES: dict[str, str] = {}


def _sequence(cursor, table: str) -> str:
    if table not in _SEQUENCES:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _SEQUENCES[table] = cursor.fetchone()[0]
    return _SEQUENCES[table]


def _sqlite_next(cursor, table: str) -> int:
    """The id after every one the table ever gave (AUTOINCREMENT never hands out a deleted row's id again)."""
    cursor.execute(f'SELECT MAX(COALESCE((SELECT MAX(id) FROM "{table}"), 0), '
                   f"COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))", [table])
    return cursor.fetchone()[0] + 1


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for ``count`` rows a bulk loader will insert itself (fast_insert).

    PostgreSQL hands them out from the table's sequence, so concurrent writers never collide. On SQLite the
    caller's write transaction holds the database lock (transaction_mode IMMEDIATE), so the ids after the
    current maximum stay free until it commits.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_sequence(cursor, table), count])
            return [row[0] for row in cursor.fetchall()]
        first = _sqlite_next(cursor, table)
        return list(range(first, first + count))


def next_ids(*models) -> list[int]:
    """One new primary key for each of ``models``, in one statement on PostgreSQL (a model named twice gets two).

    Rows whose ids are known before they are written can refer to each other, so insert_new writes them all
    in one round trip. Same rules as reserve_ids: on SQLite, call it inside the write transaction.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sequences = [_sequence(cursor, m._meta.db_table) for m in models]
            cursor.execute("SELECT " + ", ".join(["nextval(%s)"] * len(models)), sequences)
            return list(cursor.fetchone())
        out, taken = [], {}
        for model in models:
            table = model._meta.db_table
            taken[table] = taken[table] + 1 if table in taken else _sqlite_next(cursor, table)
            out.append(taken[table])
        return out


_INSERTS: dict[tuple, str] = {}


def insert_new(*objs) -> None:
    """Write new model instances whose primary keys are already set (next_ids), as Model.save() would:
    ``auto_now``/``auto_now_add`` filled, each field's value prepared by the field. On PostgreSQL all rows go
    in one round trip (a pipeline of prepared statements), so a caller's transaction of four rows costs three
    round trips, not nine; SQLite runs them one by one, in process.

    Columns left NULL are not named (no model here has a database default, so the row is the same): a new
    appeal has twenty of them, and a statement of under 50 parameters is one psycopg converts once, not on
    every call.

    For the few hot paths where Django's per-statement SQL compilation costs more than the database does;
    save() stays the way to write everywhere else. No signals are sent (post_save receivers are not run).
    """
    statements, params = [], []
    for obj in objs:
        model = type(obj)
        if obj.pk is None:
            raise ValueError(f"{model.__name__}: insert_new needs the primary key set (next_ids)")
        values = [(f, f.get_db_prep_save(f.pre_save(obj, True), connection=connection))
                  for f in model._meta.local_concrete_fields]
        values = [(f, v) for f, v in values if v is not None]
        key = (model, *(f.column for f, _ in values))
        if key not in _INSERTS:
            _INSERTS[key] = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
                             f"({', '.join(connection.ops.quote_name(c) for c in key[1:])}) "
                             f"VALUES ({', '.join(['%s'] * len(values))})")
        statements.append(_INSERTS[key])
        params.append([v for _, v in values])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's pipeline sends every statement before it reads any answer; an error (a retried
            # Idempotency-Key) comes out at the end of the block, as Django's IntegrityError
            with connection.wrap_database_errors, connection.connection.pipeline():
                for sql, row in zip(statements, params, strict=True):
                    cursor.execute(sql, row)
        else:
            for sql, row in zip(statements, params, strict=True):
                cursor.execute(sql, row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def fast_insert(model, rows: list[dict]) -> int:
    """Insert plain dicts (attribute names → Python values) without building model instances.

    Rows that carry ``id`` take it from reserve_ids().

    Django's bulk_create spends most of its time compiling SQL per value; a city-sized load (a million
    residents) cannot afford that. Missing fields take their model default; ``auto_now(_add)`` fields get now.
    Values go to the driver as they are (str, int, bool, date, Decimal, None), so callers pass clean data.
    PostgreSQL gets COPY, SQLite one prepared INSERT run many times.
    """
    import json

    from django.db.models import DateTimeField, JSONField
    from django.utils import timezone

    if not rows:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    fields = [f for f in model._meta.local_concrete_fields if not (f.primary_key and "id" not in rows[0])]
    getters = []
    for f in fields:
        # SQLite compares datetimes as text: each goes in as UTC, as Django writes them ("+08:00" sorts wrong)
        prep = _as_utc_text if isinstance(f, DateTimeField) and connection.vendor == "sqlite" else _same
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            getters.append(lambda row, f=f, prep=prep: prep(row[f.attname]) if f.attname in row else now)
        elif isinstance(f, JSONField):
            getters.append(lambda row, f=f: json.dumps(row.get(f.attname, f.get_default())))
        elif prep is not _same:
            default = f.get_default()
            getters.append(lambda row, f=f, default=default, prep=prep: prep(row.get(f.attname, default)))
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


def _same(value):
    return value


def _as_utc_text(value):
    """A datetime as Django's SQLite backend stores it (UTC); what is already text or None stays as it is."""
    return connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value


_LOADERS: dict[type, tuple[list[str], int, list]] = {}


@functools.cache  # built once per model and alias: the reads that use it run on every request
def select_columns(model, alias: str) -> str:
    """The columns from_row reads, for a hand-written SELECT: ``alias."col", …`` in the model's field order."""
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


def from_row(model, row, start: int = 0):
    """The instance Django would build from ``row[start:]`` (the columns of select_columns), with each field's
    database converters applied (SQLite's text dates, booleans, JSON); None when the id is NULL (an outer join
    that found nothing). With select_columns, for hot paths where compiling a query costs more than running it.
    """
    if model not in _LOADERS:
        fields = list(model._meta.concrete_fields)
        converters = []
        for f in fields:
            col = f.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            converters.append([(c, col) for c in found])
        names = [f.attname for f in fields]
        _LOADERS[model] = (names, names.index(model._meta.pk.attname), converters)
    names, pk_at, converters = _LOADERS[model]
    values = list(row[start:start + len(names)])
    if values[pk_at] is None:
        return None
    for i, found in enumerate(converters):
        for convert, col in found:
            values[i] = convert(values[i], col, connection)
    return model.from_db(connection.alias, names, values)
