"""The signed-in user's personal API tokens: list, create (the secret shown once), revoke.

Only roles holding API_TOKEN_CREATE see this page (404 otherwise), and a token is issued only
in a session that proved its second factor (accounts.services.tokens checks both).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.principal import principal_for
from accounts import selectors
from accounts.forms import TokenCreateForm, add_domain_error
from accounts.models import ApiToken, User
from accounts.roles import Permission
from accounts.services.mfa import session_verified
from accounts.services.tokens import create_api_token, revoke_api_token
from core.errors import DomainError


def _token_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not principal_for(user).has(Permission.API_TOKEN_CREATE):
        raise Http404("No such page")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user = _token_user(request)
    form = TokenCreateForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            row, secret = create_api_token(
                actor=user,
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
                verified=session_verified(user),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Rendered, not redirected: the secret never goes into a URL, a message store or
            # a second page view. Reloading shows the list without it.
            form = TokenCreateForm()
            return _page(request, user, form, secret=secret, new_token=row)
    return _page(request, user, form)


def _page(
    request: HttpRequest,
    user: User,
    form: TokenCreateForm,
    *,
    secret: str | None = None,
    new_token: ApiToken | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "tokens": selectors.tokens_of(user),
        "secret": secret,
        "new_token": new_token,
        "verified": session_verified(user),
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _token_user(request)
    token = selectors.get_own_token(user, token_id)
    revoke_api_token(actor=user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:token_list")
