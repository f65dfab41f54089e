"""Demonstration documents (`make run`): the signed consent form on the case on track, and a
letter from the partner's support service, marked as holding the partner's information. Loaded
after the demonstration cases."""

from django.core.files.base import ContentFile

from cases.models import Case
from eip.people.models import User

from . import services
from .models import CaseDocument


def _pdf(text: str) -> bytes:
    """A one-page PDF saying `text`: small, valid, and made without a PDF library."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table)
    return bytes(out)


def load_demo_case_documents():
    on_track = Case.objects.filter(referral__client_first_name="Jordan", stage=Case.Stage.INTERVENTION).first()
    if on_track is None or CaseDocument.objects.exists():
        return
    practitioner = User.objects.get(email="practitioner@eip.example")
    for category, title, name, text, partner in (
        ("consent_form", "Consent form signed by the client", "consent.pdf", "Consent form (demonstration)", False),
        (
            "correspondence",
            "Letter from the partner's support service",
            "letter.pdf",
            "Letter about the partner (demonstration)",
            True,
        ),
    ):
        services.case_document_add(
            case=on_track,
            user=practitioner,
            category=category,
            title=title,
            file=ContentFile(_pdf(text), name=name),
            partner_information=partner,
        )
