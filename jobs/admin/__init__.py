"""Django admin for the engine: providers, models, jobs and images (`catalog`), and quota limits,
the ledger and the usage report (`quota`). Importing the modules registers their admin classes."""

from jobs.admin import catalog, quota

__all__ = ["catalog", "quota"]
