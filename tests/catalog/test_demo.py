import io

from zhunru.catalog import demo
from zhunru.catalog.models import ListItem, ServiceDocumentVersion, ServiceItem


def test_demo_idempotent(jurisdiction, make_department):
    make_department("市场监管局")
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert ListItem.objects.count() == sum(len(rows) for rows in demo.ITEMS.values())
    public = ListItem.objects.public()
    assert {i.kind for i in public} == {ListItem.PROHIBITED, ListItem.PERMITTED}
    assert ServiceItem.objects.public().count() == len(demo.SERVICES)
    docs = ServiceDocumentVersion.objects.all()
    assert docs.count() == 2 * len(demo.SERVICES)
    assert all(d.attachment and d.attachment.file.read(5) == b"%PDF-" for d in docs)


def test_published_guide_downloads_and_draft_does_not(client, jurisdiction, make_department):
    make_department("市场监管局")
    demo.load(io.StringIO())
    doc = ServiceDocumentVersion.objects.filter(kind=ServiceDocumentVersion.GUIDE).first()
    response = client.get(doc.get_download_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    doc.published = False
    doc.save()
    assert client.get(doc.get_download_url()).status_code == 404
