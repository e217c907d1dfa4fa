"""Writes of the collect module: import jobs (jobs.py) and the passes over their rows
(runner.py), which land every row in the monitoring services."""
