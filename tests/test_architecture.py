"""Dependencies point one way: intake_forms <- services <- channels; models import nothing app-level."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ("kiosk", "sms", "voice", "staff", "admin", "reports")
APP_LEVEL = ("app", "config", "extensions", "services", "intake_forms", *CHANNELS)


def imports_of(package: str) -> dict[str, set[str]]:
    """Return, for each module file of a package, the top-level names it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_intake_definition_imports_no_web_framework():
    for module, names in imports_of("intake_forms").items():
        forbidden = names & {"flask", "flask_wtf", "wtforms", "twilio", "flask_babel", "sqlalchemy",
                             "models", "services", *CHANNELS}
        assert not forbidden, f"{module} imports {forbidden}"


def test_models_import_nothing_app_level():
    for module, names in imports_of("models").items():
        assert not names & set(APP_LEVEL), f"{module} imports {names & set(APP_LEVEL)}"


def test_services_do_not_import_channels():
    for module, names in imports_of("services").items():
        assert not names & set(CHANNELS), f"{module} imports {names & set(CHANNELS)}"


@pytest.mark.parametrize("channel", CHANNELS)
def test_channels_never_import_each_other(channel):
    if not (ROOT / channel).is_dir():
        pytest.skip(f"{channel}/ is not part of this tree yet")
    others = set(CHANNELS) - {channel}
    for module, names in imports_of(channel).items():
        assert not names & others, f"{module} imports {names & others}"
