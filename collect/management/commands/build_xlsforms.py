"""`python manage.py build_xlsforms`: rewrite xlsforms/*.xlsx and *.xml from the spec.

Run it after changing collect/openrosa/xlsform_spec.py or the task catalogue, after bumping
the version of each form that changed (a test refuses a changed form with an old version).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from collect.openrosa.xlsforms import build


class Command(BaseCommand):
    help = "Build the XLSForms and XForms under xlsforms/ from collect/openrosa/xlsform_spec.py."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = build()
        self.stdout.write("changed: " + (", ".join(changed) if changed else "nothing"))
