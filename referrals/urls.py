from django.urls import path

from . import duty_views, people_views, views

urlpatterns = [
    path("people/<int:pk>/", people_views.person_detail, name="person-detail"),
    path("people/<int:pk>/merge/", people_views.person_merge_propose, name="person-merge-propose"),
    path("people/merges/", people_views.person_merge_list, name="person-merge-list"),
    path("people/merges/<int:pk>/", people_views.person_merge_detail, name="person-merge-detail"),
    path("people/merges/<int:pk>/decide/", people_views.person_merge_decide, name="person-merge-decide"),
    path("intake-duty/", duty_views.intake_duty, name="intake-duty"),
    path("", views.referral_list, name="referral-list"),
    path("new/", views.referral_new, name="referral-new"),
    path("<int:pk>/", views.referral_detail, name="referral-detail"),
    path("<int:pk>/edit/", views.referral_edit, name="referral-edit"),
    path("<int:pk>/edit/<slug:step>/", views.referral_step, name="referral-step"),
    path("<int:pk>/amend/", views.referral_amend, name="referral-amend"),
    path("<int:pk>/amend/<slug:step>/", views.referral_amend_step, name="referral-amend-step"),
    path("<int:pk>/withdraw/", views.referral_withdraw, name="referral-withdraw"),
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
