"""In-app notices of missed deadlines, written by `manage.py notify_deadlines`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import NotificationKind


class Notification(models.Model):
    """One person told once that one deadline of one record was missed (or is near).

    The subject is named by `kind` (which says what `subject_id` points at) and `reference`
    (a case number or a child's code, never a name), so that the notice still reads the same
    after the record moved on. A new deadline for the same record makes a new notice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    subject_id = models.PositiveBigIntegerField()
    reference = models.CharField(_("reference"), max_length=40)
    # The case the subject belongs to, for the link (None for identifications and referrals).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("was due by"))
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Kept with read_at so that the page can sort unread first with a keyset (no NULL key).
    unread = models.BooleanField(default=True)
    # When the e-mail listing this notice left (the mailing job's time); None: not mailed.
    mailed_at = models.DateTimeField(null=True, blank=True)
    # True while the notice waits for the mailing job. False once mailed, or once settled as
    # not mailable (its person had no address or was inactive, or it was written with
    # mail=False): a separate flag, so that the queue is a small partial index and a notice
    # nobody can mail does not wait in it forever.
    mail_pending = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_id", "due_at"],
                name="one_notification_per_deadline",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-unread", "-id"]),
            models.Index(fields=["kind", "subject_id"]),
            models.Index(
                fields=["recipient"],
                condition=models.Q(mail_pending=True),
                name="notification_mail_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.kind} {self.reference}"

    def get_absolute_url(self) -> str:
        """Where the person acts on it: the desk's page, the referral, or the case file."""
        if self.kind == NotificationKind.IDENTIFICATION_OVERDUE:
            return reverse("monitoring:desk_detail", kwargs={"identification_id": self.subject_id})
        if self.kind == NotificationKind.REFERRAL_OVERDUE:
            return reverse("cases:referral_detail", kwargs={"referral_id": self.subject_id})
        return reverse("cases:case_detail", kwargs={"case_id": self.case_id})
