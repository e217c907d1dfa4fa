"""The cases module's `agencies` fixture: both agencies accredited, their staff cleared."""

from cases.tests.conftest import agencies  # noqa: F401 — re-exported fixture
