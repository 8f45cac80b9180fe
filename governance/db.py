"""Database helpers that know no domain app: set-based writes used by computations.

Nothing here imports a domain app (governance sits below them)."""

import datetime
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import JSONField


def _element(value) -> str:
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    text = value.isoformat() if isinstance(value, datetime.date | datetime.time) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array_literal(values: list):
    """One column's values as PostgreSQL's array text ('{1,NULL,"a b"}'): a single constant the
    server reads with array_in. A Python list would reach it as ARRAY[v1, v2, ...], one
    expression per value for the parser and planner, several times slower at 10,000 rows.
    Values of other types (bytes, lists) are left to the driver's adaptation."""
    if any(
        v is not None and not isinstance(v, str | int | Decimal | datetime.date | datetime.time)
        for v in values
    ):
        return values
    return "{" + ",".join(map(_element, values)) + "}"


def upsert(
    model,
    objs: list,
    *,
    unique_fields: list[str],
    update_fields: list[str],
    update_only_where: dict | None = None,
) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE for all `objs` (whatever their number).

    On PostgreSQL the rows travel as one array per column through unnest(), which is several
    times faster than Django's bulk_create for 10,000 rows (no per-value SQL compilation) and
    still a single statement. `update_only_where` ({field: value}) leaves an existing row that
    does not match untouched (e.g. an approved payout is never overwritten), enforced in the
    statement itself. Other databases use bulk_create."""
    if not objs:
        return
    meta = model._meta
    if connection.vendor != "postgresql":
        if update_only_where:
            attnames = [meta.get_field(n).attname for n in unique_fields]
            first = attnames[0]
            frozen = set(
                model._default_manager.filter(**{f"{first}__in": {getattr(o, first) for o in objs}})
                .exclude(**update_only_where)
                .values_list(*attnames)
            )
            objs = [o for o in objs if tuple(getattr(o, a) for a in attnames) not in frozen]
        model._default_manager.bulk_create(
            objs, update_conflicts=True, unique_fields=unique_fields, update_fields=update_fields
        )
        return
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    _pg_upsert(
        model,
        {f: [getattr(o, f.attname) for o in objs] for f in fields},
        unique_fields=unique_fields,
        update_fields=update_fields,
        update_only_where=update_only_where,
    )


def upsert_rows(
    model,
    rows: list[dict],
    *,
    unique_fields: list[str],
    update_fields: list[str],
    update_only_where: dict | None = None,
) -> None:
    """upsert() of plain rows ({attname: value}; a field left out takes its default) without
    building a model instance per row, which costs more than the statement at 10,000 rows."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        upsert(
            model,
            [model(**row) for row in rows],
            unique_fields=unique_fields,
            update_fields=update_fields,
            update_only_where=update_only_where,
        )
        return
    columns = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.attname in rows[0]:
            columns[f] = [row[f.attname] for row in rows]
        else:
            columns[f] = [f.get_default()] * len(rows)
    _pg_upsert(
        model,
        columns,
        unique_fields=unique_fields,
        update_fields=update_fields,
        update_only_where=update_only_where,
    )


def _pg_upsert(model, columns_of, *, unique_fields, update_fields, update_only_where) -> None:
    meta = model._meta
    columns, casts, arrays = [], [], []
    for f, values in columns_of.items():
        if isinstance(f, JSONField):
            values = [None if v is None else json.dumps(v, cls=DjangoJSONEncoder) for v in values]
            cast = "jsonb"
        else:
            cast = f.db_type(connection)
        columns.append(connection.ops.quote_name(f.column))
        casts.append(f"%s::{cast}[]")
        arrays.append(array_literal(values))
    quote = connection.ops.quote_name
    conflict = ", ".join(quote(meta.get_field(n).column) for n in unique_fields)
    updates = ", ".join(
        f"{q} = EXCLUDED.{q}" for q in (quote(meta.get_field(n).column) for n in update_fields)
    )
    table = quote(meta.db_table)
    # Identifiers come from the model's meta (never from input); values travel as parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({', '.join(casts)}) "  # noqa: S608  # nosec B608: meta identifiers, values as parameters
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    params = list(arrays)
    if update_only_where:
        conditions = []
        for name, value in update_only_where.items():
            conditions.append(f"{table}.{quote(meta.get_field(name).column)} = %s")
            params.append(value)
        sql += " WHERE " + " AND ".join(conditions)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
