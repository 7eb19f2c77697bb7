"""Quick sign-off: a single-use, expiring link bound to one practice tutor and one record."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training_portal.core.model_fields import moment_field, now_field, user_ref


class SignOffToken(models.Model):
    """Only the SHA-256 of the token is stored; the token itself travels in the e-mail."""

    token_hash = models.CharField(max_length=64, unique=True)
    tutor = user_ref(on_delete=models.CASCADE, related_name="signoff_tokens")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    created_by = user_ref(on_delete=models.SET_NULL, null=True)
    created_at = now_field(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = moment_field(_("used at"))

    class Meta:
        verbose_name = _("sign-off link")
        verbose_name_plural = _("sign-off links")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.target_type.model} #{self.target_id} → {self.tutor}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
