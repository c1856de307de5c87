"""Credit fixtures: a simulator on a free port, platforms pointing at it, subjects with valid codes."""

import pytest

from zhunru.validators import uscc_check_character


def make_uscc(body17: str) -> str:
    return body17 + uscc_check_character(body17)


@pytest.fixture
def simulator():
    from zhunru.credit.simulator import Simulator

    sim = Simulator(port=0, key=b"test-key").start()
    yield sim
    sim.stop()


@pytest.fixture
def credit_settings(settings):
    settings.ZHUNRU_CREDIT_KEYS = {"test": "test-key"}
    settings.ZHUNRU_CREDIT_TIMEOUT_SECONDS = 0.5
    settings.ZHUNRU_CREDIT_RETRY_MIN_BACKOFF_MS = 20
    settings.ZHUNRU_CREDIT_RETRY_MAX_BACKOFF_MS = 200
    settings.ZHUNRU_CREDIT_SWEEP_GRACE_SECONDS = 0
    return settings


@pytest.fixture
def platforms(db, credit_settings, simulator, jurisdiction):
    from zhunru.credit.models import CreditPlatform

    national = CreditPlatform.objects.create(name="信用中国", code="national", endpoint_url=simulator.url + "national/",
                                             hmac_key_ref="test")
    local = CreditPlatform.objects.create(name="江西省公共信用信息平台", code="jiangxi", jurisdiction=jurisdiction,
                                          endpoint_url=simulator.url + "jiangxi/", hmac_key_ref="test")
    return national, local


@pytest.fixture
def make_subject(db):
    from zhunru.credit.models import MarketSubject

    counter = iter(range(1, 10_000))

    def make(name="景德镇市测试陶瓷有限公司", credit_class="general", uscc=None, **kw):
        code = uscc or make_uscc(f"91360202MA{next(counter):07d}")
        return MarketSubject.objects.create(name=name, uscc=code, credit_class=credit_class,
                                            legal_representative=kw.pop("legal_representative", "张三"), **kw)

    return make


AUTHORITY_USCC = make_uscc("11360202MB1234567")


def decision_fields(subject, kind: str = "licensing", **over) -> dict:
    """A complete decision of ``kind`` in its national 双公示 layout (zhunru.credit.layouts)."""
    fields = dict(subject_name=subject.name, subject_category="法人及非法人组织", uscc=subject.uscc,
                  legal_representative=getattr(subject, "legal_representative", "") or "张三",
                  decided_on="2026-11-20", authority_name="昌江区市场监督管理局", authority_uscc=AUTHORITY_USCC,
                  source_unit="昌江区市场监督管理局", source_unit_uscc=AUTHORITY_USCC)
    if kind == "licensing":
        fields.update(document_name="准予行政许可决定书", document_number="昌市监许〔2026〕18号", licence_category="普通",
                      licence_content="食品经营许可", valid_from="2026-11-20", valid_until="2031-11-19",
                      current_status="有效")
    else:
        fields.update(document_number="昌市监罚〔2026〕18号", violation_type="未取得许可从事食品经营",
                      facts="未取得食品经营许可证经营预包装食品", basis="《中华人民共和国食品安全法》第一百二十二条",
                      penalty_category="罚款", penalty_content="罚款人民币五万元", fine_amount="5",
                      publicity_until="2027-11-20")
    fields.update(over)
    return fields


def drain(broker, worker, queue: str = "credit", timeout_ms: int = 30_000) -> None:
    from dramatiq.brokers.stub import StubBroker

    if isinstance(broker, StubBroker):
        broker.join(queue, timeout=timeout_ms)
    else:
        broker.join(queue, timeout=timeout_ms)
    worker.join()
