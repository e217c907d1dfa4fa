"""`demo_banner --url URL`: how to sign in to the demo, printed before the server starts."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from core.seeding.demo_people import MFA_EXAMPLE_USERNAME, ORGANISATIONS, PEOPLE
from core.seeding.phones_demo import DEMO_PHONE_USERNAME, demo_phone_credential
from core.seeding.totp import DEMO_DEVICE_NAME, base32_key

_RULE = "=" * 72


class Command(BaseCommand):
    help = "Print the demo's address, users, password and how the second factor works."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Where the demo runs.")

    def handle(self, *args: Any, **options: Any) -> None:
        present = set(
            User.objects.filter(username__in=[p.username for p in PEOPLE]).values_list(
                "username", flat=True
            )
        )
        lines = [_RULE, f"  Kinga demo: {options['url']}", _RULE]
        if not present:
            lines += ["  No demo users yet: run `make demo` or `manage.py seed --demo`.", _RULE]
            self.stdout.write("\n".join(lines))
            return
        lines.append("  Sign in as any of these users:")
        width = max(len(p.username) for p in PEOPLE)
        short_names = {o.key: o.short_name for o in ORGANISATIONS}
        for person in PEOPLE:
            if person.username in present:
                role = f"{person.role.label} ({short_names[person.organisation]})"
                lines.append(f"    {person.username:<{width}}  {role}")
        if "KINGA_DEMO_PASSWORD" in os.environ:
            source = "from KINGA_DEMO_PASSWORD"
        else:
            source = "the default; set KINGA_DEMO_PASSWORD before the first seed to change it"
        lines += [
            "",
            f"  Password (all users): {settings.DEMO_PASSWORD}",
            f"    ({source})",
            "",
            "  Second factor: every demo user already has an authenticator. When asked for",
            "  a code, get the current one in another terminal with:",
            f"    make totp USER={MFA_EXAMPLE_USERNAME}",
            "  or add the user's key to an authenticator app (time-based, 6 digits).",
            f"  The key of {MFA_EXAMPLE_USERNAME}: {base32_key(MFA_EXAMPLE_USERNAME)}",
            *self._otpauth_line(),
            "  Demo keys are derived from the username, so they are not secret: demo only.",
            *self._phone_lines(options["url"]),
            _RULE,
        ]
        self.stdout.write("\n".join(lines))

    def _phone_lines(self, url: str) -> list[str]:
        """Where ODK Collect / KoboCollect connects, and the demo facilitator's phone login."""
        credential = demo_phone_credential()
        if credential is None:
            return []
        name, secret = credential
        return [
            "",
            f"  Phones (ODK Collect / KoboCollect) as {DEMO_PHONE_USERNAME}:",
            f"    Server URL: {url.rstrip('/')}/collect",
            f"    Username:   {name}",
            f"    Password:   {secret}",
            "  Start with HOST=0.0.0.0 to reach it from a phone on the same network;",
            "  Collect may refuse to send a password over plain HTTP (docs/collect.md).",
        ]

    def _otpauth_line(self) -> list[str]:
        """The otpauth:// address of the example device, for apps that take a link or QR."""
        device = TOTPDevice.objects.filter(
            user__username=MFA_EXAMPLE_USERNAME, name=DEMO_DEVICE_NAME
        ).first()
        return [f"    {device.config_url}"] if device is not None else []
