"""JSON endpoints for member companies, supply chains, nominations and cohorts (/api/v1).

Reads go through access.companies: a company member sees only their own company, and another
company's ids answer 404. Cohorts come out as suppressed counts; case ids only for Hub staff.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from access.cases import cases_visible_to
from access.companies import (
    get_cohort_for_user,
    get_company_for_user,
    get_nomination_for_user,
    manages_companies,
)
from access.principal import principal_for
from accounts.models import Organisation
from accounts.roles import Permission
from companies import figures, selectors
from companies.models import Cohort, Nomination, SupplyChainLink
from companies.schemas import (
    ChainSitePageOut,
    CohortCaseIn,
    CohortOut,
    CohortPageOut,
    CohortQuery,
    CompanyDetailOut,
    CompanyPageOut,
    DeclineIn,
    NominationIn,
    NominationOut,
    NominationPageOut,
    NominationQuery,
    PageQuery,
    SupplyChainPageOut,
)
from companies.services import cohorts, nominations
from core.errors import DomainError, NotFound
from core.schemas import DomainErrorOut, ErrorOut, ValidationErrorOut
from geo.models import Site
from reports.suppression import Figure

router = Router(tags=["companies"])

_READ_ERRORS: dict[int, Any] = {400: DomainErrorOut, 401: ErrorOut, 404: ErrorOut}
_LIST_ERRORS: dict[int, Any] = {**_READ_ERRORS, 422: ValidationErrorOut}


def _require(request: HttpRequest, permission: Permission, what: str) -> None:
    if not principal_for(request.user).has(permission):
        raise NotFound(what)


def _reader(request: HttpRequest) -> None:
    principal = principal_for(request.user)
    if not (
        principal.has(Permission.COMPANY_MANAGE) or principal.has(Permission.REPORT_COMPANY_READ)
    ):
        raise NotFound("resource")


def _company(request: HttpRequest, company_id: int) -> Organisation:
    _reader(request)
    try:
        return get_company_for_user(request.user, company_id)
    except Http404:
        raise NotFound("company") from None


def _nomination(request: HttpRequest, nomination_id: int) -> Nomination:
    try:
        return get_nomination_for_user(request.user, nomination_id)
    except Http404:
        raise NotFound("nomination") from None


def _cohort(request: HttpRequest, cohort_id: int) -> Cohort:
    try:
        return get_cohort_for_user(request.user, cohort_id)
    except Http404:
        raise NotFound("cohort") from None


def _ref(organisation: Organisation | None) -> dict[str, Any] | None:
    return None if organisation is None else {"id": organisation.pk, "name": organisation.name}


def _membership(company: Organisation) -> dict[str, Any] | None:
    membership = getattr(company, "membership", None)
    if membership is None:
        return None
    return {
        "package": membership.package,
        "status": membership.status,
        "starts_on": membership.starts_on,
        "ends_on": membership.ends_on,
        "currency": membership.currency,
        "supplier_limit": membership.supplier_limit,
    }


# Companies -------------------------------------------------------------------------------


@router.get("/companies", response={200: CompanyPageOut, **_LIST_ERRORS}, summary="Companies")
def list_companies(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    _reader(request)
    page = selectors.company_api_page(request.user, cursor=query.cursor, size=query.limit)
    items = [
        {"id": company.pk, "name": company.name, "membership": _membership(company)}
        for company in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get(
    "/companies/{company_id}", response={200: CompanyDetailOut, **_READ_ERRORS}, summary="Company"
)
def get_company(request: HttpRequest, company_id: int) -> dict[str, Any]:
    company = _company(request, company_id)
    membership = selectors.membership_for(company)
    totals = selectors.contribution_totals(membership) if membership else None
    return {
        "id": company.pk,
        "name": company.name,
        "membership": _membership(company),
        "pledged": str(totals.pledged) if totals else "0",
        "paid": str(totals.paid) if totals else "0",
        "supplier_count": selectors.supply_chain_links(company).count(),
        "site_count": selectors.supply_chain_sites(company).count(),
        "nominations": selectors.nomination_counts(company),
    }


def _link(link: SupplyChainLink, site_counts: dict[int, int]) -> dict[str, Any]:
    return {
        "id": link.pk,
        "supplier": _ref(link.supplier),
        "tier": link.tier,
        "buyer": _ref(link.buyer),
        "source": link.source,
        "site_count": site_counts.get(link.supplier_id, 0),
        "created_at": link.created_at,
    }


@router.get(
    "/companies/{company_id}/supply-chain",
    response={200: SupplyChainPageOut, **_LIST_ERRORS},
    summary="A company's suppliers, by tier",
)
def list_supply_chain(
    request: HttpRequest, company_id: int, query: Query[PageQuery]
) -> dict[str, Any]:
    company = _company(request, company_id)
    page = selectors.supply_chain_page(company, cursor=query.cursor, size=query.limit)
    counts = selectors.supplier_site_counts(company)
    return {"items": [_link(link, counts) for link in page.items], "next_cursor": page.next_cursor}


def _site(site: Site) -> dict[str, Any]:
    return {
        "id": site.pk,
        "code": site.code,
        "name": site.name,
        "kind": site.kind,
        "area_name": site.area.name,
    }


@router.get(
    "/companies/{company_id}/sites",
    response={200: ChainSitePageOut, **_LIST_ERRORS},
    summary="Sites in a company's chain, any tier",
)
def list_chain_sites(
    request: HttpRequest, company_id: int, query: Query[PageQuery]
) -> dict[str, Any]:
    company = _company(request, company_id)
    page = selectors.chain_site_page(company, cursor=query.cursor, size=query.limit)
    return {"items": [_site(site) for site in page.items], "next_cursor": page.next_cursor}


# Nominations -----------------------------------------------------------------------------


@router.get(
    "/nominations", response={200: NominationPageOut, **_LIST_ERRORS}, summary="Nominations"
)
def list_nominations(request: HttpRequest, query: Query[NominationQuery]) -> dict[str, Any]:
    _reader(request)
    company = _company(request, query.company) if query.company is not None else None
    page = selectors.nomination_page(
        request.user,
        company=company,
        status=query.status.value if query.status else "",
        cursor=query.cursor,
        size=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/companies/{company_id}/nominations",
    response={201: NominationOut, **_LIST_ERRORS},
    summary="Nominate a supplier",
)
def create_nomination(
    request: HttpRequest, company_id: int, payload: NominationIn
) -> Status[Nomination]:
    company = _company(request, company_id)
    principal = principal_for(request.user)
    if not (
        principal.has(Permission.SUPPLIER_NOMINATE) or principal.has(Permission.COMPANY_MANAGE)
    ):
        raise NotFound("company")
    buyer = None
    if payload.buyer_id is not None:
        buyer = next((b for b in selectors.chain_buyers(company) if b.pk == payload.buyer_id), None)
        if buyer is None:
            raise DomainError(
                "supply_chain.buyer_outside_chain",
                _("The buyer must be the company or one of its suppliers."),
                field="buyer_id",
            )
    try:
        nomination = nominations.nomination_create(
            actor=request.user,
            company=company,
            supplier_name=payload.supplier_name,
            tier=payload.tier,
            buyer=buyer,
            contact_email=payload.contact_email,
            note=payload.note,
        )
    except DomainError as error:
        if error.field == "buyer":
            error.field = "buyer_id"
        raise
    return Status(201, nomination)


def _step(request: HttpRequest, nomination_id: int) -> Nomination:
    _require(request, Permission.COMPANY_MANAGE, "nomination")
    return _nomination(request, nomination_id)


@router.post(
    "/nominations/{nomination_id}/invite",
    response={200: NominationOut, **_LIST_ERRORS},
    summary="Invite a nominated supplier",
)
def invite_nomination(request: HttpRequest, nomination_id: int) -> Nomination:
    return nominations.nomination_invite(
        actor=request.user, nomination=_step(request, nomination_id)
    )


@router.post(
    "/nominations/{nomination_id}/accept",
    response={200: NominationOut, **_LIST_ERRORS},
    summary="Record that an invited supplier accepted",
)
def accept_nomination(request: HttpRequest, nomination_id: int) -> Nomination:
    return nominations.nomination_accept(
        actor=request.user, nomination=_step(request, nomination_id)
    )


@router.post(
    "/nominations/{nomination_id}/decline",
    response={200: NominationOut, **_LIST_ERRORS},
    summary="Record that a supplier declined",
)
def decline_nomination(request: HttpRequest, nomination_id: int, payload: DeclineIn) -> Nomination:
    return nominations.nomination_decline(
        actor=request.user, nomination=_step(request, nomination_id), reason=payload.reason
    )


@router.post(
    "/nominations/{nomination_id}/activate",
    response={200: NominationOut, **_LIST_ERRORS},
    summary="Make an accepted supplier active in the chain",
)
def activate_nomination(request: HttpRequest, nomination_id: int) -> Nomination:
    return nominations.nomination_activate(
        actor=request.user, nomination=_step(request, nomination_id)
    )


# Cohorts ---------------------------------------------------------------------------------


def _count(value: Figure) -> dict[str, Any]:
    return {"value": value.value, "shown": str(value)}


def _cohorts_out(request: HttpRequest, cohorts_shown: list[Cohort]) -> list[dict[str, Any]]:
    counts = figures.figures_for_cohorts(cohorts_shown)
    case_ids = (
        selectors.case_ids_by_cohort(cohorts_shown) if manages_companies(request.user) else None
    )
    return [
        {
            "id": item.cohort.pk,
            "company_id": item.cohort.company_id,
            "name": item.cohort.name,
            "places": item.places,
            "starts_on": item.cohort.starts_on,
            "ends_on": item.cohort.ends_on,
            "placed": _count(item.placed),
            "stages": {stage.key: _count(stage.figure) for stage in item.stages},
            "case_ids": case_ids[item.cohort.pk] if case_ids is not None else None,
        }
        for item in counts
    ]


@router.get("/cohorts", response={200: CohortPageOut, **_LIST_ERRORS}, summary="Cohorts")
def list_cohorts(request: HttpRequest, query: Query[CohortQuery]) -> dict[str, Any]:
    _reader(request)
    company = _company(request, query.company) if query.company is not None else None
    page = selectors.cohort_page(
        request.user, company=company, cursor=query.cursor, size=query.limit
    )
    return {"items": _cohorts_out(request, page.items), "next_cursor": page.next_cursor}


@router.get("/cohorts/{cohort_id}", response={200: CohortOut, **_READ_ERRORS}, summary="Cohort")
def get_cohort(request: HttpRequest, cohort_id: int) -> dict[str, Any]:
    _reader(request)
    return _cohorts_out(request, [_cohort(request, cohort_id)])[0]


@router.post(
    "/cohorts/{cohort_id}/cases",
    response={201: CohortOut, **_LIST_ERRORS},
    summary="Give a case a place in a cohort",
)
def assign_cohort_case(
    request: HttpRequest, cohort_id: int, payload: CohortCaseIn
) -> Status[dict[str, Any]]:
    _require(request, Permission.COMPANY_MANAGE, "cohort")
    cohort = _cohort(request, cohort_id)
    case = cases_visible_to(request.user).filter(pk=payload.case_id).first()
    if case is None:
        raise DomainError(
            "cohort.case_unknown", _("No case you can see has this id."), field="case_id"
        )
    cohorts.cohort_assign_case(actor=request.user, cohort=cohort, case=case)
    return Status(201, _cohorts_out(request, [cohort])[0])
