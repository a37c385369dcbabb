from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path("decisions/", views.decision_list, name="list"),
    path("dependencies/", views.dependency_board, name="dependencies"),
]
