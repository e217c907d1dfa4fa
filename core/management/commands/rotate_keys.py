"""`python manage.py rotate_keys`: re-encrypt every personal field with the newest key.

Rotation: put a new key first in KINGA_ENCRYPTION_KEYS (old keys after it), restart, run this
command, then remove the old keys. Until the command finishes, old rows stay readable because
every configured key decrypts.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from audit.actions import Action
from audit.services import record_event
from core.crypto import DecryptionError, EncryptedTextField


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key of KINGA_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        totals: dict[str, int] = {}
        for model, names in encrypted_fields():
            label = model._meta.label
            done, last_id = 0, 0
            while True:
                with transaction.atomic():
                    try:
                        rows = list(
                            model._default_manager.filter(pk__gt=last_id)
                            .order_by("pk")
                            .only("pk", *names)[:batch_size]
                        )
                    except DecryptionError:
                        raise CommandError(
                            f"A {label} row after id {last_id} cannot be decrypted with the "
                            "configured keys: put the old key back in KINGA_ENCRYPTION_KEYS."
                        ) from None
                    if not rows:
                        break
                    # Saving the decrypted values encrypts them again with the newest key.
                    model._default_manager.bulk_update(rows, names)
                last_id = rows[-1].pk
                done += len(rows)
            totals[label] = done
            self.stdout.write(f"{label}: {done} rows re-encrypted")
        with transaction.atomic():
            record_event(
                actor=None,
                action=Action.KEYS_ROTATED,
                subject_type="core.crypto",
                changes={"rows": totals},
            )
