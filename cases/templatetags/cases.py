"""`{% referral_status child %}`: where a child's referral stands, for pages about the child.

A facilitator sees this on the child's page (monitoring/child_detail.html) but never the case
file: the status comes from access.cases.referral_status_for_children, which keeps to the
children the user may see.
"""

from __future__ import annotations

from typing import Any

from django import template

from access.cases import referral_status_for_children

register = template.Library()


@register.inclusion_tag("cases/_child_referral.html", takes_context=True)
def referral_status(context: Any, child: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"status": referral_status_for_children(user, [child.pk]).get(child.pk)}
