"""Writes on monitoring records. Every path (web form, ODK submission, file import) lands here."""
