"""Downloading a risk pack: through the case gate, the outbound guard, and the audit."""

from django.http import Http404

from accommodation.documents import html_to_pdf
from cases.views.shell import case_for_page
from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record

from .packs import PACKS
from .selectors import risk_pack_html


@access.policy("risk_pack.download")
def risk_pack_download(request, pk, pack):
    pack = PACKS.get(pack)
    if pack is None:
        raise Http404
    case = case_for_page(request, pk, "risk_pack.download", audit=False)
    html = risk_pack_html(case=case, pack=pack, user=request.user)
    # Declared restricted (apps.py): released to the practitioner or a supervisor downloading it,
    # refused (audited, supervisors alerted) to anyone else or by any other channel.
    released = outbound.outbound_release(
        content=html,
        audience=outbound.audience_for(request.user),
        channel="download",
        concerning=[case],
        user=request.user,
        label=pack.label,
    )
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        record=case,
        label=f"{pack.title}, case {case.reference}",  # the audit log shows which pack
        detail={"document": pack.title, "pack": pack.code, "page": request.resolver_match.url_name},
    )
    return released.response(html_to_pdf(html), content_type="application/pdf", filename=pack.filename(case))
