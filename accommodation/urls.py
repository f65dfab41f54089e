from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/accommodation/", views.case_accommodation, name="case-accommodation"),
    path("housing/", views.housing_list, name="housing-list"),
    path("housing/requests/<int:pk>/", views.housing_request, name="housing-request"),
    path("finance/", views.finance_overview, name="finance-overview"),
    path("finance/placements/<int:pk>/", views.finance_placement, name="finance-placement"),
    path("finance/invoices/unpaid/", views.invoices_unpaid, name="invoices-unpaid"),
    path("finance/ledger.csv", views.finance_month_csv, name="finance-month-csv"),
    path("finance/statement.pdf", views.fund_statement_pdf, name="fund-statement-pdf"),
    path("finance/placements/<int:pk>/invoices/<int:invoice_pk>/paid/", views.invoice_pay, name="invoice-pay"),
    path("accommodation/placements/<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement-pdf"),
]
