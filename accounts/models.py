"""Accounts: the custom user (e-mail login) and scoped role memberships."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pghistory
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from training_portal.core.model_fields import (
    both_or_neither,
    check,
    now_field,
    optional_fk,
    unique,
    user_ref,
)

from .roles import OPTIONALLY_SCOPED_ROLES, UNSCOPED_ROLES, Role, scope_models

if TYPE_CHECKING:
    from collections.abc import Iterable

LANGUAGE_CHOICES = [("en", "English"), ("zh-hans", "简体中文")]


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: Any) -> UserQuerySet:
        """Portal administrators see every account; anyone else sees only their own."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(pk=user.pk)

    def with_email(self, email: str) -> UserQuerySet:
        return self.filter(email__iexact=email.strip())


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def visible_to(self, user: Any) -> UserQuerySet:
        return self.get_queryset().visible_to(user)

    def with_email(self, email: str) -> UserQuerySet:
        return self.get_queryset().with_email(email)

    def get_by_natural_key(self, username: str | None) -> User:
        # E-mail addresses are matched without regard to case.
        return self.get_queryset().get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        user = self.create_user(email, password, **extra)
        RoleMembership.objects.get_or_create(user=user, role=Role.PORTAL_ADMIN)
        return user


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    fields=[
        "email",
        "full_name",
        "preferred_language",
        "is_active",
        "is_staff",
        "is_superuser",
    ],
    model_name="UserEvent",
)
class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address; roles come from memberships."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=LANGUAGE_CHOICES, default="en"
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive accounts cannot sign in.")
    )
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("May sign in to the Django admin site.")
    )
    date_joined = now_field(_("date joined"))

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("An account with this e-mail address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.email

    @cached_property
    def current_roles(self) -> frozenset[tuple[str, int | None, int | None]]:
        """(role, scope content type id, scope id) of every current membership: one query."""
        today = timezone.localdate()
        return frozenset(
            self.role_memberships.current(today).values_list("role", "scope_type_id", "scope_id")
        )

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(role for role, _ct, _id in self.current_roles)

    def has_role(self, role: Role | str, scope: models.Model | None = None) -> bool:
        """Whether the user currently holds `role`, for `scope` when one is given."""
        if scope is None:
            return str(role) in self.role_names
        ct = ContentType.objects.get_for_model(scope)
        return (str(role), ct.pk, scope.pk) in self.current_roles

    @property
    def is_portal_admin(self) -> bool:
        return self.is_active and (self.is_superuser or Role.PORTAL_ADMIN in self.role_names)


class RoleMembershipQuerySet(models.QuerySet["RoleMembership"]):
    def current(self, on: dt.date | None = None) -> RoleMembershipQuerySet:
        """Memberships in force on `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        )

    def of_role(self, role: Role | str) -> RoleMembershipQuerySet:
        return self.filter(role=role)

    def scoped_by(self, model: type[models.Model]) -> RoleMembershipQuerySet:
        return self.filter(scope_type=ContentType.objects.get_for_model(model))

    def scope_ids(self) -> Iterable[int]:
        return self.values_list("scope_id", flat=True)

    def visible_to(self, user: Any) -> RoleMembershipQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(user=user)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["created_at"],
    model_name="RoleMembershipEvent",
)
class RoleMembership(models.Model):
    """One role held by one user, optionally scoped to an object and to a period.

    Portal administrators hold a portal-wide role, and counsellors too unless they are posted
    at an organisation; every other role is scoped by an object of a model registered for it
    in `accounts.roles`.
    """

    user = user_ref(_("user"), on_delete=models.CASCADE, related_name="role_memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_type = optional_fk(ContentType, _("scope type"), on_delete=models.PROTECT)
    scope_id = models.PositiveBigIntegerField(_("scope id"), null=True, blank=True)
    scope = GenericForeignKey("scope_type", "scope_id")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    granted_by = user_ref(_("granted by"), on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoleMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")
        ordering = ["user_id", "role"]
        indexes = [models.Index(fields=["role", "scope_type", "scope_id"])]
        constraints = [
            check(
                both_or_neither("scope_type", "scope_id"),
                "accounts_membership_scope_complete",
                _("A scope needs both its type and its id."),
            ),
            check(
                ~Q(role__in=sorted(UNSCOPED_ROLES)) | Q(scope_type__isnull=True),
                "accounts_membership_unscoped_roles",
                _("This role is portal-wide and takes no scope."),
            ),
            check(
                Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                "accounts_membership_period_order",
                _("The end of the period cannot be before its start."),
            ),
            unique(
                ["user", "role"],
                "accounts_membership_unique_unscoped",
                _("This user already holds this role."),
                condition=Q(scope_type__isnull=True),
            ),
            unique(
                ["user", "role", "scope_type", "scope_id"],
                "accounts_membership_unique_scoped",
                _("This user already holds this role for this scope."),
                condition=Q(scope_type__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        label = self.get_role_display()
        return f"{self.user}: {label}" + (f" ({self.scope})" if self.scope_id else "")

    def clean(self) -> None:
        super().clean()
        if self.role in UNSCOPED_ROLES:
            return
        if self.role in OPTIONALLY_SCOPED_ROLES and self.scope_type_id is None:
            return
        allowed = scope_models(self.role)
        if self.scope_type_id is None:
            raise ValidationError(
                {"scope_type": _("This role must be scoped (e.g. to a program or organisation).")}
            )
        scope_type = ContentType.objects.get_for_id(self.scope_type_id)
        label = f"{scope_type.app_label}.{scope_type.model}"
        if label not in allowed:
            raise ValidationError({"scope_type": _("This kind of object cannot scope this role.")})
