"""The two risk packs: what each is called, who it is for, and what it leads with."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RiskPack:
    code: str  # in the URL name: risk-pack-<code>
    title: str
    label: str  # what the outbound guard and the audit call it
    slug: str  # the file name's start
    recipient: str
    purpose: str
    action_kind: str  # the case's RiskAction it answers
    without_consent: str  # what the pack says when no consent is recorded

    def filename(self, case) -> str:
        return f"{self.slug}-{case.reference}.pdf"


PACKS = {
    "marac": RiskPack(
        code="marac",
        title="MARAC referral summary",
        label="the MARAC referral summary",
        slug="marac-referral",
        recipient="the MARAC coordinator",
        purpose="Referral of the partner (victim-survivor) to the Multi-Agency Risk Assessment Conference.",
        action_kind="marac",
        without_consent="No consent recorded. MARAC may share information without consent where the risk is high; "
        "record why on the case.",
    ),
    "idva": RiskPack(
        code="idva",
        title="IDVA handover summary",
        label="the IDVA handover summary",
        slug="idva-handover",
        recipient="the high-risk IDVA service",
        purpose="Handover of the partner (victim-survivor) to the high-risk Independent Domestic Violence "
        "Advisor service.",
        action_kind="idva",
        without_consent="No consent recorded. The IDVA service works with the partner's agreement: check they "
        "agree to the referral before sending it.",
    ),
}
