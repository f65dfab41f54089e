from django.urls import path

from . import views

urlpatterns = [
    path("", views.referral_list, name="referral-list"),
    path("new/", views.referral_new, name="referral-new"),
    path("<int:pk>/", views.referral_detail, name="referral-detail"),
    path("<int:pk>/edit/", views.referral_edit, name="referral-edit"),
    path("<int:pk>/acknowledge/", views.referral_acknowledge, name="referral-acknowledge"),
    path(
        "<int:pk>/request-information/",
        views.referral_request_information,
        name="referral-request-information",
    ),
    path("<int:pk>/decline/", views.referral_decline, name="referral-decline"),
    path("<int:pk>/person/", views.referral_person, name="referral-person"),
    path("<int:pk>/agreements/", views.referral_late_agreement, name="referral-late-agreement"),
    path(
        "<int:pk>/agreements/<int:agreement_pk>/document/",
        views.referral_agreement_document,
        name="referral-agreement-document",
    ),
    path("<int:pk>/accept/", views.referral_accept, name="referral-accept"),
    path("<int:pk>/address-changes/<int:change_pk>/", views.referral_address_change, name="referral-address-change"),
]
