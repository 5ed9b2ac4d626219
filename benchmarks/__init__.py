"""figwriter's benchmark (not part of the installed package): ``python benchmarks/run.py``."""
