"""Only the admin: the report tests do not depend on the rest of the studio's pages."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
