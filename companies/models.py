"""Member companies: memberships, contributions, supply chains, nominations and cohorts.

A company is an `accounts.Organisation` of type "company"; what makes it a member lives here
(CompanyMembership, one-to-one), so that Organisation stays a plain directory entry. Nothing in
this app holds child data: cohorts point at cases, and companies only ever read counts of them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The deepest tier a company may declare: beyond it, nobody knows who supplies whom.
MAX_TIER = 6


class ParticipationPackage(models.TextChoices):
    """What a company pays for: how many suppliers of its chain the programme covers."""

    ENTRY = "entry", _("Entry")
    STANDARD = "standard", _("Standard")
    EXTENDED = "extended", _("Extended")


# Suppliers covered by each package; None: no limit.
PACKAGE_SUPPLIER_LIMITS: dict[str, int | None] = {
    ParticipationPackage.ENTRY: 5,
    ParticipationPackage.STANDARD: 20,
    ParticipationPackage.EXTENDED: None,
}


class MembershipStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class CompanyMembership(models.Model):
    """A company's membership of the Hub: its package, its period and where it stands."""

    company = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="membership",
        limit_choices_to={"type": "company"},
        verbose_name=_("company"),
    )
    package = models.CharField(
        _("participation package"), max_length=20, choices=ParticipationPackage.choices
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    starts_on = models.DateField(_("member from"))
    ends_on = models.DateField(_("member until"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="membership_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.package} ({self.status})"

    @property
    def supplier_limit(self) -> int | None:
        return PACKAGE_SUPPLIER_LIMITS[self.package]


class ContributionKind(models.TextChoices):
    PLEDGE = "pledge", _("Pledged")
    PAYMENT = "payment", _("Paid")


class Contribution(models.Model):
    """One pledge or one payment by a member company, in the membership's currency."""

    membership = models.ForeignKey(
        CompanyMembership, on_delete=models.PROTECT, related_name="contributions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContributionKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    recorded_on = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="contribution_positive")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} on {self.recorded_on}"


class LinkSource(models.TextChoices):
    HUB = "hub", _("Entered by the Hub")
    NOMINATION = "nomination", _("Nomination")
    IMPORT = "import", _("Supplier list import")


class SupplyChainLink(models.Model):
    """A supplier in a company's chain, at a tier (1: direct supplier).

    Links are kept per company, flat: "every site in my chain, any tier" is then one join,
    not a walk through a graph. `buyer` records whom the supplier sells to, when known.
    """

    company = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="supply_chain_links"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="customer_links"
    )
    tier = models.PositiveSmallIntegerField(_("tier"))
    buyer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sells to"),
    )
    source = models.CharField(_("source"), max_length=20, choices=LinkSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["tier", "supplier__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "supplier"], name="one_link_per_supplier"),
            models.CheckConstraint(
                condition=models.Q(tier__gte=1, tier__lte=MAX_TIER), name="link_tier_range"
            ),
        ]
        indexes = [models.Index(fields=["supplier"])]

    def __str__(self) -> str:
        return f"{self.company_id} → {self.supplier_id} (tier {self.tier})"


class SupplierSite(models.Model):
    """A site a supplier operates or buys from (mine site, depot, plant, factory)."""

    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="supplier_sites"
    )
    site = models.ForeignKey("geo.Site", on_delete=models.PROTECT, related_name="supplier_links")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supplier", "site"], name="one_supplier_site_link")
        ]
        indexes = [models.Index(fields=["site"])]

    def __str__(self) -> str:
        return f"{self.supplier_id} @ {self.site_id}"


class NominationStatus(models.TextChoices):
    """nominated → invited → accepted | declined; accepted → active."""

    NOMINATED = "nominated", _("Nominated")
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ACTIVE = "active", _("Active")


OPEN_NOMINATION_STATUSES = frozenset(
    {NominationStatus.NOMINATED, NominationStatus.INVITED, NominationStatus.ACCEPTED}
)


class Nomination(models.Model):
    """A company asks the Hub to bring one of its suppliers into the programme.

    The supplier may not be an organisation in Kinga yet (`supplier_name`); the Hub finds or
    creates it when the supplier accepts, and the supplier joins the company's chain when the
    nomination becomes active.
    """

    company = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="nominations"
    )
    supplier_name = models.CharField(_("supplier name"), max_length=200)
    supplier = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations_received",
    )
    tier = models.PositiveSmallIntegerField(_("tier"))
    buyer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sells to"),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NominationStatus.choices,
        default=NominationStatus.NOMINATED,
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    nominated_at = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-nominated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tier__gte=1, tier__lte=MAX_TIER), name="nomination_tier_range"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status"]),
            models.Index(fields=["status", "-nominated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_name} ({self.status})"


class Cohort(models.Model):
    """A number of places in the remediation programme, funded by one company."""

    company = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=120)
    places = models.PositiveIntegerField(_("places"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["company_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="cohort_unique_name"),
            models.CheckConstraint(condition=models.Q(places__gte=1), name="cohort_has_places"),
        ]

    def __str__(self) -> str:
        return self.name


class CohortCase(models.Model):
    """A case given a place in a cohort. A case holds at most one place."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="placements")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="cohort_placement"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["cohort", "case"])]

    def __str__(self) -> str:
        return f"{self.cohort_id}: case {self.case_id}"
