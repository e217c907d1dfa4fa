"""Administrative areas (a tree) and sites where children may work or learn."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    """Levels of the DRC's administrative tree, from the country down to the community."""

    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province")
    TERRITORY = "territory", _("Territory")
    CITY = "city", _("City")
    CHIEFDOM = "chiefdom", _("Chiefdom")
    SECTOR = "sector", _("Sector")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village or quarter")


# Which level may sit under which; a village under a province would break reports by level.
AREA_CHILD_LEVELS: dict[str, frozenset[str]] = {
    AreaLevel.COUNTRY: frozenset({AreaLevel.PROVINCE}),
    AreaLevel.PROVINCE: frozenset({AreaLevel.TERRITORY, AreaLevel.CITY}),
    AreaLevel.TERRITORY: frozenset({AreaLevel.CHIEFDOM, AreaLevel.SECTOR, AreaLevel.COMMUNE}),
    AreaLevel.CITY: frozenset({AreaLevel.COMMUNE}),
    AreaLevel.CHIEFDOM: frozenset({AreaLevel.VILLAGE}),
    AreaLevel.SECTOR: frozenset({AreaLevel.VILLAGE}),
    AreaLevel.COMMUNE: frozenset({AreaLevel.VILLAGE}),
    AreaLevel.VILLAGE: frozenset(),
}


class Area(models.Model):
    """One node of the administrative tree.

    `path` is the chain of ids from the root ("/1/4/17/"), kept by the geo services, so that
    "this area and everything under it" is one indexed prefix match on both databases.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=20, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # A simplified outline for maps drawn offline: one ring of [longitude, latitude] pairs
    # (geo.services.area_set_boundary checks it). Optional; maps outline areas without one
    # around their points.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_in_parent")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class SiteKind(models.TextChoices):
    ARTISANAL_MINE = "artisanal_mine", _("Artisanal mine site")
    TRADING_DEPOT = "trading_depot", _("Trading depot")
    PROCESSING_PLANT = "processing_plant", _("Processing plant")
    FACTORY = "factory", _("Factory")
    FARM = "farm", _("Farm")
    SCHOOL = "school", _("School")
    AFTER_SCHOOL_CENTRE = "after_school_centre", _("After-school centre")


class SiteStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    CLOSED = "closed", _("Closed")


class Site(models.Model):
    """A place where children may work or learn. Its coordinates are public, not personal."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=30, choices=SiteKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="sites")
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    operator = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_sites",
        verbose_name=_("operator"),
    )
    # A cooperative or company that is not (yet) an organisation in Kinga.
    operator_name = models.CharField(_("operator name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SiteStatus.choices, default=SiteStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["area", "kind"]), models.Index(fields=["name", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="site_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="site_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def operator_label(self) -> str:
        return self.operator.name if self.operator else self.operator_name
