"""`python manage.py create_hub_admin USERNAME --hub "Hub name"`: the first administrator.

A fresh production database has no one who can create users; this makes the Hub organisation
(if missing) and a hub administrator in it. The password is asked twice on the terminal, or
read from KINGA_ADMIN_PASSWORD for unattended installs.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Organisation, OrganisationType, RoleAssignment, User
from accounts.roles import Role
from audit.actions import Action
from audit.services import record_event


class Command(BaseCommand):
    help = "Create the Hub organisation (if needed) and a hub administrator in it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--hub", default="Child Rights Action Hub", help="Hub name")
        parser.add_argument("--email", default="")
        parser.add_argument("--full-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        password = os.environ.get("KINGA_ADMIN_PASSWORD") or self._ask_password()
        candidate = User(username=username, email=options["email"])
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            hub, _created = Organisation.objects.get_or_create(
                name=options["hub"], defaults={"type": OrganisationType.HUB}
            )
            if hub.type != OrganisationType.HUB:
                raise CommandError(f"{hub.name!r} exists and is not a hub.")
            user = User.objects.create_user(
                username, options["email"], password, full_name=options["full_name"]
            )
            RoleAssignment.objects.create(user=user, role=Role.HUB_ADMIN, organisation=hub)
            record_event(
                actor=None,
                action=Action.USER_CREATE,
                subject=user,
                changes={"role": Role.HUB_ADMIN.value, "organisation": hub.pk},
                reason="create_hub_admin command at the server console",
            )
        self.stdout.write(
            f"Hub administrator {username} created in {hub.name}. "
            "They set up their authenticator app at first sign-in."
        )

    def _ask_password(self) -> str:
        if not os.isatty(0):
            raise CommandError("No terminal: set KINGA_ADMIN_PASSWORD to give the password.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
