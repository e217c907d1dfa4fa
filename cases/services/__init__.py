"""Every write of the cases module, one module per concern (docs/cases.md lists them)."""
