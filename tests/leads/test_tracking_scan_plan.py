"""The deadline scan's query shape: keyset walk over the threshold returns the right stages once each, and on
PostgreSQL each condition's query can be answered from its partial index (plan shape, never timing)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhunru.leads.models import LeadStage
from zhunru.leads.tracking import scan_deadlines

from .conftest import local

pytestmark = pytest.mark.django_db


def _three_overdue_and_two_not(make_lead):
    same = [make_lead(received_at=local(2026, 3, 2, 9), title=f"同一时刻 {i}") for i in range(3)]  # equal due_at
    done = make_lead(received_at=local(2026, 3, 2, 9), title="已完成阶段")
    LeadStage.objects.filter(lead=done).update(completed_at=local(2026, 3, 2, 10))
    later = make_lead(received_at=local(2026, 3, 20, 9), title="尚未到期")
    return same, done, later


def test_keyset_walk_returns_each_overdue_stage_once_with_ties(make_lead, django_capture_on_commit_callbacks):
    same, done, later = _three_overdue_and_two_not(make_lead)
    assert len({lead.current_stage().due_at for lead in same}) == 1  # ties on the walked key
    with django_capture_on_commit_callbacks(execute=True):
        result = scan_deadlines(local(2026, 3, 4, 9), chunk_size=1)  # one stage a chunk: every boundary is a tie
    assert result.overdue == 3
    flagged = set(LeadStage.objects.filter(overdue_reminded=True).values_list("lead_id", flat=True))
    assert flagged == {lead.pk for lead in same}
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_deadlines(local(2026, 3, 4, 10), chunk_size=1).overdue == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plan shape is PostgreSQL's")
def test_each_scan_query_can_use_its_partial_index(make_lead):
    _three_overdue_and_two_not(make_lead)
    with CaptureQueriesContext(connection) as queries:
        scan_deadlines(local(2026, 3, 2, 8), chunk_size=50)  # nothing due: only the key queries run
    key_queries = [q["sql"] for q in queries.captured_queries
                   if 'FROM "zhunru_leads_leadstage"' in q["sql"] and "LIMIT" in q["sql"]]
    assert len(key_queries) == 4  # overdue, today, soon, escalate
    used = set()
    with connection.cursor() as c:
        c.execute("SET LOCAL enable_seqscan = off")  # tiny tables: make the planner show which index fits
        for sql in key_queries:
            c.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in c.fetchall())
            found = re.findall(r"zhunru_stage_\w+", plan)
            assert found, plan  # every scan query is answered from a partial index of open stages
            used.update(found)
    # The "today" query (due_date = today) may be planned on another partial index of open stages on a tiny
    # table (the "soon" one, or the open-stage due index: all cover open stages); the others use their own.
    assert {"zhunru_stage_scan_overdue", "zhunru_stage_scan_soon", "zhunru_stage_scan_escalate"} <= used
