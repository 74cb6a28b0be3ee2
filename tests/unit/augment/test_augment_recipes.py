"""lib.augment.recipes: each tutorial pipeline builds exactly the tutorial's transforms."""
import pytest
import torch
from torchvision.transforms import v2

from lib.augment import pipeline, recipes
from lib.augment.normalise import NORMALISE_PRESETS


def mode(interpolation) -> str:
    """An interpolation as its name: v2 keeps what it was given (an InterpolationMode or its string)."""
    return getattr(interpolation, "value", interpolation)


def built(key: str) -> list[v2.Transform]:
    result = pipeline.build_pipeline(recipes.recipe(key).pipeline())
    assert not result.errors
    return [pipeline.build_transform(step, faster=False) for step in recipes.recipe(key).pipeline()]


def test_transfer_training_pipeline_is_the_tutorials():
    # data_transforms['train']: RandomResizedCrop(224), RandomHorizontalFlip(), ToTensor(), Normalize(ImageNet)
    crop, flip = built("transfer_train")
    reference = v2.RandomResizedCrop(224)
    assert isinstance(crop, v2.RandomResizedCrop) and list(crop.size) == [224, 224]
    assert crop.scale == pytest.approx(reference.scale) and crop.ratio == pytest.approx(reference.ratio, abs=1e-4)
    assert mode(crop.interpolation) == mode(reference.interpolation)
    assert isinstance(flip, v2.RandomHorizontalFlip) and flip.p == v2.RandomHorizontalFlip().p == 0.5
    assert NORMALISE_PRESETS[recipes.recipe("transfer_train").normalise] == ((0.485, 0.456, 0.406),
                                                                            (0.229, 0.224, 0.225))


def test_transfer_validation_pipeline_is_the_tutorials():
    # data_transforms['val']: Resize(256), CenterCrop(224), ToTensor(), Normalize(ImageNet)
    resize, crop = built("transfer_val")
    assert isinstance(resize, v2.Resize) and list(resize.size) == [256]
    assert mode(resize.interpolation) == mode(v2.Resize(256).interpolation) and resize.antialias
    assert isinstance(crop, v2.CenterCrop) and list(crop.size) == [224, 224]
    assert recipes.recipe("transfer_val").normalise == "imagenet"
    image = torch.randint(0, 256, (3, 300, 400), dtype=torch.uint8)
    ours = v2.Compose(built("transfer_val"))(image)
    theirs = v2.Compose([v2.Resize(256), v2.CenterCrop(224)])(image)
    assert torch.equal(ours, theirs) and ours.shape == (3, 224, 224)


def test_cifar_tutorial_has_no_augmentation_and_half_normalisation():
    assert recipes.recipe("cifar").pipeline() == []
    assert NORMALISE_PRESETS[recipes.recipe("cifar").normalise] == ((0.5,) * 3, (0.5,) * 3)


def test_every_recipe_has_its_notes():
    for recipe in recipes.RECIPES.values():
        assert recipe.title and recipe.note and recipe.differs.startswith("**How this differs")
        assert recipe.normalise in NORMALISE_PRESETS
