"""Database helpers that know no domain app: set-based writes used by computations.

Nothing here imports a domain app (governance sits below them)."""

import datetime
import json
import tempfile
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
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
    upsert_columns(
        model,
        {name: [row[name] for row in rows] for name in rows[0]},
        unique_fields=unique_fields,
        update_fields=update_fields,
        update_only_where=update_only_where,
    )


def upsert_columns(
    model,
    columns: dict[str, list],
    *,
    unique_fields: list[str],
    update_fields: list[str],
    update_only_where: dict | None = None,
) -> None:
    """upsert_rows() of rows given as columns ({attname: [value per row]}, all of one length; a
    field left out takes its default), for callers that hold their results as arrays."""
    length = len(next(iter(columns.values()), []))
    if not length:
        return
    if connection.vendor != "postgresql":
        names = list(columns)
        upsert_rows(
            model,
            [
                dict(zip(names, values, strict=True))
                for values in zip(*columns.values(), strict=True)
            ],
            unique_fields=unique_fields,
            update_fields=update_fields,
            update_only_where=update_only_where,
        )
        return
    by_field = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        by_field[f] = columns[f.attname] if f.attname in columns else [f.get_default()] * length
    _pg_upsert(
        model,
        by_field,
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


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, cls=DjangoJSONEncoder)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


class StagedUpsert:
    """A set-based upsert of rows that are computed one by one and amended once all are known
    (e.g. ranks): `stage(rows)` streams the rows (an iterator of {attname: value}) into a
    temporary table with one COPY, `upsert(...)` writes them, amended by columns computed
    afterwards, with one INSERT ... SELECT ... ON CONFLICT DO UPDATE. Memory stays flat
    whatever the number of rows, and the number of statements is constant.

    Other databases than PostgreSQL hold the rows in memory and use upsert_rows()."""

    def __init__(self, model, fields: list[str], *, key: str):
        self.model = model
        meta = model._meta
        self.fields = [meta.get_field(name) for name in fields]
        self.key = meta.get_field(key)
        self.table = f"stage_{meta.db_table}"
        self._rows = None

    def stage(self, rows) -> None:
        attnames = [f.attname for f in self.fields]
        if connection.vendor != "postgresql":
            self._rows = [{a: row[a] for a in attnames} for row in rows]
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        table, source = quote(self.table), quote(self.model._meta.db_table)
        with tempfile.TemporaryFile() as spool, connection.cursor() as cursor:
            # The rows are spooled to a file as they come: a COPY cannot run while a server-side
            # cursor that may be producing them is still being read on the same connection.
            batch = []
            for row in rows:
                batch.append("\t".join(_copy_text(row[a]) for a in attnames))
                if len(batch) == 1000:
                    spool.write(("\n".join(batch) + "\n").encode())
                    batch = []
            if batch:
                spool.write(("\n".join(batch) + "\n").encode())
            spool.seek(0)
            # Identifiers come from the model's meta; the rows travel through COPY.
            cursor.execute(
                f"DROP TABLE IF EXISTS {table}; "  # noqa: S608  # nosec B608: meta identifiers
                f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS "
                f"SELECT {columns} FROM {source} WITH NO DATA"
            )
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", spool, 1 << 16)

    def upsert(
        self,
        *,
        keys: list,
        amend: dict[str, list],
        merge_json: tuple[str, list] | None = None,
        unique_fields: list[str],
        update_fields: list[str],
    ) -> None:
        """Write the staged rows; the row whose key is keys[i] takes amend[field][i] for each
        amended field, and its JSON field merge_json[0] is merged with the object (or JSON
        text) merge_json[1][i] when that is not None."""
        meta = self.model._meta
        if connection.vendor != "postgresql":
            position = {k: i for i, k in enumerate(keys)}
            for row in self._rows or []:
                i = position.get(row[self.key.attname])
                if i is None:
                    continue
                for name, values in amend.items():
                    row[meta.get_field(name).attname] = values[i]
                if merge_json and merge_json[1][i] is not None:
                    extra = merge_json[1][i]
                    row[merge_json[0]] = {
                        **row[merge_json[0]],
                        **(json.loads(extra) if isinstance(extra, str) else extra),
                    }
            upsert_rows(
                self.model,
                self._rows or [],
                unique_fields=unique_fields,
                update_fields=update_fields,
            )
            return
        quote = connection.ops.quote_name
        amended = {meta.get_field(name): values for name, values in amend.items()}
        a_columns = [self.key, *amended]
        params = [array_literal(list(keys))]
        params += [array_literal(values) for values in amended.values()]
        casts = [f"%s::{f.db_type(connection)}[]" for f in a_columns]
        names = [f"a{i}" for i in range(len(a_columns))]
        select = []
        for f in self.fields:
            if f in amended:
                column = f"a.a{list(amended).index(f) + 1}"
                select.append(f"CASE WHEN a.a0 IS NULL THEN st.{quote(f.column)} ELSE {column} END")
            elif merge_json and f.name == meta.get_field(merge_json[0]).name:
                select.append(f"st.{quote(f.column)} || coalesce(a.extra, '{{}}'::jsonb)")
            else:
                select.append(f"st.{quote(f.column)}")
        if merge_json:
            casts.append("%s::jsonb[]")
            names.append("extra")
            params.append(
                array_literal(
                    [
                        None
                        if v is None
                        else v
                        if isinstance(v, str)
                        else json.dumps(v, cls=DjangoJSONEncoder)
                        for v in merge_json[1]
                    ]
                )
            )
        conflict = ", ".join(quote(meta.get_field(n).column) for n in unique_fields)
        updates = ", ".join(
            f"{q} = EXCLUDED.{q}" for q in (quote(meta.get_field(n).column) for n in update_fields)
        )
        table = quote(self.table)
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in self.fields)}) "  # noqa: S608  # nosec B608: meta identifiers, values as parameters
            f"SELECT {', '.join(select)} FROM {table} st "
            f"LEFT JOIN unnest({', '.join(casts)}) AS a({', '.join(names)}) "
            f"ON a.a0 = st.{quote(self.key.column)} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.execute(f"DROP TABLE {table}")


class _CommitBatch:
    """Ids gathered in one transaction for one deferred call (on_commit_batched)."""

    def __init__(self, name: str, batches: dict, func):
        self.name, self.batches, self.func = name, batches, func
        self.ids: set = set()
        self.callback = self.run  # one bound method, found again in the on-commit queue

    def run(self) -> None:
        if self.batches.get(self.name) is self:
            del self.batches[self.name]
        self.func(self.ids)


def on_commit_batched(name: str, ids, func, using=None) -> None:
    """Call `func(ids)` once the current transaction commits, with every id given under `name`
    in that transaction: a 10,000-row write that names the same estates row by row refreshes
    each estate once, not 10,000 times. Outside a transaction `func` runs at once; a rolled-back
    transaction (or savepoint) drops the call together with the writes that asked for it."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return
    conn = transaction.get_connection(using)
    if not conn.in_atomic_block:
        func(ids)
        return
    batches = conn.__dict__.setdefault("_on_commit_batches", {})
    batch = batches.get(name)
    # A rollback discards the registered callback but not our record of it: add to a batch only
    # while its callback is still waiting in this connection's on-commit queue.
    if batch is None or not any(entry[1] is batch.callback for entry in conn.run_on_commit):
        batch = batches[name] = _CommitBatch(name, batches, func)
        transaction.on_commit(batch.callback, using=using)
    batch.ids.update(ids)
