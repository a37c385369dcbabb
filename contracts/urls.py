from django.urls import path

from contracts import initiative_views, views

app_name = "contracts"

urlpatterns = [
    path("contracts/", views.contract_list, name="list"),
    path("contracts/new/", views.contract_create, name="create"),
    path("contracts/<slug:slug>/", views.contract_detail, name="detail"),
    path("contracts/<slug:slug>/edit/", views.contract_edit, name="edit"),
    path("contracts/<slug:slug>/status/", views.contract_transition, name="transition"),
    path("contracts/<slug:slug>/seams/add/", views.contract_add_seam, name="add-seam"),
    path(
        "contracts/<slug:slug>/seams/<slug:seam_slug>/remove/",
        views.contract_remove_seam,
        name="remove-seam",
    ),
    path("contracts/<slug:slug>/targets/add/", views.target_add, name="target-add"),
    path("contracts/<slug:slug>/targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path(
        "contracts/<slug:slug>/targets/<int:pk>/delete/", views.target_delete, name="target-delete"
    ),
    path("contracts/<slug:slug>/rights/add/", views.right_add, name="right-add"),
    path("contracts/<slug:slug>/rights/<int:pk>/edit/", views.right_edit, name="right-edit"),
    path("contracts/<slug:slug>/rights/<int:pk>/delete/", views.right_delete, name="right-delete"),
    path("contracts/<slug:slug>/revisions/publish/", views.revision_publish, name="publish"),
    path("contracts/<slug:slug>/revisions/<int:number>/", views.revision_detail, name="revision"),
    path("contracts/<slug:slug>/revisions/<int:number>/sign/", views.revision_sign, name="sign"),
    path("spec-templates/", views.template_list, name="templates"),
    path("spec-templates/new/", views.template_create, name="template-create"),
    path("spec-templates/<slug:slug>/edit/", views.template_edit, name="template-edit"),
    path("initiatives/", initiative_views.initiative_list, name="initiatives"),
    path("initiatives/new/", initiative_views.initiative_create, name="initiative-create"),
    path("initiatives/<slug:slug>/", initiative_views.initiative_detail, name="initiative"),
    path(
        "initiatives/<slug:slug>/commitments/add/",
        initiative_views.commitment_add,
        name="commitment-add",
    ),
    path(
        "initiatives/<slug:slug>/commitments/<int:pk>/edit/",
        initiative_views.commitment_edit,
        name="commitment-edit",
    ),
    path(
        "initiatives/<slug:slug>/assumptions/add/",
        initiative_views.assumption_add,
        name="assumption-add",
    ),
    path(
        "initiatives/<slug:slug>/assumptions/<int:pk>/edit/",
        initiative_views.assumption_edit,
        name="assumption-edit",
    ),
]
