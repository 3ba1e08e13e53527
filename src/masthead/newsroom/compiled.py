"""Short reads whose SQL is compiled once per process.

Django builds and compiles a queryset's SQL on every run. For the short reads that every
render repeats after a publish (the latest and section id lists, the articles of the new
cards) compiling was most of their cost: an id list's SQL ran in 0.05 ms and took 1.1 ms
to compile, and reading three articles for their cards took 1.9 ms, most of it building
the query (issue 10, docs/performance.md). Their SQL depends on a key alone (a language,
a section, how many ids are asked for), so it is compiled once and run again with the
new ids.

Django has no public way to keep a compiled query: the SQL comes from
``Query.get_compiler().as_sql()``, and the rows go through the same converters that
``values_list`` applies (the compiler's own ``get_converters``/``apply_converters``), so a
row read here is the row the ORM gives. A read whose parameters are not exactly the ids it
was built with (a backend that adds its own) is not kept, and runs through the ORM every
time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[object, ...]
    # The compiler keeps the converters' expressions; it names ``django.db.connection``,
    # which stands for the calling thread's connection.
    compiler: SQLCompiler
    converters: dict[int, tuple[list[Callable[..., object]], object]]


_compiled: dict[tuple[object, ...], _Compiled | None] = {}


def ids(key: tuple[object, ...], build: Callable[[], QuerySet]) -> list[int]:
    """``list(build())`` for a flat ``values_list`` of ids whose SQL depends on ``key`` alone."""
    return [row[0] for row in _run(key, build, None)]


def rows_for(
    key: tuple[object, ...], build: Callable[[list[int]], QuerySet], wanted: Sequence[int]
) -> list[tuple[object, ...]]:
    """``build(wanted)``'s ``values_list`` rows, where ``wanted`` (distinct ids) are the only
    parameters and ``key`` says everything else the SQL depends on, ``len(wanted)`` aside."""
    return _run((*key, len(wanted)), build, list(wanted))


def columns(model: type[Model], fields: frozenset[str] | None = None) -> list[str]:
    """``model``'s columns (all, or those named) in the model's own order, the order in
    which ``instances`` takes a row."""
    return [
        field.attname
        for field in model._meta.concrete_fields
        if fields is None or field.attname in fields
    ]


def instances(model: type[M], columns: list[str], rows: Iterable[Sequence[object]]) -> list[M]:
    """Instances of ``model`` from rows of ``columns`` (Django's own ``Model.from_db``, as a
    queryset builds them): a field not read is deferred, read from the database if asked for."""
    return [model.from_db(connection.alias, columns, row) for row in rows]


def _run(
    key: tuple[object, ...], build: Callable[..., QuerySet], wanted: list[int] | None
) -> list[tuple[object, ...]]:
    if key not in _compiled:
        _compiled[key] = _compile(build, wanted)
    compiled = _compiled[key]
    if compiled is None:  # not kept: see the module's docstring
        queryset = build() if wanted is None else build(wanted)
        return [tuple(row) for row in queryset]
    params = compiled.params if wanted is None else tuple(wanted)
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        found = cursor.fetchall()
    if compiled.converters:
        found = compiled.compiler.apply_converters(found, compiled.converters)
    return [tuple(row) for row in found]


def _compile(build: Callable[..., QuerySet], wanted: list[int] | None) -> _Compiled | None:
    # Built with stand-ins that no row has, so that the parameters can be checked: they
    # must be the stand-ins, in order, and nothing else.
    stand_ins = None if wanted is None else list(range(-len(wanted), 0))
    queryset = build() if stand_ins is None else build(stand_ins)
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    if stand_ins is not None and list(params) != stand_ins:
        return None
    columns = [select[0] for select in compiler.select[: compiler.col_count]]
    return _Compiled(sql, tuple(params), compiler, compiler.get_converters(columns))
