"""`python manage.py create_api_token USERNAME [--name NAME] [--days N]`: a token for scripts.

For an operator at the server console (who stands in for the second factor), e.g. to give a
reporting job its token. The token is printed once, alone on the last line of the output, so
that a script can take it with `| tail -n 1`; Kinga keeps only its hash.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services.tokens import create_api_token
from core.errors import DomainError

MAX_DAYS = 365
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="console", help="What the token is for")
        parser.add_argument(
            "--days", type=int, default=None, help=f"Expire after N days (1-{MAX_DAYS})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        days: int | None = options["days"]
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        if len(options["name"]) > NAME_MAX_LENGTH:
            raise CommandError(f"--name must be at most {NAME_MAX_LENGTH} characters.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username!r} is deactivated; reactivate the account first.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            row, token = create_api_token(
                actor=user, name=options["name"], expires_at=expires_at, verified=True
            )
        except DomainError as error:
            raise CommandError(f"{username}: {error.message}") from None
        expiry = f"expires {row.expires_at:%Y-%m-%d %H:%M %Z}" if row.expires_at else "no expiry"
        self.stdout.write(
            f"Token {row.name!r} created for {username} ({expiry}). "
            "It is shown only now; Kinga keeps no copy:"
        )
        self.stdout.write(token)
