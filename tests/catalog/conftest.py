import csv
import json
import uuid

import pytest

from zhunru.catalog.importers import COLUMNS, import_edition
from zhunru.catalog.models import ListEdition, ServiceItem

OLD = [
    ["1", "禁止违规开展金融相关经营活动", "100001", "非金融机构不得从事金融业务", "人民银行", ""],
    [
        "2",
        "药品生产经营许可",
        "200001",
        "未获得许可，不得从事药品生产\n未获得许可，不得从事药品经营",
        "药监局",
        "",
    ],
    ["3", "烟草专卖许可", "200002", "未获得许可，不得从事烟草专卖品批发", "烟草局", ""],
    ["4", "食盐定点生产许可", "200003", "未获得许可，不得从事食盐生产", "工业和信息化部", ""],
]
NEW = [
    ["1", "禁止违规开展金融相关经营活动", "100001", "非金融机构不得从事金融业务", "人民银行", ""],
    [
        "2",
        "药品生产经营许可",
        "200001",
        "未获得许可，不得从事药品生产\n未获得许可，不得从事药品网络销售",
        "药监局",
        "",
    ],
    ["3", "烟草专卖许可", "200102", "未获得许可，不得从事烟草专卖品批发", "烟草局", ""],
    ["5", "民用爆炸物品生产许可", "200004", "未获得许可，不得从事民用爆炸物品生产", "工业和信息化部", ""],
]


def write_csv(path, rows, header=COLUMNS, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def editions(db, tmp_path):
    import_edition(write_csv(tmp_path / "old.csv", OLD), "2022年版")
    import_edition(write_csv(tmp_path / "new.csv", NEW), "2025年版")
    return ListEdition.objects.get(name="2022年版"), ListEdition.objects.get(name="2025年版")


@pytest.fixture(autouse=True)
def _own_throttle(settings):
    """Each test counts its own requests (never cache.clear(): with Redis that would flush shared data)."""
    settings.ZHUNRU_API_THROTTLE_NAMESPACE = uuid.uuid4().hex


@pytest.fixture
def service(make_department):
    return ServiceItem.objects.create(department=make_department("市场监管局"), name="食品经营许可", published=True)


def text(response) -> str:
    """The JSON body as readable text (the renderer escapes non-ASCII characters)."""
    return json.dumps(response.json(), ensure_ascii=False)
