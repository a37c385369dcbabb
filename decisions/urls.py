from django.urls import path

from decisions import history_views, link_views, views

app_name = "decisions"

urlpatterns = [
    path("decisions/", views.decision_list, name="list"),
    path("decisions/log/", views.decision_log, name="log"),
    path("decisions/agenda/", views.agenda, name="agenda"),
    path(
        "decisions/import/",
        history_views.history_import,
        {"kind": "decisions"},
        name="decision-import",
    ),
    path(
        "escalations/import/",
        history_views.history_import,
        {"kind": "escalations"},
        name="escalation-import",
    ),
    path(
        "dependencies/import/",
        history_views.history_import,
        {"kind": "dependencies"},
        name="dependency-import",
    ),
    path(
        "decisions/export/",
        history_views.history_export,
        {"kind": "decisions"},
        name="decision-export",
    ),
    path(
        "escalations/export/",
        history_views.history_export,
        {"kind": "escalations"},
        name="escalation-export",
    ),
    path(
        "dependencies/export/",
        history_views.history_export,
        {"kind": "dependencies"},
        name="dependency-export",
    ),
    path(
        "history-imports/<int:pk>/",
        history_views.history_import_detail,
        name="history-import-detail",
    ),
    path("decisions/<int:pk>/", views.decision_detail, name="detail"),
    path("decisions/<int:pk>/decide/", views.decision_decide, name="decide"),
    path("decisions/<int:pk>/reopen/", views.decision_reopen, name="reopen"),
    path("decisions/<int:pk>/withdraw/", views.decision_withdraw, name="withdraw"),
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/<int:pk>/resolve/", views.escalation_resolve, name="escalation-resolve"),
    path("constraints/", views.constraint_list, name="constraints"),
    path("constraints/<int:pk>/remove/", views.constraint_remove, name="constraint-remove"),
    path("dependencies/", views.dependency_board, name="dependencies"),
    path("dependencies/<int:pk>/move/", views.dependency_move, name="dependency-move"),
    path("dependencies/link/", link_views.dependency_initiative, name="dependency-initiative"),
]
