"""Shared model pieces: timestamps and the soft-delete status every table carries."""
from django.db import models
from django.utils import timezone


class EnabledManager(models.Manager):
    """Rows whose status is on; soft-deleted rows never reach pages or the API."""

    def get_queryset(self):
        return super().get_queryset().filter(status=True)


class TimeStampedModel(models.Model):
    # Plain defaults rather than auto_now so loaded datasets can keep their own dates.
    created_date = models.DateTimeField("생성일", default=timezone.now)
    updated_date = models.DateTimeField("수정일", default=timezone.now)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("update_fields"):
            self.updated_date = timezone.now()
        super().save(*args, **kwargs)


class StatusModel(TimeStampedModel):
    status = models.BooleanField("상태", default=True, db_index=True)

    objects = models.Manager()
    enabled_objects = EnabledManager()

    class Meta:
        abstract = True
