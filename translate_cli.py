"""The ``flask translate`` command group: wrap pybabel extract, update, compile and init."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parent
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
# Directories never scanned for messages (patterns match a directory's base name).
IGNORE_DIRS = ".* ._ tests migrations bench build instance test-artifacts node_modules"

translate = AppGroup("translate", help="Extract, update, compile and add translations.")


def pybabel(*args: str) -> None:
    """Run one pybabel command with this interpreter, from the project root."""
    cmd = [sys.executable, "-m", "babel.messages.frontend", *args]
    subprocess.run(cmd, check=True, cwd=ROOT)  # noqa: S603 (fixed argument list, no shell)


def extract_messages() -> None:
    """Write translations/messages.pot from the Python code and the templates."""
    TRANSLATIONS.mkdir(exist_ok=True)
    pybabel(
        "extract",
        "-F", "babel.cfg",
        "-k", "_l",
        "-k", "N_",
        "--ignore-dirs", IGNORE_DIRS,
        "--add-comments", "TRANSLATORS:",
        "--project", "Front Door",
        "--sort-by-file",
        "-o", str(TEMPLATE.relative_to(ROOT)),
        ".",
    )  # fmt: skip


@translate.command("extract")
def extract_command() -> None:
    """Extract messages into translations/messages.pot."""
    extract_messages()


@translate.command("update")
def update_command() -> None:
    """Extract messages, then merge them into every language's messages.po."""
    extract_messages()
    pybabel("update", "-i", str(TEMPLATE.relative_to(ROOT)), "-d", "translations")


@translate.command("compile")
def compile_command() -> None:
    """Compile every messages.po into the messages.mo the app reads."""
    pybabel("compile", "-d", "translations")


@translate.command("init")
@click.argument("lang")
def init_command(lang: str) -> None:
    """Start a new language LANG (for example vi)."""
    extract_messages()
    pybabel("init", "-i", str(TEMPLATE.relative_to(ROOT)), "-d", "translations", "-l", lang)
