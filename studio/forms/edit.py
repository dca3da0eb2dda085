"""The edit form: the generate form plus the images to edit (uploads and/or stored images) and a
mask. Every input is checked here, so a bad upload is a message next to its field, never a job."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jobs.capabilities import Capabilities
from jobs.inputs import EditInputs, InputRejected, check_edit_inputs
from jobs.localized import localize
from jobs.models import Image
from jobs.storage import ImageRejected, inspect_image, read_stored_file
from studio.access import get_image_for
from studio.forms.generate import GenerateForm

ACCEPTED_TYPES = "image/png,image/jpeg,image/webp"


class MultipleImageInput(forms.FileInput):
    allow_multiple_selected = True


class ImageUploadsField(forms.FileField):
    """Zero or more uploaded files, cleaned to a list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": ACCEPTED_TYPES}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(ImageUploadsField, self).clean(item, initial) for item in files if item]


class StoredImagesField(forms.Field):
    """Ids of images already in the studio, one hidden input each."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value]
        return list(dict.fromkeys(str(item).strip() for item in values if str(item or "").strip()))


class EditForm(GenerateForm):
    operation = "edit"
    # Bound to request.POST or the API's QueryDict: "source" may come several times.
    data: MultiValueDict[str, Any]

    image = ImageUploadsField(
        label=gettext_lazy("Image"),
        required=False,
        help_text=gettext_lazy("PNG, JPEG or WebP. The mask applies to the first image."),
    )
    mask = forms.FileField(
        label=gettext_lazy("Mask"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png"}),
        help_text=gettext_lazy(
            "Paint over the image above, or upload a PNG of the image's size whose "
            "transparent part is the area to change."
        ),
    )
    source = StoredImagesField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.edit_inputs: EditInputs | None = None
        if "n" in self.fields:
            # "Number of images" would also answer to the label "Image".
            self.fields["n"].label = _("Number of results")
        if self.capabilities and self.capabilities.max_input_images <= 1:
            self.fields["image"].widget.attrs.pop("multiple", None)
        else:
            self.fields["image"].widget.attrs["multiple"] = True

    # --- per field ---------------------------------------------------------------------------

    def clean_image(self) -> list[bytes]:
        if self._too_many_images():
            return []  # nothing decoded: clean() says "at most N images" from what was sent
        return [_read_image_upload(upload) for upload in self.cleaned_data["image"]]

    def clean_mask(self) -> bytes | None:
        upload = self.cleaned_data.get("mask")
        if not upload:
            return None
        _check_upload_size(upload)
        return upload.read()

    def clean_source(self) -> list[Image]:
        if self._too_many_images():
            return []
        images = []
        for image_id in self.cleaned_data["source"]:
            try:
                images.append(get_image_for(self.user, image_id))
            except Http404:
                # The hidden field has no place on the page: say it next to "Image".
                self.add_error("image", _("One of the chosen images is not available to you."))
                return []
        # The pipeline sends sources oldest first; the mask must fit the first one sent.
        return sorted(images, key=lambda image: image.created_at)

    # --- the whole request -------------------------------------------------------------------

    def input_counts(self) -> tuple[int, bool]:
        # What was sent, not what survived cleaning: a rejected file must not also read as
        # "Upload an image", and too many files is worth saying even when one is bad.
        sources = StoredImagesField().to_python(self.data.getlist("source"))
        uploads = [upload for upload in self.files.getlist("image") if upload]
        return len(sources) + len(uploads), bool(self.files.get("mask"))

    def _too_many_images(self) -> bool:
        """More images than the model takes: counted before any is decoded or looked up, so a
        request of dozens of large images costs nothing to refuse."""
        count, _has_mask = self.input_counts()
        return self.capabilities is not None and count > self.capabilities.max_input_images

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.capabilities and not self.errors:
            stored = [read_stored_file(image.file.name) for image in data["source"]]
            try:
                self.edit_inputs = check_edit_inputs(
                    self.capabilities, stored + data["image"], data["mask"]
                )
            except InputRejected as refusal:
                field = refusal.field if refusal.field in self.fields else None
                self.add_error(field, str(refusal))
        return data

    def checked_inputs(self) -> EditInputs:
        """The images and mask as checked for the model (call after `is_valid()`)."""
        assert self.edit_inputs is not None, "a valid edit form has checked its inputs"
        return self.edit_inputs

    # --- for the page ------------------------------------------------------------------------

    def chosen_images(self) -> list[Image]:
        """The stored images this form edits, to show as thumbnails (never raises)."""
        raw = self.data.getlist("source") if self.is_bound else self.initial.get("source", [])
        chosen = []
        for image_id in StoredImagesField().to_python(raw):
            try:
                chosen.append(get_image_for(self.user, image_id))
            except Http404:
                continue
        return sorted(chosen, key=lambda image: image.created_at)

    def model_limits(self) -> dict[str, dict[str, Any]]:
        """What the page's script needs to adapt the image and mask fields to the chosen model."""
        limits = {}
        for model in self.available_models:
            caps = model.capabilities()
            limits[str(model.pk)] = {
                "mask": caps.mask,
                "maxImages": caps.max_input_images,
                "square": caps.edit_square_png_max_bytes is not None,
                "rules": input_rules(caps),
            }
        return limits

    def input_rules(self) -> str:
        """The chosen model's rules for its inputs, shown before the person submits."""
        return input_rules(self.capabilities) if self.capabilities else ""

    @property
    def takes_mask(self) -> bool:
        return bool(self.capabilities and self.capabilities.mask)


def input_rules(caps: Capabilities) -> str:
    """One sentence per rule of the capability table that the person can act on before sending."""
    count = caps.max_input_images
    rules = [
        ngettext(
            "This model takes %(count)s image.", "This model takes up to %(count)s images.", count
        )
        % {"count": count}
    ]
    if caps.edit_square_png_max_bytes is not None:
        rules.append(
            _(
                "Each image must be square; it is sent as a PNG under %(size)s MB "
                "(made smaller if needed)."
            )
            % {"size": caps.edit_square_png_max_bytes // 2**20}
        )
    rules.append(
        _("The mask applies to the first image.") if caps.mask else _("This model takes no mask.")
    )
    return " ".join(rules)


def _check_upload_size(upload: UploadedFile) -> None:
    assert upload.size is not None, "a received or decoded upload knows its size"
    limit = settings.STUDIO_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("“%(name)s” is %(size)s; the largest file we accept is %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            }
        )


def _read_image_upload(upload: UploadedFile) -> bytes:
    """The upload's bytes, once they are known to be an image we accept."""
    _check_upload_size(upload)
    data = upload.read()
    try:
        inspect_image(data)
    except ImageRejected as refusal:
        raise forms.ValidationError(
            _("“%(name)s”: %(problem)s") % {"name": upload.name, "problem": localize(refusal.text)}
        ) from refusal
    return data
