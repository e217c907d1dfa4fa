from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from access.accounts import organisations_visible_to
from access.principal import principal_for
from accounts.schemas import MeOut, OrganisationOut
from core.schemas import ErrorOut

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The token's user and rights")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    principal = principal_for(user)
    assert principal.user_id is not None  # the bearer auth let only a real user through
    organisations = organisations_visible_to(user).filter(pk__in=principal.organisation_ids)
    return MeOut(
        id=principal.user_id,
        username=user.get_username(),
        full_name=getattr(user, "full_name", ""),
        roles=sorted(principal.roles),
        permissions=sorted(principal.permissions),
        organisations=[OrganisationOut(id=o.id, name=o.name, type=o.type) for o in organisations],
    )
