import io

import pytest


@pytest.mark.django_db(transaction=False)
def test_demo_is_idempotent_and_its_loop_runs(settings, django_capture_on_commit_callbacks):
    from zhunru.credit import demo
    from zhunru.credit.delivery import deliver
    from zhunru.credit.feeds import pull_all
    from zhunru.credit.models import (
        CreditCommitment,
        CreditPlatform,
        FeedQuarantine,
        MarketSubject,
        OutboundRecord,
    )
    from zhunru.demo import load as load_core

    load_core(io.StringIO())
    sim = demo.start_simulator(io.StringIO()) or pytest.skip("port 8765 busy")
    try:
        settings.ZHUNRU_CREDIT_TIMEOUT_SECONDS = 2
        with django_capture_on_commit_callbacks(execute=False):
            demo.load(io.StringIO())
            counts = (MarketSubject.objects.count(), CreditCommitment.objects.count(), OutboundRecord.objects.count())
            demo.load(io.StringIO())
        assert counts == (MarketSubject.objects.count(), CreditCommitment.objects.count(),
                          OutboundRecord.objects.count())
        assert CreditPlatform.objects.count() == 3
        breached = CreditCommitment.objects.get(status="breached")
        assert breached.permit_status == "valid" and breached.procedure.state == "notice"  # due process first
        for row in OutboundRecord.objects.all():
            assert deliver(row.pk) == "delivered"
        pull_all()
        assert FeedQuarantine.objects.count() == 1
        assert MarketSubject.objects.get(name="侯马市新田建材有限公司").credit_class == "trustworthy"
    finally:
        sim.stop()
