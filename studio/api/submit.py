"""Turn a checked API call into an ordinary job: same services, same ledger, plus what only the
API has — the token's credits cap and `Idempotency-Key` replays.

Both are decided under a lock on the token's row, so concurrent requests with one key (an SDK
retrying while the first call still runs) make one job, and two requests cannot both pass the cap.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.capabilities import EDIT, credits_for
from jobs.models import Job, LedgerEntry
from jobs.quota import QuotaExceeded
from jobs.services import JobSpec, submit_edit, submit_job
from studio.access import SubmitRefused
from studio.api.errors import forbidden, insufficient_quota, invalid
from studio.api.inputs import ImageCall
from studio.models import ApiIdempotencyKey, ApiToken

MAX_KEY_LENGTH = 200
KEY_LIFETIME = timedelta(hours=24)  # as Stripe and OpenAI keep them; the key may then be reused


def submit_call(token: ApiToken, call: ImageCall, idempotency_key: str = "") -> Job:
    """The job for this call: a new one, or the one an earlier call with the same key made."""
    if len(idempotency_key) > MAX_KEY_LENGTH:
        raise invalid(
            _("The Idempotency-Key header is longer than %(length)s characters.")
            % {"length": MAX_KEY_LENGTH}
        )
    spec = dataclasses.replace(call.form.job_spec(token.user), api_token=token)
    try:
        with transaction.atomic():
            ApiToken.objects.select_for_update().filter(pk=token.pk).first()
            earlier = _earlier_job(token, idempotency_key)
            if earlier is not None:
                return earlier
            _check_credits_cap(token, spec)
            job = _submit(call, spec)
            if idempotency_key:
                ApiIdempotencyKey.objects.create(token=token, key=idempotency_key, job=job)
    except QuotaExceeded as refusal:
        raise insufficient_quota(str(refusal)) from refusal
    except SubmitRefused as refusal:  # the owner lost the team role, a source image or the model
        raise forbidden(str(refusal)) from refusal
    except IntegrityError:
        # A concurrent call with the same key won (only possible where rows are not locked).
        earlier = _earlier_job(token, idempotency_key)
        if earlier is None:
            raise
        return earlier
    return job


def _earlier_job(token: ApiToken, key: str) -> Job | None:
    if not key:
        return None
    stale = timezone.now() - KEY_LIFETIME
    ApiIdempotencyKey.objects.filter(token=token, key=key, created_at__lt=stale).delete()
    found = ApiIdempotencyKey.objects.filter(token=token, key=key).select_related("job").first()
    return found.job if found else None


def _submit(call: ImageCall, spec: JobSpec) -> Job:
    if call.operation == EDIT:
        return submit_edit(spec, call.form.edit_inputs, call.form.cleaned_data["source"])
    return submit_job(spec)


def credits_used(token: ApiToken) -> int:
    """Credits the token's jobs really cost so far: reservations less refunds, from the ledger."""
    total = LedgerEntry.objects.filter(job__api_token=token).aggregate(total=Sum("credits"))
    return total["total"] or 0


def _check_credits_cap(token: ApiToken, spec: JobSpec) -> None:
    if token.credits_cap is None:
        return
    caps = spec.model.capabilities()
    needed = credits_for(caps, spec.n, spec.params.get("size"), spec.params.get("quality"))
    used = credits_used(token)
    if used + needed > token.credits_cap:
        left = max(token.credits_cap - used, 0)
        raise insufficient_quota(
            _(
                "This API token may use %(cap)s credits in all and has %(left)s left; "
                "this request needs %(needed)s."
            )
            % {"cap": f"{token.credits_cap:,}", "left": f"{left:,}", "needed": f"{needed:,}"}
        )
