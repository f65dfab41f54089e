from django.urls import path

from . import views

# Under /cases/, beside the Risk tab they are made from.
urlpatterns = [
    path(
        "<int:pk>/risk/marac-referral.pdf",
        views.risk_pack_download,
        {"pack": "marac"},
        name="risk-pack-marac",
    ),
    path(
        "<int:pk>/risk/idva-handover.pdf",
        views.risk_pack_download,
        {"pack": "idva"},
        name="risk-pack-idva",
    ),
]
