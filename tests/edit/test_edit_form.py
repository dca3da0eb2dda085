"""The edit form over the Django test client: bad uploads are refused next to their field and
create no job; good ones make an edit job whose sources are the chosen images."""

from __future__ import annotations

import io
import os
import zlib
from struct import pack

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from jobs.models import Image, ImageOrigin, Job, JobKind, QuotaLimit
from studio.models import LibraryItem, Membership, Role, Team
from studio.submit import store_upload
from tests.conftest import PASSWORD
from tests.fixtures.images import jpeg, mask_png, png

pytestmark = pytest.mark.django_db


def huge_png(width: int, height: int) -> bytes:
    """A real, complete 1-bit PNG of any dimensions, without holding its pixels in memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return pack(">I", len(body)) + kind + body + pack(">I", zlib.crc32(kind + body))

    compressor, row = zlib.compressobj(9), b"\x00" * (1 + (width + 7) // 8)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def alice_client(client, alice):
    client.login(username="alice", password=PASSWORD)
    return client


@pytest.fixture
def post_edit(alice_client, sandbox_models):
    """`post_edit(model="gpt-image-1", images=[...], mask=None, **fields)` -> the response."""

    def post(model: str = "gpt-image-1", images=(), mask=None, **fields):
        data = {
            "prompt": "make the sky stormy",
            "model": sandbox_models[model].pk,
            "n": "1",
            **fields,
        }
        if images:
            data["image"] = list(images)
        if mask is not None:
            data["mask"] = mask
        return alice_client.post("/edit/", data)

    return post


def field_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors.get(field, [])


# --- bad uploads: a clear message next to the field, and no job --------------------------------


def test_a_text_file_named_png_is_refused_next_to_image(post_edit):
    response = post_edit(images=[upload(b"just some notes, not a picture\n", "notes.png")])
    assert field_errors(response, "image") == [
        "“notes.png”: The file is not a readable PNG, JPEG or WebP image."
    ]
    assert Job.objects.count() == 0
    assert Image.objects.count() == 0
    assert "“notes.png”: The file is not a readable PNG, JPEG or WebP image." in (
        response.content.decode()
    )


def test_a_40000_by_40000_png_is_refused_for_its_pixels(post_edit):
    response = post_edit(images=[upload(huge_png(40_000, 40_000), "huge.png")])
    [message] = field_errors(response, "image")
    assert message.startswith("“huge.png”: ")
    assert "pixels" in message
    assert Job.objects.count() == 0
    assert Image.objects.count() == 0


def test_a_file_over_the_upload_limit_is_refused(post_edit, settings):
    settings.STUDIO_UPLOAD_MAX_BYTES = 2048
    data = png(256, 256, colour=(1, 2, 3)) + os.urandom(4096)
    response = post_edit(images=[upload(data, "big.png")])
    [message] = field_errors(response, "image")
    assert message.startswith("“big.png” is ")
    assert message.endswith("the largest file we accept is 2.0\xa0KB.")
    assert Job.objects.count() == 0


def test_a_mask_of_the_wrong_size_is_refused_next_to_mask(post_edit):
    response = post_edit(images=[upload(png(64, 64))], mask=upload(mask_png(32, 32), "mask.png"))
    assert field_errors(response, "mask") == [
        "The mask is 32×32 but the image is 64×64; the mask must be exactly the size of the image."
    ]
    assert field_errors(response, "image") == []
    assert Job.objects.count() == 0
    assert Image.objects.count() == 0


def test_a_mask_without_transparency_is_refused(post_edit):
    response = post_edit(images=[upload(png(64, 64))], mask=upload(png(64, 64), "mask.png"))
    [message] = field_errors(response, "mask")
    assert "no transparent pixels" in message
    assert Job.objects.count() == 0


def test_a_mask_that_is_not_a_png_is_refused(post_edit):
    response = post_edit(images=[upload(png(64, 64))], mask=upload(jpeg(64, 64), "mask.jpg"))
    assert field_errors(response, "mask") == [
        "The mask must be a PNG image whose transparent part is the area to change."
    ]
    assert Job.objects.count() == 0


def test_too_many_images_for_a_one_image_model(post_edit):
    response = post_edit(model="grok-3-image", images=[upload(png()), upload(png(), "two.png")])
    assert field_errors(response, "image") == ["This model accepts at most 1 image."]
    assert Job.objects.count() == 0
    assert Image.objects.count() == 0


def test_too_many_images_are_refused_before_any_is_decoded(post_edit, monkeypatch):
    from studio.forms import edit

    inspected = []
    real = edit.inspect_image
    monkeypatch.setattr(edit, "inspect_image", lambda data: inspected.append(1) or real(data))
    images = [upload(png(), f"{number}.png") for number in range(12)]
    response = post_edit(model="grok-3-image", images=images)
    assert field_errors(response, "image") == ["This model accepts at most 1 image."]
    assert inspected == []
    assert Job.objects.count() == 0


def test_no_image_at_all_asks_for_one(post_edit):
    response = post_edit()
    assert field_errors(response, "image") == ["Upload an image to edit."]
    assert Job.objects.count() == 0


def test_a_mask_for_a_model_without_masks_is_refused(post_edit):
    response = post_edit(model="grok-3-image", images=[upload(png())], mask=upload(mask_png()))
    assert field_errors(response, "mask") == ["This model does not take a mask."]
    assert Job.objects.count() == 0


# --- good edits ---------------------------------------------------------------------------------


def test_an_upload_with_a_mask_becomes_an_edit_job_with_the_upload_as_source(post_edit, alice):
    response = post_edit(images=[upload(png(64, 64))], mask=upload(mask_png(64, 64)), n="2")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.n, job.owner) == (JobKind.EDIT, 2, alice)
    [source] = job.source_images.all()
    assert (source.origin, source.owner, source.width, source.format) == (
        ImageOrigin.UPLOADED,
        alice,
        64,
        "PNG",
    )
    with default_storage.open(job.mask.name, "rb") as handle:
        assert handle.read() == mask_png(64, 64)


def test_several_uploads_for_a_model_that_takes_several(post_edit):
    response = post_edit(images=[upload(png(colour=(1, 1, 1))), upload(png(colour=(2, 2, 2)))])
    assert response.status_code == 302
    assert Job.objects.get().source_images.count() == 2


def test_over_quota_the_uploads_are_not_kept(post_edit, alice):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=0)
    response = post_edit(images=[upload(png())])
    [message] = response.context["form"].non_field_errors()
    assert "0 of 0 images left today" in message
    assert Job.objects.count() == 0
    assert Image.objects.count() == 0


# --- editing an image already in the studio ----------------------------------------------------


@pytest.fixture
def alices_image(alice):
    return store_upload(png(48, 48), owner=alice)


def test_edit_on_a_stored_image_opens_the_form_with_it_chosen(
    alice_client, sandbox_models, alices_image
):
    response = alice_client.get(f"/edit/?image={alices_image.pk}")
    page = response.content.decode()
    assert f'<input type="hidden" name="source" value="{alices_image.pk}">' in page
    assert f"/images/{alices_image.pk}/thumbnail/" in page


def test_a_stored_image_is_edited_without_a_new_upload(post_edit, alices_image):
    response = post_edit(source=[str(alices_image.pk)], mask=upload(mask_png(48, 48)))
    assert response.status_code == 302
    job = Job.objects.get()
    assert list(job.source_images.all()) == [alices_image]
    assert Image.objects.count() == 1  # nothing was stored again


@pytest.mark.parametrize("page", ["/edit/", "/generate/"])  # the Edit page, the studio's dock
def test_an_upload_for_an_edit_in_a_team_joins_its_library_and_a_chosen_image_does_not(
    alice_client, alice, alices_image, sandbox_models, page
):
    design = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=design, user=alice, role=Role.EDITOR)
    response = alice_client.post(
        page,
        {
            "prompt": "make the sky stormy",
            "model": sandbox_models["gpt-image-1"].pk,
            "n": "1",
            "workspace": "design",
            "source": [str(alices_image.pk)],
            "image": [upload(png(48, 48))],
        },
    )
    assert response.status_code == 302, response.content
    job = Job.objects.get()
    [uploaded] = job.source_images.exclude(pk=alices_image.pk)
    assert uploaded.team == design
    in_library = LibraryItem.objects.values_list("team", "image", "added_by")
    assert list(in_library) == [(design.pk, uploaded.pk, alice.pk)]  # not the personal source


def test_another_persons_image_cannot_be_chosen(client, bob, alices_image, sandbox_models):
    client.login(username="bob", password=PASSWORD)
    assert client.get(f"/edit/?image={alices_image.pk}").status_code == 404
    response = client.post(
        "/edit/",
        {
            "prompt": "mine now",
            "model": sandbox_models["gpt-image-1"].pk,
            "source": str(alices_image.pk),
            "n": "1",
        },
    )
    assert field_errors(response, "image") == ["One of the chosen images is not available to you."]
    assert Job.objects.count() == 0


# --- conversions for dall-e-2: a square RGBA PNG under 4 MB, made in the job ----------------------


def sent_by_the_job(job: Job):
    """The images and mask the job will send, as the pipeline builds its request."""
    from jobs.engine import build_request

    request = build_request(job)
    return request.images, request.mask


def test_dall_e_2_gets_a_jpeg_converted_to_a_square_png_in_the_job(post_edit):
    out = io.BytesIO()
    PILImage.new("RGB", (96, 96), (200, 10, 10)).save(out, "JPEG")
    response = post_edit(
        model="dall-e-2", images=[upload(jpeg(96, 96, (200, 10, 10)), "photo.jpg", "image/jpeg")]
    )
    assert response.status_code == 302
    job = Job.objects.get()
    [source] = job.source_images.all()
    assert (source.format, source.bytes) == ("JPEG", len(out.getvalue()))  # stored as sent
    [sent], _mask = sent_by_the_job(job)
    with PILImage.open(io.BytesIO(sent.data)) as converted:
        assert (converted.format, converted.mode, converted.size) == ("PNG", "RGBA", (96, 96))
    assert (sent.filename, sent.content_type) == ("image-0.png", "image/png")


def test_dall_e_2_refuses_an_image_that_is_not_square(post_edit):
    response = post_edit(model="dall-e-2", images=[upload(png(120, 80))])
    assert field_errors(response, "image") == [
        "This model edits only square images; this one is 120×80. "
        "Crop it to a square or choose another model."
    ]
    assert Job.objects.count() == 0


def test_dall_e_2_shrinks_a_png_over_4_mb_and_its_mask_with_it_in_the_job(post_edit):
    noise = PILImage.frombytes("RGBA", (1100, 1100), os.urandom(1100 * 1100 * 4))
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=1)
    assert len(out.getvalue()) > 4 * 2**20
    response = post_edit(
        model="dall-e-2",
        images=[upload(out.getvalue(), "noise.png")],
        mask=upload(mask_png(1100, 1100)),
    )
    assert response.status_code == 302
    job = Job.objects.get()
    [source] = job.source_images.all()
    assert source.width == 1100 and source.bytes == len(out.getvalue())  # stored as sent
    [sent], mask = sent_by_the_job(job)
    assert len(sent.data) < 4 * 2**20
    with PILImage.open(io.BytesIO(sent.data)) as image, PILImage.open(io.BytesIO(mask.data)) as m:
        assert image.width == image.height < 1100
        assert m.size == image.size


def test_a_stored_image_is_edited_as_it_is_and_converted_only_for_the_request(post_edit, alice):
    out = io.BytesIO()
    PILImage.new("RGB", (40, 40), (9, 9, 9)).save(out, "JPEG")
    original = store_upload(out.getvalue(), owner=alice)
    response = post_edit(model="dall-e-2", source=[str(original.pk)])
    assert response.status_code == 302
    job = Job.objects.get()
    assert list(job.source_images.all()) == [original]
    [sent], _mask = sent_by_the_job(job)
    assert sent.data.startswith(b"\x89PNG")


# --- the page ----------------------------------------------------------------------------------


def test_the_page_has_the_labelled_fields_and_the_edit_button(alice_client, sandbox_models):
    page = alice_client.get("/edit/").content.decode()
    for label in ("Image", "Mask", "Prompt", "Model", "Number of results"):
        assert f">{label}</label>" in page
    assert '<button type="submit" class="primary">Edit</button>' in page
    assert 'enctype="multipart/form-data"' in page
    assert "js/mask-painter.js" in page


def test_choosing_a_model_swaps_in_its_edit_fields(alice_client, sandbox_models):
    grok = sandbox_models["grok-3-image"]
    response = alice_client.get(f"/generate/fields/?operation=edit&model={grok.pk}")
    assert response.status_code == 200
    assert ">Aspect ratio</label>" in response.content.decode()
    assert ">Number of results</label>" in response.content.decode()
