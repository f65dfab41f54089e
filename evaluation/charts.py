"""Charts for the monitoring report, as inline SVG with text alternatives."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

BLUE, GREEN = "#1d70b8", "#00703c"


def _bar_pairs(rows, *, summary, first="Intake", second="Exit", maximum=100, unit="%"):
    """rows: [(label, first value or None, second value or None)]."""
    bar, left, top, row_height = 10, 210, 24, 30
    height = top + row_height * len(rows) + 10
    width = 640
    scale = (width - left - 60) / maximum
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(summary)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="arial, sans-serif">',
        f'<rect x="{left}" y="4" width="10" height="10" fill="{BLUE}"/><text x="{left + 14}" y="13" '
        f'font-size="11">{escape(first)}</text>',
    ]
    if second:
        parts.append(
            f'<rect x="{left + 80}" y="4" width="10" height="10" fill="{GREEN}"/>'
            f'<text x="{left + 94}" y="13" font-size="11">{escape(second)}</text>'
        )
    for index, (label, a, b) in enumerate(rows):
        y = top + index * row_height
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="11">{escape(label[:34])}</text>')
        for offset, value, fill in ((0, a, BLUE), (bar + 2, b, GREEN)):
            if value is None:
                continue
            w = max(value * scale, 1)
            parts.append(
                f'<rect x="{left}" y="{y + offset}" width="{w:.1f}" height="{bar}" fill="{fill}"/>'
                f'<text x="{left + w + 4:.1f}" y="{y + offset + 9}" font-size="10">{value}{unit}</text>'
            )
    parts.append("</svg>")
    # Safe: every text part above is escaped.
    return mark_safe("".join(parts))  # noqa: S308  # nosec


def report_charts(report: dict) -> dict:
    comparison = report["soag"]["intake_vs_exit"]
    soag = _bar_pairs(
        [
            (row["label"].split(",")[0], row["intake_perpetrating_percent"], row["exit_perpetrating_percent"])
            for row in comparison.values()
        ],
        summary="Share of clients perpetrating each kind of abuse at intake and at exit.",
    )
    needs_rows = [
        (row["label"].split("(")[0].strip(), row["with_need"], report["needs"]["exit"][code]["with_need"])
        for code, row in report["needs"]["intake"].items()
    ]
    clients = report["needs"]["clients_with_intake_and_exit"] or 1
    needs = _bar_pairs(
        needs_rows, summary="Clients with a need in each area at intake and at exit.", maximum=clients, unit=""
    )
    boroughs = report["referrals"]["by_borough"]
    referrals = _bar_pairs(
        [(name, n, None) for name, n in boroughs.items()],
        summary="Referrals received by borough.",
        first="Referrals",
        second="",
        maximum=max(boroughs.values(), default=1) or 1,
        unit="",
    )
    has_soag = any(row["clients"] for row in comparison.values())
    has_needs = report["needs"]["clients_with_intake_and_exit"]
    return {
        "soag": soag if has_soag else "",
        "needs": needs if has_needs else "",
        "referrals": referrals if boroughs else "",
    }
