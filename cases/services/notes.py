"""Notes and attachments on a case file, and the audit trace of reading it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit.actions import Action
from audit.services import record_event
from cases import attachments
from cases.choices import CaseEventKind
from cases.models import Case, CaseAttachment
from cases.services.state import add_event, begin
from core.errors import DomainError

MAX_NOTE_LENGTH = 4000


@transaction.atomic
def case_view_record(*, actor: Any, case: Case, via: str) -> None:
    """Log that `actor` opened the case file (once per page or API read)."""
    record_event(actor=actor, action=Action.CASE_VIEW, subject=case, changes={"via": via})


@transaction.atomic
def case_note_add(*, actor: Any, case: Case, note: str) -> Case:
    """A note on the timeline. It names people and places, so it stays out of the audit log."""
    case = begin(actor, case, None)
    note = note.strip()
    if not note:
        raise DomainError("case.note_required", _("Write the note first."), field="note")
    if len(note) > MAX_NOTE_LENGTH:
        raise DomainError(
            "case.note_too_long",
            _("A note holds at most %(limit)s characters.") % {"limit": MAX_NOTE_LENGTH},
            field="note",
        )
    event = add_event(case, kind=CaseEventKind.NOTE, actor=actor, note=note)
    record_event(actor=actor, action=Action.CASE_NOTE, subject=case, changes={"event": event.pk})
    return case


@transaction.atomic
def case_attachment_add(
    *, actor: Any, case: Case, file_name: str, data: bytes, description: str = ""
) -> CaseAttachment:
    """Keep a PDF, JPEG or PNG of at most 5 MB with the case, encrypted at rest."""
    case = begin(actor, case, None)
    if not data:
        raise DomainError("attachment.empty", _("The file is empty."), field="file")
    if len(data) > attachments.MAX_ATTACHMENT_BYTES:
        raise DomainError(
            "attachment.too_large",
            _("A file may be at most %(megabytes)s MB.")
            % {"megabytes": attachments.MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            field="file",
        )
    content_type = attachments.detected_type(data[:16])
    if content_type is None:
        raise DomainError(
            "attachment.type",
            _("Only PDF documents and JPEG or PNG pictures can be attached."),
            field="file",
        )
    stored_name = attachments.store(data)
    try:
        attachment = CaseAttachment.objects.create(
            case=case,
            stored_name=stored_name,
            file_name=(file_name.strip() or "file")[:200],
            content_type=content_type,
            size=len(data),
            description=description.strip()[:200],
            uploaded_by=actor,
        )
        add_event(case, kind=CaseEventKind.ATTACHMENT, actor=actor, note=description.strip())
        record_event(
            actor=actor,
            action=Action.CASE_ATTACHMENT_ADD,
            subject=case,
            changes={"attachment": attachment.pk, "type": content_type, "size": len(data)},
        )
    except Exception:
        attachments.delete(stored_name)
        raise
    return attachment


@transaction.atomic
def case_attachment_read(*, actor: Any, attachment: CaseAttachment) -> bytes:
    """The plaintext of an attachment the caller already fetched through access/cases.py."""
    record_event(
        actor=actor,
        action=Action.CASE_ATTACHMENT_READ,
        subject=attachment.case,
        changes={"attachment": attachment.pk},
    )
    return attachments.read(attachment.stored_name)
