"""The engine's tables: providers and their models, jobs, stored images, the quota ledger."""

from jobs.models.catalog import Dialect, Provider, ProviderModel
from jobs.models.job import Image, ImageOrigin, Job, JobKind, JobStatus
from jobs.models.quota import LedgerEntry, LedgerKind, QuotaLimit

__all__ = [
    "Dialect",
    "Image",
    "ImageOrigin",
    "Job",
    "JobKind",
    "JobStatus",
    "LedgerEntry",
    "LedgerKind",
    "Provider",
    "ProviderModel",
    "QuotaLimit",
]
