"""Generated data: the demo programme (`seed --demo`) and large programmes (`seed --scale N`).

Both are ordered lists of steps (`demo.DEMO_STEPS`, `scale.SCALE_STEPS`). A module that brings
new records adds its own step to those lists, after the steps whose rows it needs; the command
and the audit summary pick it up without other changes.
"""
