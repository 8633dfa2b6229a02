"""Every documented build recipe (test/integration/recipes.py) with `seldon-s2i build` on the real engine.

One test per recipe and landed language. The same recipes were run with the real s2i v1.3.8;
docs/build-driver.md has the table of both tools' results.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dockercli import image_exists
from recipes import LANGUAGES, Tool, recipes_for, remove_images, run_recipe

SELDON_S2I = Tool("seldon-s2i", (sys.executable, "-m", "seldon_s2i.cli"))
CASES = [(language, recipe) for language in LANGUAGES for recipe in recipes_for(language)]


@pytest.fixture(scope="module", autouse=True)
def builders_present() -> None:
    missing = [app.builder for app in LANGUAGES.values() if not image_exists(app.builder)]
    if missing:
        pytest.fail(f"builder images missing: {missing} (run `make build`)")


@pytest.mark.parametrize(("language", "recipe"), CASES, ids=[f"{lang}: {recipe.name}" for lang, recipe in CASES])
def test_recipe_works_with_seldon_s2i(language, recipe, tmp_path: Path):
    outcome = run_recipe(recipe, language, SELDON_S2I, tmp_path)
    try:
        recipe.check(outcome)
    finally:
        remove_images(outcome.tag)
