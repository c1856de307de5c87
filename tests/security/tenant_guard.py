"""Fail closed: record tenant-data queries without a scope while serving a non-superuser.

A tenant table is one of Zhunru's tables whose rows belong to a jurisdiction or a department (the model has a
``jurisdiction`` or ``department`` field, or its QuerySet has ``visible_to``). A query over one is scoped
when its SQL holds a predicate that ties it to a tenant: a jurisdiction or department column, a primary key
or other unique key (``uuid``), or a foreign key to a row already reached (``lead_id = 12`` after the lead was loaded through its scope).
A listing that forgot ``visible_to(user)`` reads a tenant table with none of those: the guard records it.

Allow-listed: tables that are national by design (holiday calendar, list editions and items, national
credit platforms) hold no jurisdiction column and so are no tenant tables to begin with.
"""

import re
from contextlib import contextmanager
from functools import cache

from django.db import connection

# A predicate that binds the query to rows of one tenant (or to one row reached through a scope); Django may
# parenthesise the column (``("zhunru_cms_department"."id") IN ((%s), (%s))`` when prefetching).
SCOPED = re.compile(
    r'(jurisdiction_id"?\)?\s*(=|IN\b)|department_id"?\)?\s*(=|IN\b)|"id"\)?\s*(=|IN\b)|_id"\)?\s*(=|IN\b)'
    r'|"uuid"\s*(=|IN\b)'  # a unique key (an attachment's download link), as good as the primary key
    r'|\."id"\s*IN\s*\(SELECT)', re.IGNORECASE)
# Queries that are not reads of tenant rows for the user (savepoints, schema, locks).
IGNORED = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|PRAGMA|SET\b)", re.IGNORECASE)


@cache
def tenant_tables() -> frozenset[str]:
    from django.apps import apps

    tables = set()
    for model in apps.get_models():
        if not model._meta.app_label.startswith("zhunru"):
            continue
        names = {f.name for f in model._meta.get_fields()}
        if {"jurisdiction", "department"} & names or hasattr(model._default_manager.all(), "visible_to"):
            tables.add(model._meta.db_table)
    return frozenset(tables)


def unscoped(sql: str) -> str | None:
    """The tenant table an unscoped query reads, else None."""
    if IGNORED.match(sql) or not sql.lstrip().upper().startswith("SELECT"):
        return None
    read = [t for t in re.findall(r'\bFROM\s+"?(\w+)"?|\bJOIN\s+"?(\w+)"?', sql) for t in t if t]
    tenant = [t for t in read if t in tenant_tables()]
    if not tenant or SCOPED.search(sql):
        return None
    return tenant[0]


@contextmanager
def tenant_query_guard():
    """Collect (table, sql) of every unscoped tenant-data query run inside the block."""
    found: list[tuple[str, str]] = []

    def wrapper(execute, sql, params, many, context):
        table = unscoped(sql)
        if table is not None:
            found.append((table, sql[:300]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield found
