"""`demo_totp USERNAME`: the current one-time code of a demo user (`make totp USER=...`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.seeding.totp import DEMO_DEVICE_NAME, current_code, is_demo_device


class Command(BaseCommand):
    help = "Print the current 6-digit code of a demo user's authenticator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="A demo username, e.g. demo-manager.")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        device = (
            TOTPDevice.objects.select_related("user")
            .filter(user__username=username, name=DEMO_DEVICE_NAME, confirmed=True)
            .first()
        )
        # Only a device whose key is the published demo key: never a real authenticator's code.
        if device is None or not is_demo_device(device):
            raise CommandError(
                f"{username or '(no username)'} has no demo authenticator. Demo users are "
                "created by `manage.py seed --demo`; try demo-manager."
            )
        self.stdout.write(current_code(device))
