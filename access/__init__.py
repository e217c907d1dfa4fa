"""Who may see which rows: the single access path for every sensitive model.

Each module here answers "which rows of X may this user see" (`X_visible_to(user)`) and fetches
one row or answers 404 (`get_X_for_user(user, id)`). Views, the API and selectors go through
these functions; a test (core/tests/test_access_boundary.py) fails if they reach child data via
`Model.objects` directly. Deny by default: a user with no current role sees nothing.
"""
