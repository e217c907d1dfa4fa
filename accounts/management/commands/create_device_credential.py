"""`python manage.py create_device_credential USERNAME --label LABEL`: a phone's credentials.

For an operator at the server console, e.g. when setting up a batch of phones. The
credential is printed once as `name:secret`, alone on the last line, so that a script can
take it with `| tail -n 1`; Kinga keeps only a hash of the secret.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services.devices import device_credential_create
from core.errors import DomainError


class Command(BaseCommand):
    help = "Create ODK Collect / KoboCollect credentials for a phone of USERNAME."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", required=True, help="Which phone, e.g. 'Tecno #12'")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username!r} is deactivated; reactivate the account first.")
        try:
            # The operator at the console acts for the user, as for API tokens.
            row, secret = device_credential_create(actor=user, user=user, label=options["label"])
        except DomainError as error:
            raise CommandError(f"{username}: {error.message}") from None
        self.stdout.write(
            f"Phone credential {row.label!r} created for {username}. In ODK Collect or "
            "KoboCollect, set the server URL to http(s)://HOST/collect, then the user name "
            "and password below (name:password). It is shown only now; Kinga keeps no copy:"
        )
        self.stdout.write(f"{row.name}:{secret}")
