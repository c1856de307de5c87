"""The wheel's package list (pyproject.toml [tool.setuptools] packages, needed with package-dir) names every
package folder of cms/, search/ and workers/, and nothing else: a folder left out is missing from the wheel
(templates that load its tags, management commands, migrations) although every test from the checkout passes."""

import tomllib

from .manifests import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _package_folders() -> dict[str, str]:
    """Dotted package name → folder, by the package-dir mapping."""
    found = {}
    for package, folder in PYPROJECT["tool"]["setuptools"]["package-dir"].items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            relative = init.parent.relative_to(base)
            if "__pycache__" in relative.parts:
                continue
            found[".".join((package, *relative.parts))] = str(init.parent.relative_to(ROOT))
    return found


def test_every_package_folder_is_in_the_wheel_list():
    folders = _package_folders()
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    missing = {name: folder for name, folder in folders.items() if name not in listed}
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"
    assert not listed - set(folders), f"listed but no such package folder: {sorted(listed - set(folders))}"


def test_the_project_names_its_urls():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    assert set(project["urls"]) == {"Homepage", "Source", "Issues", "Documentation", "Changelog"}
    assert all(isinstance(url, str) for url in project["urls"].values())  # nothing else fell into the table
    assert any(req.startswith("wagtail") for req in project["dependencies"])
