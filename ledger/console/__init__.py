"""The click commands behind `cli.py`, imported only when a command runs."""
