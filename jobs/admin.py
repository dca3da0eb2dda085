"""Admin for providers, models, jobs and images. Keys are written, never shown."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from jobs.models import Image, Job, Provider, ProviderModel


class ProviderForm(forms.ModelForm):
    api_key = forms.CharField(
        label="API key",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Type a new key, or env:NAME to read it from the environment. "
        "Leave empty to keep the current one.",
    )

    class Meta:
        model = Provider
        fields = ["name", "label", "base_url", "enabled"]

    def save(self, commit: bool = True) -> Provider:
        provider = super().save(commit=False)
        if self.cleaned_data.get("api_key"):
            provider.set_api_key(self.cleaned_data["api_key"])
        if commit:
            provider.save()
        return provider


class ProviderModelInline(admin.TabularInline):
    model = ProviderModel
    extra = 0
    fields = ["name", "label", "dialect", "poll_path", "credits_per_image", "limits", "enabled"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ["name", "label", "base_url", "key", "enabled"]
    readonly_fields = ["key"]
    inlines = [ProviderModelInline]

    @admin.display(description="API key")
    def key(self, provider: Provider) -> str:
        return provider.api_key_description


@admin.register(ProviderModel)
class ProviderModelAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "provider", "dialect", "credits_per_image", "enabled"]
    list_filter = ["dialect", "provider", "enabled"]


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


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "team", "origin", "width", "height", "format", "created_at"]
    list_filter = ["origin", "format"]
    readonly_fields = [field.name for field in Image._meta.fields]
    list_select_related = ["owner", "team"]


import jobs.admin_quota  # noqa: E402, F401  (quota limits, ledger and the usage report)
