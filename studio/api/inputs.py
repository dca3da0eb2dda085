"""An API request read into the studio's own forms, so it is checked exactly as the pages check.

Generations are JSON. Edits are multipart (`image` or repeated `image[]`, optional `mask`) or JSON
whose `images` list holds `{image_url}` (a `data:` URI or a link to one of the studio's images) or
`{file_id}` (a studio image id). OpenAI parameters the model does not take are dropped and named
(studio/api/parameters.py); unknown ones are refused with a 400 that names them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import Http404, HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from jobs.models import Image, ProviderModel
from jobs.parameters import EDIT, GENERATE, PARAMETERS
from jobs.request_checks import check_request
from jobs.storage import read_stored_file
from studio.access import get_image_for_token
from studio.api.errors import invalid
from studio.api.links import image_id_from_link
from studio.api.parameters import TakenParameters, refuse_unknown, take_parameters
from studio.api.tokens import model_for_token
from studio.forms.edit import EditForm
from studio.forms.generate import PERSONAL, GenerateForm
from studio.models import ApiToken

API_PARAMETERS = tuple(p.name for p in PARAMETERS)
EDIT_FILES = frozenset({"image", "image[]", "mask"})
IMAGE_PATH = re.compile(r"^/images/(?P<id>[0-9a-f-]{32,36})/(?:file/|thumbnail/|download/)?$")
LINK_PATH = re.compile(r"^/v1/files/(?P<signed>[^/]+)/?$")
# The deepest API body nests 4 levels ({"images": [{"image_url": {"url": …}}]}).
MAX_JSON_DEPTH = 8
DATA_URI = re.compile(r"^data:(?P<type>image/[a-z0-9.+-]+)?(?:;[^,;]*)*;base64,(?P<data>.*)$", re.S)


@dataclass
class ImageCall:
    """A request that passed every check: the bound, valid form, and how to answer."""

    operation: str
    form: GenerateForm
    response_format: str
    ignored: tuple[str, ...] = ()  # OpenAI parameters this model does not take, dropped
    stream: bool = False
    size_used: str | None = None  # the nearest allowed size, used instead of the one asked


def read_generation(request: HttpRequest, token: ApiToken) -> ImageCall:
    body = _json_body(request)
    refuse_unknown(body)
    model, taken = _model(token, body, GENERATE)
    form = GenerateForm(_form_data(token, model, taken.body), user=token.user)
    return _call(GENERATE, _valid(form, {}), taken)


def read_edit(request: HttpRequest, token: ApiToken) -> ImageCall:
    if request.content_type == "multipart/form-data":
        body: Mapping[str, object] = request.POST.dict()
        unknown_files = set(request.FILES) - EDIT_FILES
        if unknown_files:
            raise invalid(
                _("Unknown file part: '%(name)s'.") % {"name": sorted(unknown_files)[0]}, "image"
            )
        uploads = request.FILES.getlist("image") + request.FILES.getlist("image[]")
        mask = request.FILES.get("mask")
        sources: list[str] = []
        param_names = {"image": "image", "mask": "mask"}
        refuse_unknown(body)
        model, taken = _model(token, body, EDIT)
    else:
        body = _json_body(request)
        refuse_unknown(body, frozenset({"images", "mask"}))
        model, taken = _model(token, body, EDIT)
        uploads, sources, mask = _json_images(request, token, body, model)
        param_names = {"image": "images", "mask": "mask"}
    data = _form_data(token, model, taken.body)
    data.setlist("source", sources)
    files = MultiValueDict({"image": uploads, **({"mask": [mask]} if mask else {})})
    form = EditForm(data, files, user=token.user)
    return _call(EDIT, _valid(form, param_names), taken)


def _call(operation: str, form: GenerateForm, taken: TakenParameters) -> ImageCall:
    return ImageCall(
        operation, form, taken.response_format, taken.ignored, taken.stream, taken.size_used
    )


# --- the parts ----------------------------------------------------------------------------------


def _json_body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        # The parser's own words (position and cause) stay as Python wrote them.
        raise invalid(
            _("The request body is not valid JSON: %(error)s.") % {"error": error}
        ) from error
    except RecursionError as error:
        # `[[[[…` a hundred thousand deep exhausts the parser's stack before any limit of ours.
        raise invalid(_("The request body is not valid JSON: it is nested too deeply.")) from error
    if not isinstance(body, dict):
        raise invalid(_("The request body must be a JSON object."))
    if _nested_deeper_than(body, MAX_JSON_DEPTH):
        # What did parse may still be too deep for whatever walks it later (str() of a value in
        # an error message recurses too), and no call of ours nests more than a few levels.
        raise invalid(_("The request body is not valid JSON: it is nested too deeply."))
    return body


def _nested_deeper_than(value: object, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (without recursion)."""
    level = [value]
    for _depth in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


def _model(
    token: ApiToken, body: Mapping[str, object], operation: str
) -> tuple[ProviderModel, TakenParameters]:
    model = model_for_token(token, body.get("model"))
    caps = model.capabilities()
    if operation not in caps.operations:
        # One sentence per operation: the verb must be translated with the sentence around it.
        refusal = (
            _("The model '%(model)s' cannot edit images.")
            if operation == EDIT
            else _("The model '%(model)s' cannot generate images.")
        )
        raise invalid(refusal % {"model": body.get("model")}, "model")
    taken = take_parameters(caps, operation, body, token.nearest_size)
    body = taken.body
    # The capability table's own messages, for every parameter the client sent.
    sent = {name: body[name] for name in ("n", *API_PARAMETERS) if name in body}
    for name, value in sent.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
            raise invalid(_("'%(name)s' must be a string or a number.") % {"name": name}, name)
    problems = check_request(caps, operation, {**sent, "prompt": "-"}, 1, False)
    for name, message in problems.items():
        if name in sent:
            raise invalid(
                _("%(problem)s (model '%(model)s')")
                % {"problem": message, "model": body.get("model")},
                name,
            )
    return model, taken


