"""The capability table: limits per model (docs/dialects.md), overrides, credits, form fields and
request checks."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import translation

from jobs.capabilities import MODEL_DEFAULTS, Capabilities, credits_for, is_gpt_image
from jobs.dialects import capabilities_for
from jobs.form_fields import visible_fields
from jobs.models import Job
from jobs.parameters import CHOICE_PARAMETERS, PARAMETERS
from jobs.request_checks import check_edit_images, check_request
from studio.forms.generate import _parameter_field
from tests.fixtures.images import jpeg, png


def problems(dialect, model, operation="generate", images=0, mask=False, **params):
    caps = capabilities_for(dialect, model)
    return check_request(caps, operation, {"prompt": "a cat", **params}, images, mask)


def test_a_request_within_the_limits_has_no_problems():
    assert problems("openai", "dall-e-2", n=10, size="512x512") == {}
    assert problems("openai", "gpt-image-1", size="auto", quality="high", background="opaque") == {}
    assert problems("grok", "grok-3-image", aspect_ratio="9:19.5", resolution="2k") == {}


@pytest.mark.parametrize(
    ("dialect", "model", "longest"),
    [("openai", "dall-e-2", 1000), ("openai", "dall-e-3", 4000), ("openai", "gpt-image-1", 32000),
     ("task", "gpt-image-1.5", 32000), ("grok", "grok-3-image", 1000)],
)  # fmt: skip
def test_prompt_length_limits(dialect, model, longest):
    assert problems(dialect, model, prompt="x" * longest) == {}
    assert f"at most {longest}" in problems(dialect, model, prompt="x" * (longest + 1))["prompt"]


def test_an_empty_prompt_is_refused():
    assert problems("openai", "dall-e-2", prompt="  ") == {"prompt": "Enter a prompt."}


@pytest.mark.parametrize(
    ("model", "too_many"), [("dall-e-2", 11), ("dall-e-3", 2), ("gpt-image-1", 11)]
)
def test_image_count_limits(model, too_many):
    assert "n" in problems("openai", model, n=too_many)
    assert "n" in problems("openai", model, n=0)


def test_sizes_and_qualities_per_model():
    assert "size" in problems("openai", "dall-e-2", size="1792x1024")
    assert problems("openai", "dall-e-3", size="1792x1024", quality="hd") == {}
    assert "quality" in problems("openai", "dall-e-2", quality="hd")
    assert "size" in problems("openai", "gpt-image-1", size="256x256")
    assert "size" in problems("grok", "grok-3-image", size="1024x1024")
    assert problems("grok", "grok-3-image", size="1168x784") == {}


def test_fields_a_model_does_not_take_are_refused_with_a_message():
    result = problems("openai", "dall-e-3", background="transparent", aspect_ratio="1:1")

    assert result == {
        "background": "This model does not offer a choice of background.",
        "aspect_ratio": "This model does not offer a choice of aspect ratio.",
    }


def test_gpt_image_output_rules():
    assert "background" in problems(
        "openai", "gpt-image-1", background="transparent", output_format="jpeg"
    )
    assert problems("openai", "gpt-image-1", background="transparent", output_format="webp") == {}
    assert "output_compression" in problems("openai", "gpt-image-1", output_compression=50)
    assert "output_compression" in problems(
        "openai", "gpt-image-1", output_compression=101, output_format="jpeg"
    )
    assert problems("openai", "gpt-image-1", output_compression=50, output_format="jpeg") == {}
    assert "output_compression" in problems("openai", "dall-e-2", output_compression=50)


def test_edit_limits_per_model():
    assert problems("openai", "dall-e-3", operation="edit", images=1) == {
        "image": "This model cannot edit images."
    }
    assert problems("openai", "gpt-image-1", operation="edit", images=16, mask=True) == {}
    assert "image" in problems("openai", "gpt-image-1", operation="edit", images=17)
    assert "image" in problems("openai", "dall-e-2", operation="edit", images=2)
    assert "image" in problems("openai", "dall-e-2", operation="edit", images=0)
    assert problems("grok", "grok-3-image", operation="edit", images=1, mask=True) == {
        "mask": "This model does not take a mask."
    }
    assert "image" in problems("grok", "grok-3-image", operation="edit", images=2)


def test_the_same_model_can_mean_less_under_another_dialect():
    assert capabilities_for("qwen", "wanx-v1").n_max == 1
    assert "edit" not in capabilities_for("dashscope", "wanx-v1").operations
    assert capabilities_for("dashscope", "wanx-v1").sizes == (
        "1024x1024", "720x1280", "1280x720", "768x1152"
    )  # fmt: skip


def test_unknown_models_get_their_dialects_defaults():
    assert capabilities_for("grok", "grok-4-image") == capabilities_for("grok", "grok-3-image")
    assert capabilities_for("task", "some-relay-model").max_input_images == 16
    assert capabilities_for("openai", "flux-pro").operations == {"generate", "edit"}
    assert capabilities_for("dashscope", "wanx2.1-t2i-turbo").n_max == 4


def test_overrides_replace_defaults_and_lists_become_tuples():
    caps = capabilities_for(
        "openai",
        "dall-e-2",
        {"n_max": 4, "sizes": ["512x512"], "operations": ["generate"], "mask": False},
        credits_per_image=3,
    )

    assert (caps.n_max, caps.sizes, caps.operations, caps.mask) == (
        4, ("512x512",), frozenset({"generate"}), False
    )  # fmt: skip
    assert caps.credits_per_image == 3
    assert "size" in check_request(caps, "generate", {"prompt": "x", "size": "256x256"}, 0, False)


def test_an_unknown_override_key_is_refused_clearly():
    with pytest.raises(ValueError, match="Unknown capability 'max_n'"):
        capabilities_for("openai", "dall-e-2", {"max_n": 3})


@pytest.mark.parametrize(
    "overrides",
    [{"n_max": "four"}, {"sizes": "1024x1024"}, {"mask": "yes"}, {"operations": ["paint"]},
     {"default_response_format": "jpeg"}, {"quality_credit_multipliers": 2}],
)  # fmt: skip
def test_an_override_of_the_wrong_type_is_refused(overrides):
    with pytest.raises(ValueError, match=next(iter(overrides))):
        capabilities_for("openai", "gpt-image-1", overrides)


def test_an_unknown_dialect_is_refused():
    with pytest.raises(ValueError, match="Unknown dialect"):
        capabilities_for("midjourney", "v6")


def test_credits_follow_size_and_quality_multipliers():
    dalle3 = capabilities_for("openai", "dall-e-3")
    gpt = capabilities_for("openai", "gpt-image-1", credits_per_image=2)

    assert credits_for(dalle3, 1, "1024x1024", "standard") == 1
    assert credits_for(dalle3, 1, "1792x1024", "hd") == 3  # 1 x 1.5 x 2, rounded up
    assert credits_for(gpt, 3, "1536x1024", "high") == 36  # 3 x (2 x 1.5 x 4)
    assert credits_for(gpt, 2, None, None) == 4


def test_visible_fields_are_what_the_model_supports():
    assert visible_fields(capabilities_for("openai", "dall-e-2"), "edit") == [
        "image", "mask", "prompt", "n", "size"
    ]  # fmt: skip
    assert visible_fields(capabilities_for("openai", "dall-e-3"), "generate") == [
        "prompt", "size", "quality", "style"
    ]  # fmt: skip
    assert visible_fields(capabilities_for("grok", "grok-3-image"), "edit") == [
        "image", "prompt", "n", "size", "aspect_ratio", "resolution", "quality"
    ]  # fmt: skip
    gpt_fields = visible_fields(capabilities_for("openai", "gpt-image-1"), "generate")
    assert {"background", "output_format", "moderation", "output_compression"} <= set(gpt_fields)
    assert visible_fields(capabilities_for("qwen", "wanx-v1"), "generate") == ["prompt"]


def test_dall_e_2_edits_need_a_square_png_and_a_matching_mask():
    dalle2 = capabilities_for("openai", "dall-e-2")

    assert check_edit_images(dalle2, [png(64, 64)], png(64, 64)) == {}
    assert "square" in check_edit_images(dalle2, [png(64, 32)], None)["image"]
    assert "square" in check_edit_images(dalle2, [jpeg(64, 64)], None)["image"]
    assert "same size" in check_edit_images(dalle2, [png(64, 64)], png(32, 32))["mask"]
    assert "not an image" in check_edit_images(dalle2, [b"not an image"], None)["image"]


def test_gpt_image_edits_take_any_image_shape():
    gpt = capabilities_for("openai", "gpt-image-1")

    assert check_edit_images(gpt, [jpeg(64, 32), png(10, 10)], None) == {}


def test_the_gpt_image_rows_offer_base64_alone_and_no_other_row_does():
    for name, caps in MODEL_DEFAULTS.items():
        assert (caps.api_response_formats == ("b64_json",)) == is_gpt_image(name), name


def test_the_parameter_registry_names_real_capabilities_and_drives_the_form_fields():
    capability_fields = {f.name for f in dataclasses.fields(Capabilities)}
    assert all(p.choices_from in capability_fields for p in CHOICE_PARAMETERS)
    # A model taking every parameter the registry knows: edits show all but the generate-only
    # ones, generations all but the edit-only ones.
    caps = dataclasses.replace(
        capabilities_for("openai", "gpt-image-1"),
        aspect_ratios=("1:1",),
        resolutions=("1k",),
        styles=("vivid",),
    )
    edit_fields = set(visible_fields(caps, "edit"))
    generate_fields = set(visible_fields(caps, "generate"))
    for parameter in PARAMETERS:
        assert (parameter.name in edit_fields) == ("edit" in parameter.operations)
        assert (parameter.name in generate_fields) == ("generate" in parameter.operations)


def test_parameter_labels_are_plain_english_translated_where_they_are_shown():
    caps = capabilities_for("openai", "dall-e-3")
    job = Job(params={"size": "1024x1024", "n": 2, "old_setting": "x"})
    with translation.override("zh-hans"):
        assert str(_parameter_field("size", caps).label) == "尺寸"
        assert job.param_items() == [("尺寸", "1024x1024"), ("图片数量", 2), ("Old setting", "x")]
        refused = check_request(caps, "generate", {"prompt": "p", "aspect_ratio": "1:1"}, 0, False)
        assert refused["aspect_ratio"] == "该模型不支持选择宽高比。"
    assert job.param_items()[0] == ("Size", "1024x1024")
