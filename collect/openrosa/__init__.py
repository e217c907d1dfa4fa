"""The OpenRosa server for ODK Collect and KoboCollect (docs/collect.md)."""
