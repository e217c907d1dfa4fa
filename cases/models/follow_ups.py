"""Follow-ups: a monitoring observation of the child, linked to the case it follows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FollowUp(models.Model):
    """One follow-up visit. The answers and their classification live in the linked
    `monitoring.Observation` (same questions, same engine, re-run by `reclassify`)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="follow_ups")
    observation = models.OneToOneField(
        "monitoring.Observation", on_delete=models.PROTECT, related_name="follow_up"
    )
    visited_on = models.DateField(_("date of visit"))
    # Monitoring asks about school only; the case manager says whether the child attends
    # vocational training or an apprenticeship, which also counts for closure.
    in_training = models.BooleanField(_("attends training or an apprenticeship"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["visited_on", "id"]
        indexes = [models.Index(fields=["case", "-visited_on", "-id"])]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.visited_on}"
