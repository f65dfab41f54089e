"""Small charts drawn as inline SVG on the server: no JavaScript, no network, and each has a
text alternative and the table beside it."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

STAGE_FILL = {"intake": "#1d70b8", "mid": "#f47738", "exit": "#00703c"}  # GOV.UK blue, orange, green
STAGE_NAMES = {"intake": "intake", "mid": "four weeks", "exit": "exit"}
SEVERITY_NAMES = ["none", "standard", "moderate", "high"]


def _bars(groups, *, maximum, ticks, summary, height=220, value_label=str):
    """Grouped bars: groups is [(label, [(stage, value or None), ...]), ...]."""
    bar, gap, group_gap, left, bottom = 14, 2, 26, 90, 70
    group_width = 3 * (bar + gap) + group_gap
    width = left + group_width * len(groups) + 20
    plot = height - bottom - 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(summary)}" '
        f'viewBox="0 0 {width} {height}" class="eip-chart" width="{width}" height="{height}" '
        'font-family="arial, sans-serif">'
    ]
    for tick in ticks:
        y = 10 + plot - plot * tick / maximum
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b1b4b6" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#0b0c0c">'
            f"{escape(value_label(tick))}</text>"
        )
    for index, (label, values) in enumerate(groups):
        x0 = left + index * group_width + group_gap / 2
        for position, (stage, value) in enumerate(values):
            if value is None:
                continue
            h = plot * value / maximum
            x = x0 + position * (bar + gap)
            parts.append(
                f'<rect x="{x:.1f}" y="{10 + plot - h:.1f}" width="{bar}" height="{max(h, 1):.1f}" '
                f'fill="{STAGE_FILL[stage]}"><title>{escape(label)}, {STAGE_NAMES[stage]}: '
                f"{escape(value_label(value))}</title></rect>"
            )
        words = label.split()
        line1, line2 = " ".join(words[:2]), " ".join(words[2:4])
        cx = x0 + 1.5 * (bar + gap)
        parts.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="11" '
            f'fill="#0b0c0c">{escape(line1)}</text>'
        )
        if line2:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 32}" text-anchor="middle" font-size="11" '
                f'fill="#0b0c0c">{escape(line2)}</text>'
            )
    legend_x = left
    for stage, fill in STAGE_FILL.items():
        parts.append(
            f'<rect x="{legend_x}" y="{height - 18}" width="12" height="12" fill="{fill}"/>'
            f'<text x="{legend_x + 16}" y="{height - 8}" font-size="12" fill="#0b0c0c">'
            f"{STAGE_NAMES[stage].capitalize()}</text>"
        )
        legend_x += 110
    parts.append("</svg>")
    # Safe: every text part above is escaped.
    return mark_safe("".join(parts))  # noqa: S308  # nosec


def soag_chart(rows):
    groups = [(row["label"].split(",")[0], [(c["stage"], c["rank"]) for c in row["cells"]]) for row in rows]
    if not any(v is not None for _, values in groups for _, v in values):
        return ""
    return _bars(
        groups,
        maximum=3,
        ticks=[0, 1, 2, 3],
        value_label=lambda v: SEVERITY_NAMES[int(v)],
        summary="Severity of abuse by category at intake, four weeks and exit. The same figures are in the table.",
    )


def needs_chart(rows):
    groups = [
        (row["label"].split("(")[0].strip(), [(c["stage"], c["practitioner"]) for c in row["cells"]]) for row in rows
    ]
    if not any(v is not None for _, values in groups for _, v in values):
        return ""
    return _bars(
        groups,
        maximum=10,
        ticks=[0, 4, 8, 10],
        summary="Practitioner's needs scores by area, 0 (highest need) to 10 (met), at intake, "
        "four weeks and exit. The same figures are in the table.",
    )
