"""The OpenAI-compatible API under /v1/, without trailing slashes (clients append to a base URL)."""

from django.urls import path, re_path

from studio.api import views

urlpatterns = [
    path("models", views.models, name="api-models"),
    path("images/generations", views.image_generations, name="api-image-generations"),
    path("images/edits", views.image_edits, name="api-image-edits"),
    path("images/variations", views.image_variations, name="api-image-variations"),
    path("images/jobs/<uuid:job_id>", views.image_job, name="api-image-job"),
    path("files/<str:signed>/", views.image_file, name="api-image-file"),
    re_path(r"^", views.unknown_path),  # clients probe other OpenAI paths: answer in their shape
]
