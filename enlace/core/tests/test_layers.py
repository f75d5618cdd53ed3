"""The one-way layers (docs/architecture.md) hold only for the code the import-linter contract
names (pyproject.toml): every app, and every module of the channels' framework and plug-in,
must have its place in it, so a new one cannot slip past `make lint`."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def contract_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [layers] = [
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["type"] == "layers"
    ]
    names = set()
    for layer in layers["layers"]:
        for part in layer.replace("|", ":").split(":"):
            names.add(part.strip())
    return names


def packages(folder: Path) -> list[str]:
    return sorted(
        child.name
        for child in folder.iterdir()
        if (child / "__init__.py").exists() and child.name not in ("tests", "__pycache__")
    )


def test_every_app_has_its_layer():
    named = contract_modules()
    channels = {"enlace.channels." + name for name in packages(ROOT / "enlace" / "channels")}
    for app in packages(ROOT / "enlace"):
        module = f"enlace.{app}"
        if app == "channels":
            continue  # its framework's modules and its plug-ins are named one by one (below)
        assert module in named, f"{module} has no layer in pyproject.toml's import-linter contract"
    for plugin in channels:
        assert plugin in named, f"{plugin} has no layer in the import-linter contract"


def test_every_module_of_the_channels_framework_has_its_layer():
    named = contract_modules()
    folder = ROOT / "enlace" / "channels"
    modules = {
        f"enlace.channels.{path.stem}" for path in folder.glob("*.py") if path.stem != "__init__"
    } | {f"enlace.channels.{name}" for name in packages(folder)}
    missing = sorted(modules - named)
    assert not missing, f"not in the import-linter contract: {missing}"