def _form_data(token: ApiToken, model: ProviderModel, body: Mapping[str, object]) -> QueryDict:
    prompt = body.get("prompt")
    if not isinstance(prompt, str):
        raise invalid(_("'prompt' is required and must be a string."), "prompt")
    user = body.get("user")
    if user is not None and not isinstance(user, str):
        raise invalid(_("'%(param)s' must be a string.") % {"param": "user"}, "user")
    data = QueryDict(mutable=True)
    data["model"] = str(model.pk)
    data["workspace"] = token.team.slug if token.team else PERSONAL
    data["prompt"] = prompt
    for name in ("n", *API_PARAMETERS):
        if body.get(name) not in (None, ""):
            data[name] = str(body[name])
    return data


def _valid(form: GenerateForm, param_names: dict[str, str]) -> GenerateForm:
    if form.is_valid():
        return form
    field, messages = next(iter(form.errors.items()))
    param = None if field == "__all__" else param_names.get(field, field)
    raise invalid(" ".join(str(message) for message in messages), param)


# --- JSON edits: images by link, data URI or id -------------------------------------------------


def _json_images(
    request: HttpRequest, token: ApiToken, body: Mapping[str, object], model: ProviderModel
) -> tuple[list[UploadedFile], list[str], UploadedFile | None]:
    items = body.get("images")
    if not isinstance(items, list) or not items:
        raise invalid(_("'images' must be a list of {image_url} or {file_id} objects."), "images")
    # Counted before any is decoded or looked up, in the words the edit form uses.
    too_many = check_request(model.capabilities(), EDIT, {"prompt": "-"}, len(items), False)
    if "image" in too_many:
        raise invalid(too_many["image"], "images")
    uploads, sources = [], []
    for position, item in enumerate(items):
        param = f"images[{position}]"
        upload, image_id = _json_image(request, token, item, param)
        if upload is not None:
            uploads.append(upload)
        else:
            sources.append(image_id)
    mask = None
    if body.get("mask") is not None:
        mask_upload, mask_id = _json_image(request, token, body["mask"], "mask")
        mask = mask_upload or _stored_as_upload(token, mask_id, "mask")
    return uploads, sources, mask


def _json_image(
    request: HttpRequest, token: ApiToken, item: object, param: str
) -> tuple[UploadedFile | None, str]:
    if not isinstance(item, dict) or len(item) != 1 or not ({"image_url", "file_id"} & set(item)):
        raise invalid(
            _("'%(param)s' must hold exactly one of image_url or file_id.") % {"param": param},
            param,
        )
    if "file_id" in item:
        return None, _visible_image_id(token, item["file_id"], f"{param}.file_id")
    url = item["image_url"]
    if isinstance(url, dict):  # {"image_url": {"url": ...}} as chat clients send it
        url = url.get("url")
    if not isinstance(url, str):
        raise invalid(
            _("'%(param)s' must be a string.") % {"param": f"{param}.image_url"},
            f"{param}.image_url",
        )
    data_uri = DATA_URI.match(url)
    if data_uri:
        return _decoded_upload(data_uri, param), ""
    return None, _visible_image_id(token, _linked_image_id(request, url, param), f"{param}")


def _decoded_upload(match: re.Match, param: str) -> UploadedFile:
    try:
        data = base64.b64decode(match["data"], validate=False)
    except (binascii.Error, ValueError) as error:
        raise invalid(
            _("'%(param)s' is not valid base64.") % {"param": f"{param}.image_url"},
            f"{param}.image_url",
        ) from error
    content_type = match["type"] or "image/png"
    extension = content_type.rsplit("/", 1)[-1]
    return SimpleUploadedFile(f"{param}.{extension}", data, content_type)


def _linked_image_id(request: HttpRequest, url: str, param: str) -> str:
    """The image id in a link to this studio (a page, a file or a signed API link)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        raise invalid(
            _("'%(param)s' must be a data: URI or a link to an image in this studio.")
            % {"param": f"{param}.image_url"},
            f"{param}.image_url",
        )
    page = IMAGE_PATH.match(parts.path)
    if page:
        return page["id"]
    link = LINK_PATH.match(parts.path)
    image_id = image_id_from_link(link["signed"]) if link else None
    if image_id is None:
        raise invalid(
            _("'%(param)s' is not a link to an image, or the link has expired.")
            % {"param": f"{param}.image_url"},
            f"{param}.image_url",
        )
    return image_id


def _visible_image_id(token: ApiToken, image_id: object, param: str) -> str:
    return str(_visible_image(token, image_id, param).pk)


def _visible_image(token: ApiToken, image_id: object, param: str) -> Image:
    try:
        return get_image_for_token(token, str(image_id))
    except (Http404, ValidationError) as missing:  # ValidationError: the id is not even a UUID
        raise invalid(
            _("No image '%(id)s' is available to this token.") % {"id": image_id},
            param,
            "image_not_found",
        ) from missing


def _stored_as_upload(token: ApiToken, image_id: str, param: str) -> UploadedFile:
    image = _visible_image(token, image_id, param)
    return SimpleUploadedFile(
        f"mask.{image.format.lower()}", read_stored_file(image.file.name), image.content_type
    )
