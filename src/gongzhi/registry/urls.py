from django.urls import path

from . import views

staff = [
    path("areas/", views.area_index, name="area_index"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("areas/<int:pk>/children", views.area_create, name="area_create"),
    path("areas/<int:pk>/grid", views.building_grid, name="building_grid"),
    path("areas/<int:pk>/households", views.household_create, name="household_create"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/reveal", views.resident_reveal, name="resident_reveal"),
    path("residents/<int:pk>/edit", views.resident_edit, name="resident_edit"),
    path("households/", views.household_list, name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:household_pk>/residents/new", views.resident_create, name="resident_create"),
    path("households/<int:pk>/parts/new", views.part_create, name="part_create"),
    path("households/<int:pk>/parts/<int:part_pk>/edit", views.part_edit, name="part_edit"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/areas", views.organisation_serve, name="organisation_serve"),
    path("organisations/<int:pk>/areas/<int:link_pk>/remove", views.organisation_withdraw,
         name="organisation_withdraw"),
    path("organisations/<int:pk>/members", views.organisation_member_add, name="organisation_member_add"),
    path("ledger/import", views.ledger_import_view, name="ledger_import"),
    path("ledger/import/<int:pk>/", views.ledger_import_detail, name="ledger_import_detail"),
    path("ledger/import/<int:pk>/redo", views.ledger_import_redo_view, name="ledger_import_redo"),
    path("ledger/import/<int:pk>/errors.xlsx", views.ledger_import_errors, name="ledger_import_errors"),
    path("ledger/template.xlsx", views.ledger_template, name="ledger_template"),
    path("ledger/export", views.ledger_export_view, name="ledger_export"),
]
