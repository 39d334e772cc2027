"""A whole intake on the personal-phone pages (/intake) in every registered language, with the test
client: every page after the pick says its language and direction, and its title is translated."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from intake_forms import QUESTIONS, languages
from intake_forms.definition import IDENTIFYING_KINDS, Kind, Question
from models import Intake, IntakeStatus
from tests.walks import walk_option

from .conftest import Walker, token_from

BY_KEY = {q.key: q for q in QUESTIONS}
_HTML = re.compile(r'<html lang="([^"]*)" dir="([^"]*)"')
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def answer_for(q: Question) -> Any:
    """Skip what would be personal; else the first option (all that fit: the first), one, or a ZIP."""
    if q.kind in IDENTIFYING_KINDS:
        return None
    if q.kind is Kind.COUNT:
        return "1"
    if q.kind is Kind.LOCATION:
        return "67601"
    first = walk_option(q).code
    return [first] if q.kind is Kind.MULTI else first


def page(walker: Walker, url: str, code: str) -> tuple[str, str]:
    """GET ``url``; check its language and direction; return its title and its HTML."""
    response = walker.client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.get_data(as_text=True)
    found = _HTML.search(html)
    assert found, url
    lang = languages.language(code)
    assert found.groups() == (code, lang.direction.value), url
    title = _TITLE.search(html)
    assert title and title.group(1).strip(), url
    return " ".join(title.group(1).split()), html


def walk(demo: Flask, code: str) -> tuple[dict[str, str], list[str], str]:
    """Pick ``code``, answer or skip every question, review, submit: return each page's title (by
    path, question pages by key), the questions asked, and the confirmation page."""
    walker = Walker(demo.test_client(), "/intake")
    walker.start(code)
    titles: dict[str, str] = {}
    asked: list[str] = []
    while walker.location.startswith("/intake/q/"):
        key = walker.key
        assert key not in asked, f"asked {key} twice: {asked}"
        titles[walker.location], _html = page(walker, walker.location, code)
        value = answer_for(BY_KEY[key])
        response = walker.answer(key, action="skip") if value is None else walker.answer(key, value)
        assert response.status_code == 302, (key, response.status_code, response.get_data(as_text=True)[:2000])
        asked.append(key)
    assert walker.location == "/intake/review", walker.location
    titles["/intake/review"], review = page(walker, "/intake/review", code)
    submitted = walker.client.post("/intake/submit", data={"csrf_token": token_from(review)})
    assert submitted.status_code == 302 and submitted.headers["Location"] == "/intake/done"
    titles["/intake/done"], done = page(walker, "/intake/done", code)
    return titles, asked, done


@pytest.mark.parametrize("code", languages.CODES)
def test_a_whole_web_intake_in_each_language(demo: Flask, code: str) -> None:
    titles, asked, done = walk(demo, code)
    assert {"adults", "children", "help_needed", "location", "contact_method", "phone", "dob",
            "consent_share"} <= set(asked), asked
    with demo.app_context():
        intake = db.session.scalars(select(Intake).where(Intake.language == code)).one()
        assert intake.status is IntakeStatus.SUBMITTED and intake.channel == "web"
        reference = intake.reference_code
    assert reference and reference in done
    if code == "en":
        return
    english, _asked, _done = walk(demo, "en")
    assert english.keys() <= titles.keys()
    # No title is one an English page has (the same page in English, or another English page: "Question 3").
    english_titles = set(english.values())
    for path, title in titles.items():
        assert title not in english_titles, (path, title)
