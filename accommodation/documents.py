"""The accommodation agreement, rendered to PDF with WeasyPrint. It is made for the client,
so it is built from the placement and the client's name only: no partner or children's
details can reach it, because none are given to the template."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

CONDITIONS = [
    "Take part in every session of the intervention and in the professionals' reviews of this placement.",
    "Have no contact with your partner or the children except as agreed in your intervention plan, and do not "
    "go to the family home or the areas you have been told to avoid.",
    "Follow the house rules of the accommodation provider, including on visitors, noise, alcohol and drugs.",
    "Do not use the placement, its cost or its ending to put pressure on your partner or family.",
    "Tell your practitioner straight away if anything changes, including if you want to leave early.",
    "The placement ends on the date above unless an extension is agreed in writing by the programme.",
]


class StaticOnlyFetcher:
    """WeasyPrint's fetcher, limited to this app's own static files: no file:// paths,
    no network, no attachments."""

    def __call__(self, url, *args, **kwargs):
        prefix = settings.STATIC_URL
        path = url.split("://", 1)[1] if url.startswith("eip-static://") else None
        if path is None:
            raise ValueError(f"Refused to fetch {url!r}: documents may use only the app's own static files")
        found = finders.find(path.lstrip("/").removeprefix(prefix.lstrip("/")))
        if not found:
            raise ValueError(f"No static file {path!r}")
        data = Path(found).read_bytes()
        return {"string": data, "mime_type": "text/css" if found.endswith(".css") else None}


def agreement_html(placement) -> str:
    """The agreement's HTML, which the outbound guard reads before it becomes a PDF."""
    case = placement.request.case
    return render_to_string(
        "accommodation/agreement_pdf.html",
        {
            "reference": case.reference,
            "client_name": f"{case.referral.client_first_name} {case.referral.client_last_name}",
            "practitioner": case.practitioner.full_name,
            "placement": placement,
            "conditions": CONDITIONS,
            "generated": timezone.localtime(),
        },
    )


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="eip-static:///", url_fetcher=StaticOnlyFetcher()).write_pdf()


def agreement_pdf(placement) -> bytes:
    return html_to_pdf(agreement_html(placement))
