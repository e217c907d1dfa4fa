"""Writes on accounts: sign-in bookkeeping, second factor, API tokens, users and organisations.

Each function is keyword-only, runs in one transaction and writes its audit event there.
"""
