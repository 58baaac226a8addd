"""Evidence files: checked by type and size, stored outside the database, served to the allowed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.core.errors import InvalidInput
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.monitoring.models import Evidence, ProgressReport
from hrap.plans import services as plan_services
from hrap.plans.models import PlanNode

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture
def report(sample_plan, staff, cycle):
    mee = agency_create(
        actor=system_actor(), code="mee", name={"en": "Ministry of Ecology and Environment"}
    )
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    plan_services.assignment_set(node=node, actor=staff, agency=mee, role="lead")
    services.cycle_open(cycle=cycle, actor=staff)
    return ProgressReport.objects.get(cycle=cycle)


def focal(name: str, agency_code: str):
    from hrap.directory.models import Agency

    agency = Agency.objects.filter(code=agency_code).first() or agency_create(
        actor=system_actor(), code=agency_code, name={"en": agency_code}
    )
    user = get_user_model().objects.create_user(name, password="pw-Secret-123!")
    Membership.objects.create(user=user, role=Role.FOCAL_POINT, agency=agency)
    return user


def test_a_pdf_is_attached_stored_on_disk_and_served_to_its_agency(report, media) -> None:
    owner = focal("focal-mee", "mee")
    evidence = services.evidence_add(
        report=report, actor=owner, upload=SimpleUploadedFile("air.pdf", PDF)
    )
    assert (media / evidence.file.name).read_bytes() == PDF
    url = f"/en/cycles/{report.cycle.plan.slug}/2023/reports/{report.pk}/evidence/{evidence.pk}/"
    client = Client()
    client.force_login(owner)
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == 'attachment; filename="air.pdf"'
    stranger = Client()
    stranger.force_login(focal("focal-moj", "moj"))
    assert stranger.get(url).status_code == 404
    assert Client().get(url).status_code == 404  # the public: not until the report is published


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "only these types are accepted"),
        ("fake.pdf", b"<html>not a pdf</html>", "the content is not a PDF file"),
        ("notes.txt", b"text\x00with a nul", "the content is not text"),
    ],
)
def test_wrong_files_are_refused_and_nothing_is_stored(
    report, media, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        services.evidence_add(
            report=report, actor=focal("focal-mee", "mee"), upload=SimpleUploadedFile(name, content)
        )
    assert not Evidence.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_files_over_20_mb_are_refused(report) -> None:
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (20 * 1024 * 1024))
    with pytest.raises(InvalidInput, match="over the 20 MB limit"):
        services.evidence_add(report=report, actor=focal("focal-mee", "mee"), upload=big)


def test_the_report_page_attaches_a_file(report, client: Client) -> None:
    client.force_login(focal("focal-mee", "mee"))
    url = f"/en/cycles/{report.cycle.plan.slug}/2023/reports/{report.pk}/"
    client.post(url + "evidence/", {"evidence": SimpleUploadedFile("air.pdf", PDF)})
    page = client.get(url).content.decode()
    assert "air.pdf" in page and "The file is attached." in page
