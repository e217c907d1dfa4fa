from __future__ import annotations

import factory

from geo import services
from geo.models import Area, AreaLevel, Site, SiteKind


def make_area(name: str, level: str, parent: Area | None = None, code: str | None = None) -> Area:
    """Areas go through the service so that `path` is right, as in production."""
    return services.area_create(
        actor=None,
        code=code or f"{level[:3].upper()}-{name.upper().replace(' ', '-')}",
        name=name,
        level=level,
        parent=parent,
    )


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    code = factory.Sequence(lambda n: f"SITE-{n:05d}")
    name = factory.Sequence(lambda n: f"Site {n}")
    kind = SiteKind.ARTISANAL_MINE
    area = factory.LazyFunction(lambda: make_area("Default village", AreaLevel.VILLAGE))
