"""Users, organisations, role assignments and API tokens."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class OrganisationType(models.TextChoices):
    HUB = "hub", _("Hub")
    AGENCY = "agency", _("Case management agency")
    COMPANY = "company", _("Member company")
    SUPPLIER = "supplier", _("Supplier")
    GOVERNMENT = "government", _("Government service")
    PARTNER = "partner", _("Local partner")
    VERIFIER = "verifier", _("Independent verifier")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices)
    country = models.CharField(_("country"), max_length=2, default="CD")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["type", "name"])]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role assignments."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="fr",
        choices=[("en", "English"), ("fr", "Français")],
    )
    # Set when an administrator chose or generated the password: the user must pick their own.
    must_change_password = models.BooleanField(default=False)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    """Gives a user one role in one organisation, optionally limited to some areas.

    A facilitator's areas are the communities they visit; areas of other roles narrow what
    they see. Ending an assignment keeps the row, so past access can still be explained.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="role_assignments"
    )
    areas = models.ManyToManyField("geo.Area", blank=True, related_name="role_assignments")
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["user_id", "role"]
        indexes = [models.Index(fields=["user", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"

    def is_current(self, today: date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class DeviceCredential(models.Model):
    """HTTP Basic credentials for one field phone (ODK Collect / KoboCollect) of one user.

    The phone sends `name` and the secret with every request; only a SHA-256 of the secret is
    kept (it carries 192 bits of randomness, so a fast hash is safe). The phone acts with its
    user's rights, so a facilitator's phone sees and records only their communities.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_credentials")
    label = models.CharField(_("label"), max_length=100)
    name = models.CharField(_("user name on the phone"), max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.name})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None
