"""The engine's tables: providers and their models, jobs, stored images, the quota ledger."""

from jobs.models.batch import Batch, BatchKind
from jobs.models.catalog import Price, Provider, ProviderModel
from jobs.models.job import Image, ImageOrigin, Job, JobKind, JobStatus
from jobs.models.quota import LedgerEntry, LedgerKind, QuotaLimit

__all__ = [
    "Batch",
    "BatchKind",
    "Image",
    "ImageOrigin",
    "Job",
    "JobKind",
    "JobStatus",
    "LedgerEntry",
    "LedgerKind",
    "Price",
    "Provider",
    "ProviderModel",
    "QuotaLimit",
]
