from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from studio.views import (
    batches,
    compare,
    edit,
    events,
    feed,
    generate,
    history,
    images,
    jobs,
    my_jobs,
    ops,
    preferences,
    tokens,
    usage,
)
from studio.views import library as library_views
from studio.views import people as people_views
from studio.views import teams as team_views

urlpatterns = [
    # The studio page: the prompt dock and the feed (studio/views/generate.py, feed.py).
    path("", generate.generate, name="home"),
    path("generate/", generate.generate, name="generate"),
    path("feed/", feed.feed_page, name="feed"),
    path("events/", events.feed_events, name="feed-events"),
    path("jobs/<uuid:job_id>/card/", feed.job_card, name="job-card"),
    path("jobs/<uuid:job_id>/card/cancel/", feed.card_cancel, name="card-cancel"),
    path("jobs/<uuid:job_id>/card/retry/", feed.card_repeat, {"retry": True}, name="card-retry"),
    path("jobs/<uuid:job_id>/card/again/", feed.card_repeat, name="card-again"),
    path("generate/fields/", generate.model_fields, name="model-fields"),
    path("generate/estimate/", generate.estimate, name="estimate"),
    path("edit/", edit.edit, name="edit"),
    path("edit/pick/", edit.pick_images, name="edit-pick"),
    path("jobs/", my_jobs.my_jobs, name="my-jobs"),
    path("jobs/<uuid:job_id>/", jobs.job_detail, name="job-detail"),
    path("jobs/<uuid:job_id>/status/", jobs.job_status, name="job-status"),
    path("jobs/<uuid:job_id>/cancel/", jobs.job_cancel, name="job-cancel"),
    path("jobs/<uuid:job_id>/retry/", jobs.job_retry, name="job-retry"),
    path("jobs/<uuid:job_id>/events/", events.job_events, name="job-events"),
    path("jobs/<uuid:job_id>/partial/", jobs.job_partial, name="job-partial"),
    path("batches/<uuid:batch_id>/", batches.batch_detail, name="batch-detail"),
    path("batches/<uuid:batch_id>/cancel/", batches.batch_cancel, name="batch-cancel"),
    path("batches/<uuid:batch_id>/events/", events.batch_events, name="batch-events"),
    path("compare/", compare.compare, name="compare"),
    path("compare/fields/", compare.compare_fields, name="compare-fields"),
    path("compare/estimate/", compare.compare_estimate, name="compare-estimate"),
    path("compare/<uuid:batch_id>/", compare.compare_detail, name="compare-detail"),
    path("compare/cells/<uuid:job_id>/", compare.compare_cell, name="compare-cell"),
    path("history/", history.history, name="history"),
    path("images/<uuid:image_id>/", images.image_detail, name="image-detail"),
    path("images/<uuid:image_id>/file/", images.image_file, name="image-file"),
    path(
        "images/<uuid:image_id>/thumbnail/",
        images.image_file,
        {"variant": "thumbnail"},
        name="image-thumbnail",
    ),
    path("images/<uuid:image_id>/lightbox/", images.image_lightbox, name="image-lightbox"),
    path(
        "images/<uuid:image_id>/download/",
        images.image_file,
        {"variant": "download"},
        name="image-download",
    ),
    # Library and teams (studio/views/library.py, history.py, teams.py)
    path("history/share/", history.history_share, name="history-share"),
    path("history/download/", history.history_download, name="history-download"),
    path("history/delete/", history.history_delete, name="history-delete"),
    path("history/collect/", history.history_collect, name="history-collect"),
    # A person's own collections (studio/views/history.py); a team's are under teams/<slug>/.
    path("collections/", history.my_collections, name="my-collections"),
    path("collections/new/", history.my_collection_create, name="my-collection-create"),
    path(
        "collections/<uuid:collection_id>/",
        history.my_collection_detail,
        name="my-collection-detail",
    ),
    path(
        "collections/<uuid:collection_id>/remove/",
        history.my_collection_remove,
        name="my-collection-remove",
    ),
    path(
        "collections/<uuid:collection_id>/delete/",
        history.my_collection_delete,
        name="my-collection-delete",
    ),
    path(
        "images/<uuid:image_id>/favourite/", library_views.image_favourite, name="image-favourite"
    ),
    path("teams/", team_views.team_list, name="team-list"),
    path("teams/new/", team_views.team_create, name="team-create"),
    # A staff admin adds people here (studio/views/people.py), not only in Django admin.
    path("people/new/", people_views.person_add, name="person-add"),
    path("teams/<slug:slug>/", team_views.team_detail, name="team-detail"),
    path("teams/<slug:slug>/leave/", team_views.team_leave, name="team-leave"),
    path("teams/<slug:slug>/members/add/", team_views.member_add, name="member-add"),
    path(
        "teams/<slug:slug>/members/<str:username>/role/", team_views.member_role, name="member-role"
    ),
    path(
        "teams/<slug:slug>/members/<str:username>/remove/",
        team_views.member_remove,
        name="member-remove",
    ),
    path("teams/<slug:slug>/library/", library_views.team_library, name="team-library"),
    path(
        "teams/<slug:slug>/library/collect/", library_views.library_collect, name="library-collect"
    ),
    path("teams/<slug:slug>/library/tag/", library_views.library_tag, name="library-tag"),
    path(
        "teams/<slug:slug>/library/untag/",
        library_views.library_tag,
        {"remove": True},
        name="library-untag",
    ),
    path("teams/<slug:slug>/library/remove/", library_views.library_remove, name="library-remove"),
    path(
        "teams/<slug:slug>/library/download/",
        library_views.library_download,
        name="library-download",
    ),
    path("teams/<slug:slug>/collections/", library_views.collection_list, name="collection-list"),
    path(
        "teams/<slug:slug>/collections/new/",
        library_views.collection_create,
        name="collection-create",
    ),
    path(
        "teams/<slug:slug>/collections/<uuid:collection_id>/",
        library_views.collection_detail,
        name="collection-detail",
    ),
    path(
        "teams/<slug:slug>/collections/<uuid:collection_id>/remove/",
        library_views.collection_remove,
        name="collection-remove",
    ),
    path(
        "teams/<slug:slug>/collections/<uuid:collection_id>/delete/",
        library_views.collection_delete,
        name="collection-delete",
    ),
    path("preferences/", preferences.preferences, name="preferences"),
    path("usage/", usage.usage, name="usage"),
    path("i18n/setlang/", preferences.set_language, name="set_language"),
    # The words of the studio's own scripts (the mask painter), in the page's language.
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["studio"]), name="javascript-catalog"),
    path("account/tokens/", tokens.token_list, name="token-list"),
    path("account/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("v1/", include("studio.api.urls")),
    path("favicon.ico", ops.favicon, name="favicon"),
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
    # Before Django's own: a successful change also ends a person's first-password state.
    path(
        "accounts/password_change/",
        people_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
