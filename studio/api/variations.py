"""`POST /v1/images/variations`: new images like one source image, without a prompt.

Only models whose dialect offers them do variations (the `variations` capability: OpenAI's
dall-e-2 and relays of it); any other model gets a 400 naming it. The call is multipart, as
OpenAI's: `image` (a square PNG under 4 MB for dall-e-2), optional `model`, `n`, `size`,
`response_format`, `user`. It becomes an ordinary job of kind "variation", checked as the edit
form checks one image, with the same quota, history and answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from jobs.models import JobKind
from jobs.parameters import EDIT, VARIATION_FIELDS
from studio.api.errors import invalid
from studio.api.inputs import ImageCall, _form_data, _valid
from studio.api.parameters import refuse_unknown, take_parameters
from studio.api.tokens import model_for_token
from studio.forms.edit import EditForm
from studio.models import ApiToken
from studio.submit import JobSpec

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VARIATION = JobKind.VARIATION.value
# What OpenAI's variations endpoint takes; other Images API parameters are dropped and named.
VARIATION_PARAMETERS = frozenset(VARIATION_FIELDS)
# The edit form checks a prompt; a variation has none, and its job keeps none.
CHECKED_PROMPT = "-"


class VariationForm(EditForm):
    """The edit form's checks of one image, for a job of kind "variation" without a prompt."""

    def job_spec(self, owner: User) -> JobSpec:
        spec = super().job_spec(owner)
        spec.kind, spec.prompt = JobKind.VARIATION, ""
        return spec


def read_variation(request: HttpRequest, token: ApiToken) -> ImageCall:
    if request.content_type != "multipart/form-data":
        raise invalid(_("Variations are sent as multipart/form-data with an 'image' file."))
    body = request.POST.dict()
    refuse_unknown(body)
    if set(request.FILES) - {"image"}:
        name = sorted(set(request.FILES) - {"image"})[0]
        raise invalid(_("Unknown file part: '%(name)s'.") % {"name": name}, "image")
    model = model_for_token(token, body.get("model"))
    caps = model.capabilities()
    if not caps.variations:
        raise invalid(
            _("The model '%(model)s' does not make variations; dall-e-2 does.")
            % {"model": body.get("model") or model.name},
            "model",
            "model_not_supported",
        )
    offered = {name: value for name, value in body.items() if name in VARIATION_PARAMETERS}
    taken = take_parameters(caps, EDIT, offered, token.nearest_size)
    ignored = tuple(sorted(set(body) - VARIATION_PARAMETERS)) + taken.ignored
    data = _form_data(token, model, {**taken.body, "prompt": CHECKED_PROMPT})
    files = MultiValueDict({"image": request.FILES.getlist("image")})
    form = _valid(VariationForm(data, files, user=token.user), {"image": "image"})
    return ImageCall(EDIT, form, taken.response_format, ignored, False, taken.size_used)
