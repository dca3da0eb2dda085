from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from studio.views import create, history, images, jobs

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="generate"), name="home"),
    path("generate/", create.generate, name="generate"),
    path("create/fields/", create.model_fields, name="model-fields"),
    path("jobs/<uuid:job_id>/", jobs.job_detail, name="job-detail"),
    path("jobs/<uuid:job_id>/status/", jobs.job_status, name="job-status"),
    path("jobs/<uuid:job_id>/cancel/", jobs.job_cancel, name="job-cancel"),
    path("jobs/<uuid:job_id>/retry/", jobs.job_retry, name="job-retry"),
    path("history/", history.history, name="history"),
    path("images/<uuid:image_id>/", images.image_detail, name="image-detail"),
    path("images/<uuid:image_id>/file/", images.image_file, name="image-file"),
    path(
        "images/<uuid:image_id>/thumbnail/", images.image_file, {"variant": "thumbnail"},
        name="image-thumbnail",
    ),
    path(
        "images/<uuid:image_id>/download/", images.image_file, {"variant": "download"},
        name="image-download",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
