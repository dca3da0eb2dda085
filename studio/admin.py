"""Admin for teams: admins create teams here and set who is in them, in which role; the person
pages, whose delete is `studio.removal.remove_person`; and the admin site's own name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from studio.models import ApiToken, Collection, Membership, Team
from studio.removal import remove_people, remove_person

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The admin wears the studio's name (its colours: templates/admin/base_site.html).
admin.site.site_header = _("Image Studio")
admin.site.site_title = _("Image Studio")
admin.site.index_title = _("Image Studio administration")


class PersonAdmin(UserAdmin):
    """Django's own person pages, except that deleting a person (from their page or with "delete
    selected") is the studio's explicit removal: their unfinished jobs are canceled first."""

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        remove_person(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        remove_people(queryset)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), PersonAdmin)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "member_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    filter_horizontal = ["allowed_models"]

    @admin.display(description=_("Members"))
    def member_count(self, team: Team) -> int:
        return team.memberships.count()


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "owner", "created_by", "created_at"]
    list_filter = ["team"]
    search_fields = ["name"]


# What an admin may change on a token; the rest of its page is read-only.
TOKEN_EDITABLE = [
    "name",
    "all_models",
    "allowed_models",
    "rate_limit_per_minute",
    "credits_cap",
    "expires_at",
    "revoked_at",
]


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = TOKEN_EDITABLE

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean returns
        # Models chosen while "All models" stays checked would be ignored without a word; the
        # admin who chose them meant to limit the token, so say which box does that.
        if data.get("all_models") and data.get("allowed_models"):
            self.add_error(
                "allowed_models",
                _("Uncheck “All models” to limit this token to the models chosen here."),
            )
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins set a token's rate limit (and may cap, expire or revoke it, or narrow its models);
    the secret is never here, only its first characters."""

    form = ApiTokenForm
    list_display = [
        "name",
        "user",
        "team",
        "prefix",
        "all_models",
        "rate_limit_per_minute",
        "last_used_at",
    ]
    list_filter = ["team", "all_models"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "prefix", "team", "created_at", "last_used_at"]
    fields = ["user", "prefix", "team", *TOKEN_EDITABLE, "created_at", "last_used_at"]
    filter_horizontal = ["allowed_models"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made by their owners (page or `manage.py apitoken`)
