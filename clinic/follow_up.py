"""Short follow-ups: "and botox?", "what about needling?", "same for tox?".

Right after an answer, such a message asks the same question about the other
treatment. Given the topic last answered and the treatment the follow-up
names, this picks the answer to give. Pure; no Rasa imports.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from clinic.dates.treatments import treatment_mentions
from clinic.safety import Triage, triage_symptoms
from clinic.scope import OtherSubjects, about_something_else
from clinic.words import normalise

# Answers that are about one treatment, by treatment.
ABOUT_ONE = {
    "what_is_botox": "botox",
    "what_is_microneedling": "microneedling",
}
WHAT_IS = {"botox": "what_is_botox", "microneedling": "what_is_microneedling"}
# A risks question that names a warning sign ("can botox cause a droopy eyelid?").
RISKS_WITH_SIGNS = "risks_warning_signs"
# Answers that already cover both treatments, in both orders: asked again as they are
# ("can botox cause a droopy eyelid?" then "and needling?": the warning-sign answer again).
ABOUT_BOTH = {"combine", "wait_time", "too_soon", "risks", RISKS_WITH_SIGNS}
# Recovery, by treatment: the sources describe healing after microneedling only.
RECOVERY = {"microneedling": "recovery", "botox": "recovery_botox"}
# Every answer a follow-up can refer back to (remembered as the last topic).
TOPICS = frozenset({*ABOUT_ONE, *ABOUT_BOTH, *RECOVERY.values()})
# "does it hurt?", "how long does it last": a word pointing back at what was just discussed.
_POINTS_BACK = re.compile(r"\b(?:it|its|it's|that|this|they|them|those)\b")


def recovery_answer(text: str) -> str:
    """"how long before I can work out after botox": the Botox answer; a
    question about microneedling, both, or neither named: microneedling's,
    which says which treatment it describes."""
    named = {m.treatment for m in treatment_mentions(normalise(text))}
    return RECOVERY["botox"] if named == {"botox"} else RECOVERY["microneedling"]


def risks_answer(text: str) -> str:
    """"can botox cause a droopy eyelid?": the sources list the risks of
    having both close together, not each treatment's side effects, so a
    question naming a warning sign gets an answer that says so and says what
    to do if it is happening now; any other risks question the usual one."""
    return "risks" if triage_symptoms(text) is Triage.NONE else RISKS_WITH_SIGNS


def follow_up_answer(text: str, last_topic: Optional[str]) -> str:
    """The answer to give to a follow-up, from the topic last answered."""
    mentions = treatment_mentions(normalise(text))
    named = mentions[0].treatment if mentions else None
    if last_topic in ABOUT_BOTH:
        return last_topic
    if last_topic in ABOUT_ONE and named:
        return WHAT_IS[named]
    if last_topic in RECOVERY.values() and named:  # "recovery after needling?" then "and botox?"
        return RECOVERY[named]
    if named:  # no topic to follow: say what the named treatment is
        return WHAT_IS[named]
    return "nlu_fallback"  # "and the other one?" with nothing before it: ask again


def treatments_of_topic(last_topic: Optional[str]) -> Tuple[str, ...]:
    """The treatments the answer last given was about: one, both, or none."""
    if last_topic in ABOUT_ONE:
        return (ABOUT_ONE[last_topic],)
    if last_topic in RECOVERY.values():
        return next((t,) for t, name in RECOVERY.items() if name == last_topic)
    return ("botox", "microneedling") if last_topic in ABOUT_BOTH else ()


def points_back_to_topic(text: str, last_topic: Optional[str], subjects: OtherSubjects) -> Tuple[str, ...]:
    """"does it hurt?" right after the microneedling answer: the treatments
    it points back to, when the message names no treatment and nothing else.
    Filed as another subject, such a question gets a question back about the
    treatment just discussed, not "I only cover Botox and microneedling"."""
    low = normalise(text)
    if not _POINTS_BACK.search(low) or treatment_mentions(low) or about_something_else(text, subjects):
        return ()
    return treatments_of_topic(last_topic)
