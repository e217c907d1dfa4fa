"""Bulk writes for `seed --scale`: batched inserts with a progress line, and a bulk-load mode
for PostgreSQL (secondary indexes dropped for a step and built again after it).

Split from core/seeding/scale.py, which uses them for every generated table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connection, models, transaction

if TYPE_CHECKING:  # scale.py imports this module
    from core.seeding.scale import ScaleContext

BATCH_SIZE = 5000
Writer = Callable[[str], None]
M = TypeVar("M", bound=models.Model)


class Progress:
    """Prints rows written and the rate, at most every two seconds and at the end."""

    def __init__(self, write: Writer, label: str, total: int) -> None:
        self.write, self.label, self.total = write, label, total
        self.done = 0
        self.started = self.last_print = time.monotonic()

    def advance(self, rows: int) -> None:
        self.done += rows
        now = time.monotonic()
        if self.done >= self.total or now - self.last_print >= 2:
            self.last_print = now
            rate = self.done / max(now - self.started, 1e-6)
            self.write(f"  {self.label}: {self.done:,}/{self.total:,} rows ({rate:,.0f} rows/s)")


def insert(context: ScaleContext, label: str, rows: Iterable[M], total: int) -> list[M]:
    """bulk_create `rows` in batches, each in its own transaction; returns them with their ids
    (both databases return ids from a bulk insert)."""
    progress = Progress(context.write, label, total)
    saved: list[M] = []
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_SIZE)):
        model = type(batch[0])
        with transaction.atomic():
            model._default_manager.bulk_create(batch, batch_size=BATCH_SIZE)
        saved.extend(batch)
        progress.advance(len(batch))
    context.created[label] += progress.done
    return saved


def insert_values(
    context: ScaleContext,
    label: str,
    *,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    total: int,
) -> None:
    """Insert plain tuples of `fields` values with executemany, in batches.

    For the big tables whose ids no later step needs (audit events; later, visits): it skips
    bulk_create's per-value preparation, which costs most of the time, and is several times
    faster on both databases. Values are adapted per column type, as bulk_create would.
    """
    meta = model._meta
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        column = meta.get_field(name)
        assert isinstance(column, models.Field)
        columns.append(column)
    adapters = [_adapter(column) for column in columns]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(column.column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    progress = Progress(context.write, label, total)
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_SIZE)):
        values = [
            tuple(
                value if adapt is None else adapt(value)
                for adapt, value in zip(adapters, row, strict=True)
            )
            for row in batch
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY is PostgreSQL's bulk path: about 3x executemany, which is a round trip
                # per row there. The adapted values (datetimes, Jsonb, inet) suit it as they are.
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608 — names from model metadata
                    values,
                )
        progress.advance(len(batch))
    context.created[label] += progress.done


def _adapter(column: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How Django would turn a Python value into a database value for this column, or None
    when the value goes through as it is (numbers, strings, ids)."""
    ops = connection.ops
    if isinstance(column, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(column, models.JSONField):
        encoder = column.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    if isinstance(column, models.GenericIPAddressField):
        return ops.adapt_ipaddressfield_value
    return None


@contextmanager
def bulk_load(tables: Sequence[type[models.Model]], write: Writer) -> Iterator[None]:
    """Load `tables` fast on PostgreSQL: commits without waiting for the disk (a seed that
    stops is run again on a fresh database anyway), and secondary indexes rebuilt at the end.

    Primary keys and unique indexes stay, so the load is still checked as it goes.
    """
    if connection.vendor != "postgresql" or not tables:
        yield
        return
    names = [model._meta.db_table for model in tables]
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(
            """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
               JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_class t ON t.oid = i.indrelid
               WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
            [names],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        started = time.monotonic()
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # Inside one transaction (a test) the deferred foreign-key checks are still
                # pending, and PostgreSQL refuses CREATE INDEX on a table that has some: run
                # them now, then defer again as Django expects.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET synchronous_commit = on")
        write(f"  {len(indexes)} indexes built again in {time.monotonic() - started:.1f} s")
