"""The accommodation fund on the programme's first run (registered with eip.first_run from
AccommodationConfig.ready())."""

from .models import Fund


def fund_ensure() -> list[str]:
    made = []
    if not Fund.objects.exists():
        # The migration creates the first phase's fund; this puts it back if it is missing.
        Fund.objects.create(name="Phase 1 accommodation fund", total="14000.00", places=10)
        made.append("Accommodation fund created: £14,000 for up to 10 people.")
    made.append(f"Fund phases: {', '.join(str(f) for f in Fund.objects.all())}.")
    return made
