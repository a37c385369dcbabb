from django.urls import path

from metrics import (
    meeting_views,
    quality_views,
    reality_views,
    review_views,
    seam_views,
    today_views,
    views,
)

app_name = "metrics"

urlpatterns = [
    path("today/", today_views.today, name="today"),
    path("my-seams/", views.my_seams, name="mine"),
    path("review/", review_views.review_dashboard, name="review"),
    path("review/export.csv", review_views.review_export, name="review-export"),
    path("review/pack.css", review_views.review_pack_style, name="review-pack-style"),
    path("review/seams/<slug:slug>/", seam_views.seam_drilldown, name="seam"),
    path(
        "review/seams/<slug:slug>/sla-revision/",
        reality_views.propose_revision,
        name="propose-revision",
    ),
    path(
        "review/seams/<slug:slug>/sla-revision/publish/",
        reality_views.publish_sla_revision,
        name="publish-sla-revision",
    ),
    path("reviews/start/", meeting_views.review_start, name="review-start"),
    path("reviews/<int:pk>/", meeting_views.review_record, name="review-record"),
    path("reviews/<int:pk>/close/", meeting_views.review_close, name="review-close"),
    path(
        "reviews/<int:pk>/seams/<slug:seam>/root-cause/",
        meeting_views.review_root_cause,
        name="review-root-cause",
    ),
    path(
        "reviews/<int:pk>/seams/<slug:seam>/actions/",
        meeting_views.review_add_action,
        name="review-add-action",
    ),
    path("actions/", meeting_views.action_list, name="actions"),
    path("metrics/", views.metrics_month, name="month"),
    path("metrics/recompute/", views.recompute, name="recompute"),
    path("metrics/export.csv", views.metrics_export, name="export"),
    path("data-quality/", quality_views.quality_card, name="data-quality"),
    path("data-quality/run/", quality_views.run_quality_check, name="run-quality-check"),
]
