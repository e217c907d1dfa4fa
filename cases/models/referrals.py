"""Referrals: a child handed to an agency, waiting for it to accept before a deadline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import ReferralSource, ReferralStatus
from monitoring.choices import Urgency


class Referral(models.Model):
    """One attempt to place a child with an agency.

    A declined or withdrawn referral stays as it was (the desk's record of who said no and
    why); re-routing the child makes a new referral. At most one referral per child waits.
    """

    child = models.ForeignKey(
        "monitoring.Child", on_delete=models.PROTECT, related_name="referrals"
    )
    source = models.CharField(_("source"), max_length=20, choices=ReferralSource.choices)
    identification = models.ForeignKey(
        "monitoring.Identification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    agency = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals"
    )
    # The community the child was found in: agencies are chosen by the areas they serve.
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    note = models.TextField(_("note for the agency"), blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referred_at = models.DateTimeField(default=timezone.now)
    # The agency must answer by then (the urgency's window: 24 h, 72 h or 7 days).
    deadline_at = models.DateTimeField(_("answer due by"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status="pending"),
                name="one_pending_referral_per_child",
            )
        ]
        indexes = [
            models.Index(fields=["status", "deadline_at"]),
            models.Index(fields=["agency", "status", "-id"]),
            models.Index(fields=["child", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} → {self.agency_id} ({self.status})"
