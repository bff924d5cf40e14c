"""Red-flag triage: toxin spread and allergy are emergencies, infection signs
get same-day care, and general risk questions are not mistaken for reports."""

from __future__ import annotations

import pytest

from clinic.safety import Triage, reports_a_sign, reports_red_flag, triage_symptoms

EMERGENCIES = [
    "i had botox yesterday and now i can't swallow properly",
    "cant swallow since my botox",
    "it's hard to breathe after my tox",
    "my voice is hoarse since botox",
    "my left eyelid is drooping",
    "my right eyebrow dropped two days after the dysport",
    "my brows feel heavy since botox",
    "my eyes feel heavy and i can barely lift my lids",
    "my eye wont close all the way since the botox",
    "i can't open my left eye properly after tox",
    "my vision is blurry after the injections",
    "i'm seeing double",
    "my whole body feels weak since tuesday",
    "i'm slurring my words",
    "i have hives all over my neck",
    "i'm wheezing after botox",
    "i feel dizzy and nearly fainted",
    "my throat feels tight after my injections",
]
INFECTIONS = [
    "there's pus coming out of a spot after needling",
    "i have a fever after my microneedling",
    "the redness is spreading across my cheek",
    "the pain is getting worse every day since needling",
    "my skin is oozing yellow stuff",
]
NOT_RED_FLAGS = [
    "my face is a bit red after needling",
    "what are the risks of combining botox and microneedling",
    "can i get botox 2 weeks after needling",
    "is infection a risk if i combine them",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_toxin_spread_and_allergy_are_emergencies(text: str) -> None:
    assert triage_symptoms(text) is Triage.EMERGENCY
    assert reports_red_flag(text)


@pytest.mark.parametrize("text", INFECTIONS)
def test_infection_signs_get_same_day_care(text: str) -> None:
    assert triage_symptoms(text) is Triage.INFECTION
    assert reports_red_flag(text)


def test_infection_with_confusion_or_racing_heart_is_an_emergency() -> None:
    assert triage_symptoms("pus on my cheek and a fever, i feel confused") is Triage.INFECTION_EMERGENCY
    assert triage_symptoms("fever after needling and my heart is racing") is Triage.INFECTION_EMERGENCY


@pytest.mark.parametrize("text", NOT_RED_FLAGS)
def test_mild_symptoms_and_questions_are_not_red_flags(text: str) -> None:
    assert not reports_red_flag(text)


def test_a_risk_question_is_left_to_the_classifier() -> None:
    assert not reports_red_flag("can botox cause droopy eyelids?")
    assert not reports_red_flag("what are the chances of a droopy eyelid")
    assert not reports_red_flag("can my eyebrow drop from botox?")
    # What a treatment can do, in general, with "my" elsewhere in the message.
    assert not reports_red_flag("botox can cause droopy eyelid?")
    assert not reports_red_flag("can botox make your eyelid droop? thats my biggest fear")
    # A report beside the question is still a report.
    assert reports_red_flag("my eyelid is drooping since botox, can botox cause that?")


def test_curly_apostrophes_from_phones_are_understood() -> None:
    assert triage_symptoms("I can\u2019t swallow") is Triage.EMERGENCY


def test_a_report_wrapped_in_a_question_is_still_a_report() -> None:
    assert reports_red_flag("can i get help? i can't breathe properly after botox")
    assert reports_red_flag("could it be the botox? my eyelid is drooping")
    assert not reports_red_flag("could i have an allergic reaction to botox")


@pytest.mark.parametrize(
    "text, report",
    [
        ("slight swelling at my injection sites from botox this morning", True),
        ("my forehead is a little bruised from the botox", True),
        ("does botox cause swelling", False),  # a risks question
        ("had microneedling on tues and my skin is still a bit pink, when can i get botox", False),  # timing
        ("what if i get a bruise", False),
        ("my esthetician did my needling 5 days after tox, am i gonna get uneven results now", False),
        ("if my skin gets red after needling", False),
        ("my skin is peeling after microneedling is that normal", True),
        ("got a little bruise from my botox, should i be worried?", True),
        ("is it normal to peel after microneedling", False),  # a recovery question, nothing reported
        # No "I", but the sign is now: the patient's own.
        ("mild stinging after needling today, is that normal", True),
        ("redness after microneedling today, how long does it last", False),  # asks how long: recovery
    ],
)
def test_a_plain_report_of_a_milder_sign_is_told_from_a_question(text: str, report: bool) -> None:
    assert reports_a_sign(text) is report
