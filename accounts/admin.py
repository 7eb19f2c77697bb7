from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training_portal.core.tables import XLSX_CONTENT_TYPE, export_csv, export_xlsx

from .models import RoleMembership, User

#: The columns of an export of accounts (the admin's "Export" actions).
EXPORT_FIELDS = (
    "id",
    "email",
    "full_name",
    "preferred_language",
    "is_active",
    "date_joined",
    "last_login",
)


def _export_rows(queryset: QuerySet[User]) -> list[list[Any]]:
    return [list(row) for row in queryset.order_by("email").values_list(*EXPORT_FIELDS)]


def _attachment(content: bytes, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="users-{stamp}.{extension}"'
    return response


@admin.action(description=_("Export the selected users (CSV)"))
def export_users_csv(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: QuerySet[User]
) -> HttpResponse:
    content = export_csv(EXPORT_FIELDS, _export_rows(queryset))
    return _attachment(content, "text/csv; charset=utf-8", "csv")


@admin.action(description=_("Export the selected users (XLSX)"))
def export_users_xlsx(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: QuerySet[User]
) -> HttpResponse:
    content = export_xlsx(EXPORT_FIELDS, _export_rows(queryset), sheet="users")
    return _attachment(content, XLSX_CONTENT_TYPE, "xlsx")


class PortalUserCreationForm(UserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "full_name", "preferred_language")


class PortalUserChangeForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"


class RoleMembershipInline(admin.TabularInline[RoleMembership, User]):
    model = RoleMembership
    fk_name = "user"
    extra = 0
    fields = ("role", "scope_type", "scope_id", "valid_from", "valid_until")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    actions = [export_users_csv, export_users_xlsx]
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    inlines = [RoleMembershipInline]
    ordering = ("email",)
    list_display = (
        "email",
        "full_name",
        "preferred_language",
        "is_active",
        "is_staff",
        "last_login",
    )
    list_filter = (
        "is_active",
        "is_staff",
        "is_superuser",
        "preferred_language",
        "role_memberships__role",
    )
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "preferred_language", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        for instance in formset.save(commit=False):
            if isinstance(instance, RoleMembership) and instance.granted_by_id is None:
                instance.granted_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(RoleMembership)
class RoleMembershipAdmin(admin.ModelAdmin[RoleMembership]):
    list_display = (
        "user",
        "role",
        "scope_type",
        "scope_id",
        "valid_from",
        "valid_until",
        "granted_by",
    )
    list_filter = ("role", "scope_type")
    search_fields = ("user__email", "user__full_name")
    autocomplete_fields = ("user",)
    readonly_fields = ("granted_by", "created_at")

    def save_model(self, request: Any, obj: RoleMembership, form: Any, change: bool) -> None:
        if obj.granted_by_id is None:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
