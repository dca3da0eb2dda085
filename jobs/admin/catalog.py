"""Admin for providers, models, jobs and images. Keys are written, never shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from jobs.metrics import served_queues
from jobs.models import Image, Job, Price, Provider, ProviderModel
from jobs.ops_report import ops_report
from jobs.providers_file import MODEL_SETTINGS
from jobs.secrets import ENV_PREFIX, admin_may_reference

KEY_PERMISSION = "jobs.change_provider_key"
# A model's fields that decide where its provider's key is sent (with the provider's base URL).
WHERE_THE_KEY_GOES = ("provider", "dialect", "poll_path")


def may_move_keys(request: HttpRequest) -> bool:
    """Whether this person may change where a provider's key is sent (the key permission)."""
    return request.user.has_perm(KEY_PERMISSION)


class ProviderForm(forms.ModelForm):
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Type a new key, or env:NAME to read it from an environment variable allowed "
            "by STUDIO_ADMIN_ENV_KEYS. Leave empty to keep the current one."
        ),
    )

    class Meta:
        model = Provider
        fields = ["name", "label", "base_url", "enabled", "max_concurrent", "requests_per_second"]

    def clean_api_key(self) -> str:
        value = self.cleaned_data.get("api_key", "").strip()
        if value.startswith(ENV_PREFIX) and not admin_may_reference(value):
            allowed = ", ".join(settings.STUDIO_ADMIN_ENV_KEYS) or "none"
            raise forms.ValidationError(
                f"Keys typed here may only name environment variables matching {allowed} "
                "(STUDIO_ADMIN_ENV_KEYS); any other variable belongs in the providers TOML."
            )
        return value

    def save(self, commit: bool = True) -> Provider:
        provider = super().save(commit=False)
        if "api_key" in self.fields and self.cleaned_data.get("api_key"):
            provider.set_api_key(self.cleaned_data["api_key"])
        if commit:
            provider.save()
        return provider


class ProviderModelInline(admin.TabularInline):
    """A provider's models. Without the key permission no model is added here, and a model's
    dialect and poll path (where the key goes) are read-only."""

    model = ProviderModel
    extra = 0
    fields = list(MODEL_SETTINGS)

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not may_move_keys(request):
            readonly += [name for name in WHERE_THE_KEY_GOES if name in self.fields]
        return readonly

    def has_add_permission(self, request, obj=None) -> bool:
        return may_move_keys(request) and super().has_add_permission(request, obj)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ["name", "label", "base_url", "key", "enabled"]
    readonly_fields = ["key"]
    inlines = [ProviderModelInline]

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        """Without the key permission there is no key field, and the base URL (where the key is
        sent) of an existing provider cannot be changed either."""
        form = super().get_form(request, obj, change, **kwargs)
        if may_move_keys(request):
            return form
        without_key: type[forms.ModelForm] = type("ProviderFormWithoutKey", (form,), {})
        without_key.base_fields.pop("api_key", None)
        return without_key

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not may_move_keys(request):
            readonly.append("base_url")
        return readonly

    @admin.display(description=_("API key"))
    def key(self, provider: Provider) -> str:
        return provider.api_key_description


@admin.register(ProviderModel)
class ProviderModelAdmin(admin.ModelAdmin):
    """Models of providers. A model's provider, dialect and poll path decide where a key is sent:
    without the key permission they are read-only, and no model is added."""

    list_display = ["name", "label", "provider", "dialect", "credits_per_image", "enabled"]
    list_filter = ["dialect", "provider", "enabled"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not may_move_keys(request):
            readonly += list(WHERE_THE_KEY_GOES)
        return readonly

    def has_add_permission(self, request) -> bool:
        return may_move_keys(request) and super().has_add_permission(request)


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    """The price table: credits per image by model, quality and size or resolution tier."""

    list_display = ["model", "quality", "tier", "credits_per_image"]
    list_editable = ["credits_per_image"]
    list_filter = ["model__provider", "model"]
    list_select_related = ["model__provider"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "owner",
        "team",
        "model_name",
        "status",
        "n",
        "images_produced",
        "created_at",
    ]
    list_filter = ["status", "kind", "provider_name"]
    search_fields = ["prompt", "owner__username"]
    readonly_fields = [field.name for field in Job._meta.fields]
    list_select_related = ["owner", "team"]
    change_list_template = "admin/jobs/job/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        ops = path("ops/", self.admin_site.admin_view(self.ops_view), name="jobs_job_ops")
        return [ops, *super().get_urls()]

    def ops_view(self, request: HttpRequest) -> HttpResponse:
        """Queue, workers, running jobs, error rate and slowest providers, as small charts."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = ops_report(served_queues())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Operations",
            "report": report,
            "charts": report.charts(),
        }
        return TemplateResponse(request, "admin/jobs/job/ops.html", context)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "team", "origin", "width", "height", "format", "created_at"]
    list_filter = ["origin", "format"]
    readonly_fields = [field.name for field in Image._meta.fields]
    list_select_related = ["owner", "team"]
