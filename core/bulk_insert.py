"""Inserting many new model instances at once: `COPY` on PostgreSQL, `bulk_create` elsewhere.

`bulk_create` on PostgreSQL builds one INSERT from arrays (UNNEST) that psycopg turns into
text in Python, and the server parses back: for the import of a large survey export this
cost more than checking the rows. `COPY ... FROM STDIN` streams the same values in
PostgreSQL's own row format, which psycopg writes in C while the server is already storing
the rows it received (the two CPUs work at once). The ids are reserved first from the
table's sequence, in one query, so the instances get their primary keys as with
`bulk_create`, and later tables can refer to them (decision 0012).

Each value goes through its field exactly as `bulk_create` sends it (`pre_save`, then
`get_db_prep_save`: encryption, JSON, dates), so no rule of a model is repeated here. As with
`bulk_create`, `save()` is not called and no signal is sent. Models this path cannot write
as the ORM would (database defaults, generated columns, inherited tables) go through
`bulk_create`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields import NOT_PROVIDED

M = TypeVar("M", bound=models.Model)


def insert_new(instances: Sequence[M]) -> Sequence[M]:
    """Insert unsaved instances of one model, setting their primary keys; returns them."""
    if not instances:
        return instances
    model = type(instances[0])
    if any(type(instance) is not model or instance.pk is not None for instance in instances):
        raise ValueError(f"insert_new takes new {model.__name__} instances only, without ids")
    connection = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy
    if connection.vendor != "postgresql" or not _copyable(model):
        return model._default_manager.bulk_create(instances)
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    for instance in instances:
        # Ids of related objects saved since they were assigned, and a refusal of one never
        # saved, before the database is asked anything (as bulk_create does).
        instance._prepare_related_fields_for_save(operation_name="insert_new")  # type: ignore[attr-defined]  # Django's own check, private in the stubs
    # Database errors come out as Django's (IntegrityError...), as from bulk_create.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        for instance, pk in zip(instances, _reserve_ids(cursor, meta, len(instances)), strict=True):
            instance.pk = pk
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for instance in instances:
                copy.write_row(
                    [
                        field.get_db_prep_save(field.pre_save(instance, True), connection)
                        for field in fields
                    ]
                )
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias
    return instances


def _copyable(model: type[models.Model]) -> bool:
    """Whether every column takes its value from the instance, in one table."""
    meta = model._meta
    return not meta.parents and all(
        getattr(field, "db_default", NOT_PROVIDED) is NOT_PROVIDED
        and not getattr(field, "generated", False)
        for field in meta.concrete_fields
    )


def _reserve_ids(cursor: Any, meta: Any, count: int) -> list[int]:
    """`count` new ids from the table's own sequence, in increasing order, as inserts would
    take them: concurrent writers (web forms, phones) never get one of them."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [meta.db_table, meta.pk.column, count],
    )
    return sorted(row[0] for row in cursor.fetchall())
