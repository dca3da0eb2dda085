"""Turn a checked API call into an ordinary job: same services, same ledger, plus what only the
API has — the token's credits cap and `Idempotency-Key` replays (of the same request only: a key
sent again with another body is refused with 422 `idempotency_key_reused`, as Stripe and OpenAI
do).

Both are decided under a lock on the token's row, so concurrent requests with one key (an SDK
retrying while the first call still runs) make one job, and two requests cannot both pass the cap.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Job, LedgerEntry
from jobs.parameters import EDIT
from jobs.quota import QuotaExceeded
from studio.api.errors import ApiError, forbidden, insufficient_quota, invalid
from studio.api.inputs import ImageCall
from studio.forms.edit import EditForm
from studio.models import ApiIdempotencyKey, ApiToken
from studio.submit import JobSpec, SubmitRefused, submit_edit, submit_job

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
    fingerprint = request_fingerprint(call, spec)
    try:
        with transaction.atomic():
            ApiToken.objects.select_for_update().filter(pk=token.pk).first()
            earlier = _earlier_job(token, idempotency_key, fingerprint)
            if earlier is not None:
                return earlier
            _check_credits_cap(token, spec)
            job = _submit(call, spec)
            if idempotency_key:
                ApiIdempotencyKey.objects.create(
                    token=token, key=idempotency_key, job=job, fingerprint=fingerprint
                )
    except QuotaExceeded as refusal:
        raise insufficient_quota(str(refusal)) from refusal
    except SubmitRefused as refusal:  # the owner lost the team role, a source image or the model
        raise forbidden(str(refusal)) from refusal
    except IntegrityError:
        # A concurrent call with the same key won (only possible where rows are not locked).
        earlier = _earlier_job(token, idempotency_key, fingerprint)
        if earlier is None:
            raise
        return earlier
    return job


def _earlier_job(token: ApiToken, key: str, fingerprint: str) -> Job | None:
    """The job this key made for this very request; raises 422 when it was made for another."""
    if not key:
        return None
    stale = timezone.now() - KEY_LIFETIME
    ApiIdempotencyKey.objects.filter(token=token, key=key, created_at__lt=stale).delete()
    found = ApiIdempotencyKey.objects.filter(token=token, key=key).select_related("job").first()
    if found is None:
        return None
    if found.fingerprint and found.fingerprint != fingerprint:
        raise ApiError(
            422,
            _(
                "This Idempotency-Key was already used for a different request. Send the same "
                "request to get its job again, or a new key for a new request."
            ),
            code="idempotency_key_reused",
        )
    return found.job


def request_fingerprint(call: ImageCall, spec: JobSpec) -> str:
    """sha256 of what the request asks for once checked: model, prompt, parameters, workspace,
    answer format and, for an edit, the images' and the mask's contents (whether sent as files,
    data URIs or ids), so a retry that sends the same request in other bytes still matches."""
    asked: dict[str, object] = {
        "operation": call.operation,
        "model": spec.model.pk,
        "prompt": spec.prompt,
        "n": spec.n,
        "params": spec.params,
        "team": spec.team.pk if spec.team else None,
        "collection": spec.collection.pk if spec.collection else None,
        "response_format": call.response_format,
    }
    inputs = _edit_form(call).edit_inputs if call.operation == EDIT else None
    if inputs is not None:
        asked["images"] = [hashlib.sha256(data).hexdigest() for data in inputs.images]
        asked["mask"] = hashlib.sha256(inputs.mask).hexdigest() if inputs.mask else None
    canonical = json.dumps(asked, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _submit(call: ImageCall, spec: JobSpec) -> Job:
    if call.operation == EDIT:
        form = _edit_form(call)
        return submit_edit(spec, form.checked_inputs(), form.cleaned_data["source"])
    return submit_job(spec)


def _edit_form(call: ImageCall) -> EditForm:
    """An edit's form (variations' too: `VariationForm` is an edit form)."""
    assert isinstance(call.form, EditForm), "an edit call carries an edit form"
    return call.form


def credits_used(token: ApiToken) -> int:
    """Credits the token's jobs really cost so far: reservations less refunds, from the ledger."""
    total = LedgerEntry.objects.filter(job__api_token=token).aggregate(total=Sum("credits"))
    return total["total"] or 0


def _check_credits_cap(token: ApiToken, spec: JobSpec) -> None:
    if token.credits_cap is None:
        return
    # The price the ledger will reserve (the admins' table, size, quality, resolution).
    needed = spec.model.estimate_credits(spec.n, spec.params)
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
