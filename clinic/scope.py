"""Is a message about Botox or microneedling, or about something else?

A closed-set classifier maps every message to its nearest intent, so "what
are the side effects of lip filler" looks like our risks question. Our
content is given only when the message is about our treatments: a message
that names another product, procedure, medicine, vaccine or condition
(clinic/other_subjects.yml, which staff can extend), or asks about someone
else's or an animal's treatment, gets the out-of-scope answer instead.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Optional, Pattern

import yaml

from clinic.dates.treatments import Mention, treatment_mentions
from clinic.protocol import CLINIC_DIR
from clinic.safety import ANY_SIGN
from clinic.words import normalise

DEFAULT_SUBJECTS_PATH = CLINIC_DIR / "other_subjects.yml"
SUBJECTS_PATH_ENV = "CLINIC_OTHER_SUBJECTS"
# Answers with Botox or microneedling content: only for messages about them.
OUR_CONTENT_INTENTS = frozenset(
    {"what_is_microneedling", "what_is_botox", "combine", "wait_time", "too_soon", "risks", "recovery", "inform",
     "follow_up"}
)
# Questions of general knowledge, the same whoever asks.
GENERAL_QUESTIONS = frozenset({"what_is_microneedling", "what_is_botox"})
# What a person's treatment is called: "my sister's botox", not "my daughter's wedding".
_TREATMENT_OWNED = (r"(?:botox|tox|dysport|xeomin|jeuveau|microneedling|needling|treatment|treatments|appointment"
                    r"|appt|session|face|forehead|skin|lips|procedure|injections?)")
# "I", "me", "us", "my tox": the patient speaks of themselves too.
_FIRST_PERSON = re.compile(rf"\b(?:i|i'm|im|i've|ive|i'd|id|i'll|me|myself|we|us|my\s+{_TREATMENT_OWNED})\b")
# "she had botox", "when can he get", "her forehead": someone else is treated.
# Not "they": in "can they be done together" it is the treatments.
_THIRD_PERSON_TREATED = re.compile(
    r"\b(?:she|he)(?:'s|'d|'ll|\s+(?:is|was|has|had|got|gets|get|can|could|wants|will|did|does|should))\b"
    rf"|\b(?:her|his|their)\s+{_TREATMENT_OWNED}\b"
)
# "my husband got", "my sister is getting": not "my husband worries botox is dangerous".
_TREATED_VERB = (r"(?:\s+(?:just|also|recently|already|finally|really|actually|once))?\s+"
                 r"(?:had|has|got|get|gets|getting|wants?|needs?|did|does|tried"
                 r"|(?:is|was)\s+(?:getting|having|booked|scheduled|going|due|treated|thinking))\b")
# "can she get microneedling?": asking whether someone else may be treated
# (not "they" or "them": "can they be done together" asks about the treatments).
_ASKS_FOR_SOMEONE = re.compile(
    r"\b(?:can|could|should|would|will|is\s+it\s+(?:ok|okay|safe)\s+for)\s+(?:she|he|her|him|my\s+(?!face|skin|"
    r"forehead|lips|eyes?|brows|cheeks|neck|results?|botox|tox|treatment|appointment|appt|session|microneedling|"
    r"needling)\w+)\b"
    r"|\b(?:normal|ok|okay|safe|bad|good)\s+for\s+(?:her|him)\b"  # "is that normal for her"
    r"|\bis\s+(?:she|he)\s+(?:old|too|young|allowed|able|ok|okay|a\s+good)\b"  # "is she old enough"
    r"|\b(?:last|work|look|be)\s+(?:on|for)\s+(?:her|him)\b")  # "how long will it last on her"
# "my boyfriend wants to know if microneedling would help his scars": a what-is question asked for them.
_ASKED_ON_BEHALF = re.compile(r"\b(?:wants\s+to\s+know|is\s+asking|asked\s+me|wonders|is\s+wondering)\s+(?:if|whether)\b")
# "my sister had both at once, could I do that too?": the patient asks for themselves.
_ASKS_FOR_ME = re.compile(
    r"\b(?:could|can|should|do|will|would|am|must|may)\s+i\b|\b(?:to|for)\s+(?:me|myself)\b|\bme\s+too\b"
    r"|\bmine\b|\bmy\s+(?:own|first)\b"
    r"|\bcan\s+(?:you|u)\s+do\b"
    r"|\bi\s+(?:can|could|should|may)\s+(?:do|get|have|try)\b|\bi\s+(?:do|get|have)\s+(?:it|that|them|both)\s+too\b")
# "can i get her botox", "book him in": the patient arranges someone else's treatment.
_ARRANGES_FOR_SOMEONE = re.compile(r"\b(?:get|book|bring|take|sign)\s+(?:her|him|them)\b")
# "is filler better than botox", "cheaper than": a comparison with another treatment.
_COMPARISON = re.compile(r"\bbetter\b|\bworse\b|\bvs\.?\b|\bversus\b|\bcompar\w*|\binstead\b|\bdifference\b"
                         r"|\b(?:\w+er|more\s+\w+|less\s+\w+)\s+than\b"
                         r"|\bwhich\b[^?.!]{0,40}\bor\b")  # "which lasts longer, filler or dysport"
# "can i get a facelift after tox": the two treatments in time, not a definition.
_TIMING = re.compile(r"\b(?:after|before|same\s+(?:day|week|month|time|visit)|wait\w*|between|together|combin\w*|both)\b")
# "how long after a hip replacement can i drive": something done to the patient that is
# not ours, named after "after"/"since" (checked only when no treatment of ours is named).
_AFTER_SOMETHING = re.compile(
    r"\b(?:after|since|post|following)\s+(?:a|an|my|the|your|her|his|their)\s+([a-z][a-z\-']*(?:\s+[a-z][a-z\-']*)?)")
# Words after "after my ..." that say when, or name our visit, not another subject.
_GENERIC_AFTER = frozenset("""
    session sessions treatment treatments appointment appointments appt appts procedure procedures visit visits
    injection injections shot shots touch top consult consultation first second third last next one two three four
    five six few couple while bit day days week weeks month months year years same other previous recent latest
    initial most skin face it that this them
""".split())
# "what are the side effects of metformin", "recovery from a facelift": the subject
# named after the topic (checked only when no treatment of ours is named).
_TOPIC_OF_SOMETHING = re.compile(
    r"\b(?:side\s*-?\s*effects?|risks?|dangers?|complications?|recovery|downtime|healing)\s+"
    r"(?:of|from|with|for|after|on)\s+(?:taking\s+|using\s+|getting\s+|having\s+)?"
    r"(?:a|an|the|my|your)?\s*([a-z][a-z\-']*)")
_GENERIC_TOPIC = frozenset("""
    both them it these those this that either each combining combination combo mixing waiting doing getting
    having not too two the a an treatments treatment procedure procedures one other skin face needles
    injections injection shots shot
""".split())
# "i had a c-section six weeks ago, when can i do sit ups": what was done, asked as timing.
_HAD_SOMETHING = re.compile(
    r"\b(?:(?:i|just)\s+(?:had|got)|i(?:'ve|ve|\s+have)\s+had)\s+(?:a|an|my)\s+([a-z][a-z\-']*(?:\s+[a-z][a-z\-']*)?)")
# Words after "i had a ..." that are no procedure: how it went, or what it did.
_NOT_DONE = frozenset("""
    bad little lot few great good quick small big mild slight weird strange hard rough tough long short new
    reaction question look feeling bruise bump rash headache problem issue chat call talk think baby
""".split())
_NOT_A_NAME = frozenset("can could should would will do does is are i i'm im to and or how when before so"
                        " two three four five six seven eight nine ten few couple last yesterday".split())
# Prices: the clinic quotes them ("how much do you charge"), not "how much do I wait".
_PRICE = re.compile(r"\bhow\s+much\s+(?:is|does|do|are|for|would|will)\b(?!.*\b(?:wait\w*|time|longer|weeks?|days?"
                    r"|months?)\b)|\bcosts?\b|\bpric(?:e|es|ed|ing)\b|\$\s?\d|\bcharge\b"
                    r"|\bcheap(?:er|est)?\b|\b(?:more\s+|less\s+)?expensive\b|\bafford")
# A price asked of the clinic: "your prices", "a session", "do you charge".
_CLINIC_PRICE = re.compile(r"\b(?:you|your|u|ur|session|sessions|treatment|treatments|appointment|consult\w*|visit)\b")


@dataclass(frozen=True)
class OtherSubjects:
    """Compiled word lists: other subjects, and other people or animals."""

    subjects: Pattern[str]
    people: Pattern[str]  # other people and animals
    animals: Pattern[str]
    aftercare: Pattern[str]  # home skin care: ours in a recovery question that names our treatment
    treatments: Pattern[str]  # other cosmetic treatments (a what-is question may mention one)

    def subject_in(self, low: str, ours: List[Mention]) -> Optional[str]:
        return _first_outside_ours(self.subjects, low, ours)

    def person_in(self, low: str) -> Optional[str]:
        match = re.search(self.people, low)
        return match.group(0) if match else None

    def animal_in(self, text: str) -> Optional[str]:
        """Someone's animal the message is about ("my dog", "our cat")."""
        match = re.search(self.animals, normalise(text))
        return match.group(0) if match else None


def _words_pattern(words: Iterable[str]) -> Pattern[str]:
    alternatives = sorted({re.escape(w.strip().lower()) for w in words if w and w.strip()}, key=len, reverse=True)
    body = "|".join(a.replace(r"\ ", r"[\s\-]+") for a in alternatives) or "(?!)"
    return re.compile(rf"\b(?:{body})s?\b")


def _first_outside_ours(pattern: Pattern[str], low: str, ours: List[Mention]) -> Optional[str]:
    for match in pattern.finditer(low):
        # Inside a mention of ours it is ours; around one ("rf microneedling") it is another treatment.
        if not any(m.start <= match.start() and match.end() <= m.end for m in ours):
            return match.group(0)
    return None


def parse_other_subjects(raw: dict) -> OtherSubjects:
    subjects: List[str] = []
    for key, words in (raw or {}).items():
        if key not in ("others", "animals", "aftercare"):
            subjects.extend(str(w) for w in words or [])
    animals = [str(w) for w in (raw or {}).get("animals") or []]
    people = [str(w) for w in (raw or {}).get("others") or []] + animals

    def owned(words: List[str]) -> Pattern[str]:
        alternatives = _words_pattern(words).pattern[2:-2]  # without \b(?: ... )\b
        # Not the lines Botox softens: "my bunny lines", "the crow's feet".
        return re.compile(rf"\b(?:my|her|his|their|our|your|a|the)\s+{alternatives}\b(?!'?s?\s+(?:lines?|feet|foot)\b)")

    aftercare = [str(w) for w in (raw or {}).get("aftercare") or []]
    # "can dogs get botox": animals in general, with no owner, are named in the plural.
    plural = "|".join(re.escape(a.lower()[:-1] + "ies" if a.lower().endswith("y") else a.lower() + "s")
                      .replace(r"\ ", r"[\s\-]+") for a in animals) or "(?!)"
    any_animal = re.compile(rf"{owned(animals).pattern}|\b(?:{plural})\b(?!'?\s+(?:eyes?|lines?|feet)\b)")
    # "my 15 year old", "our sixteen-year-old": a child, by age.
    by_age = re.compile(rf"{owned(people).pattern}|\b(?:my|our|her|his)\s+(?:\d{{1,2}}|[a-z]+teen)[\s\-]*(?:years?|yrs?)"
                        rf"[\s\-]*old\b")
    return OtherSubjects(subjects=_words_pattern(subjects), people=by_age, animals=any_animal,
                         aftercare=_words_pattern(aftercare),
                         treatments=_words_pattern(str(w) for w in (raw or {}).get("treatments") or []))


@lru_cache(maxsize=1)
def current_other_subjects() -> OtherSubjects:
    path = Path(os.environ.get(SUBJECTS_PATH_ENV) or DEFAULT_SUBJECTS_PATH)
    return parse_other_subjects(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def about_something_else(text: str, subjects: OtherSubjects, intent: Optional[str] = None) -> Optional[str]:
    """What else the message is about ("lip filler", "my dog"), or None when
    nothing says it is not about Botox or microneedling. Someone else's
    treatment counts only for personal questions (timing, risks, recovery),
    not for "what is it?" ("my friend had a needle facial, what is that?")."""
    animal = subjects.animal_in(text)
    if animal:  # never an animal's treatment, whatever the question
        return animal
    low = normalise(text)
    ours = treatment_mentions(low)
    names_ours = bool(ours)
    if not names_ours and intent in OUR_CONTENT_INTENTS:
        done_before = _something_else_done(low, intent in TIMING_INTENTS)
        if done_before:
            return done_before
    # "a facial massage after tox" asked as aftercare: home care, not another treatment.
    home_care = [Mention(m.start(), m.end(), "aftercare") for m in subjects.aftercare.finditer(low)] \
        if intent == "recovery" and names_ours else []
    subject = subjects.subject_in(low, ours + home_care)
    # Home care ("after hot yoga") is another subject, unless it is aftercare asked as such or
    # context in a question naming both our treatments ("got needled sat after hot yoga, when tox").
    if not subject and not (intent == "recovery" and names_ours) and len({m.treatment for m in ours}) < 2:
        subject = _first_outside_ours(subjects.aftercare, low, ours)
    if subject and not _defines_ours_beside(subject, low, names_ours, intent, subjects) \
            and not _turns_to_mine(subject, low, ours) \
            and not (names_ours and intent in _OWN_TIMING and _only_context(subject, low, subjects)):
        return subject
    if intent in GENERAL_QUESTIONS and not (_ASKS_FOR_SOMEONE.search(low) or _ASKED_ON_BEHALF.search(low)):
        return None
    person = subjects.person_in(low)
    if person and _treated(person, low) and _about_them(low):
        return person
    return None


# Everyday things after a treatment: "work out", "makeup", "lie down", "the sauna".
_AFTERCARE_ACTIVITY = re.compile(
    r"\b(?:work\s*out|workouts?|exercis\w*|gym|sweat\w*|swim\w*|run(?:ning)?|yoga|lie\s+down|lay\s+down|sleep\w*"
    r"|make\s*-?up|foundation|wash\w*|shower\w*|fly|flying|drink\w*|alcohol)\b")
TIMING_INTENTS = frozenset({"wait_time", "combine", "too_soon"})


def aftercare_question_intent(text: str, subjects: OtherSubjects, intent: Optional[str]) -> Optional[str]:
    """"how long before I can work out after botox" filed as a timing question:
    one treatment of ours and an everyday activity or home care is recovery,
    not the wait between the two treatments."""
    if intent not in TIMING_INTENTS:
        return None
    low = normalise(text)
    mentions = treatment_mentions(low)
    if len({m.treatment for m in mentions}) != 1 or re.search(r"\b(?:both|other|each|either|next\s+(?:one|treatment))\b", low):
        return None
    care = _AFTERCARE_ACTIVITY.search(low) or _first_outside_ours(subjects.aftercare, low, mentions)
    return "recovery" if care else None


def symptom_of_something_else(text: str, subjects: OtherSubjects) -> Optional[str]:
    """"my kid has a fever after his vaccines", "my lips are lumpy after filler":
    a symptom after another treatment (none of ours named), or an animal's.
    Red flags are still answered as red flags (the red-flag override runs later)."""
    animal = subjects.animal_in(text)
    if animal:
        return animal
    low = normalise(text)
    person = subjects.person_in(low)
    if person and _their_symptom(person, low):
        return person
    ours = treatment_mentions(low)
    return None if ours else subjects.subject_in(low, ours)


# "my daughter has a fever", "my husband's eye is twitching": the person has it.
_HAS_IT = (r"(?:'?s\s+[a-z]+)?\s+(?:(?:just|now|still|also|suddenly)\s+)?(?:has|had|is|was|got|gets|feels|felt"
           r"|keeps|can'?t|cannot|woke|started|developed|broke|looks)\b")
# "i have a rash", "my eyelid": the patient has something too.
_MINE = re.compile(r"\bi\s*(?:'?m|am|have|'ve|ve|had|got|feel|felt|can'?t|noticed|woke|think\s+i)\b"
                   r"|\bmy\s+(?:face|skin|forehead|eyes?|eyelids?|lids?|lips?|cheeks?|brows?|head|throat|neck"
                   r"|vision|mouth|jaw|smile)\b")


def _their_symptom(person: str, low: str) -> bool:
    return bool(re.search(re.escape(person) + _HAS_IT, low)) and not _MINE.search(low)


def _about_them(low: str) -> bool:
    """Someone else is treated and the question is theirs: "when can she get
    botox", not "my sister had both at once, could I do that too?"."""
    if _ASKS_FOR_SOMEONE.search(low) or _ARRANGES_FOR_SOMEONE.search(low):
        return True
    if _ASKS_FOR_ME.search(low):
        return False
    return not _FIRST_PERSON.search(low) or bool(_THIRD_PERSON_TREATED.search(low))


# A price of our treatments is the clinic's to quote, whichever of these was picked.
PRICE_INTENTS = OUR_CONTENT_INTENTS | {"out_of_scope", "nlu_fallback"}


def price_question_intent(text: str, subjects: OtherSubjects, intent: Optional[str] = None) -> Optional[str]:
    """The intent a price question gets, or None to keep the classifier's.
    "how much is botox here", "what do you charge for a session": consult,
    the clinic quotes it. "how much does invisalign cost" filed as one of
    our questions or as consult: out_of_scope. A price of nothing named
    stays with the classifier unless it picked one of our questions."""
    if not asks_price(text):
        return None
    if about_something_else(text, subjects, intent):
        return "out_of_scope" if intent in OUR_CONTENT_INTENTS or intent == "consult" else None
    low = normalise(text)
    of_clinic = bool(treatment_mentions(low)) or bool(_CLINIC_PRICE.search(low)) or intent in OUR_CONTENT_INTENTS
    return "consult" if intent in PRICE_INTENTS and of_clinic else None


def price_asked_of_clinic(text: str, subjects: OtherSubjects, intent: Optional[str] = None) -> bool:
    """A price of our treatments, for the clinic to quote (the consultation answer)."""
    return price_question_intent(text, subjects, intent) == "consult"


def asks_price(text: str) -> bool:
    """"how much is ...", "what do you charge", "is it cheaper": a price question."""
    return bool(_PRICE.search(normalise(text)))


def _something_else_done(low: str, timing: bool = False) -> Optional[str]:
    """"after a hip replacement", "since my c-section", "side effects of metformin":
    what was done or taken, when it is none of ours."""
    for match in _AFTER_SOMETHING.finditer(low):
        words = match.group(1).split()
        if words[0] not in _GENERIC_AFTER:
            return " ".join(words if len(words) == 1 or words[1] not in _NOT_A_NAME else words[:1])
    if timing:
        for match in _HAD_SOMETHING.finditer(low):
            words = match.group(1).split()
            if words[0] not in _GENERIC_AFTER and words[0] not in _NOT_DONE:
                return " ".join(words if len(words) == 1 or words[1] not in _NOT_A_NAME else words[:1])
    for match in _TOPIC_OF_SOMETHING.finditer(low):
        word = match.group(1)
        if word not in _GENERIC_AFTER and word not in _GENERIC_TOPIC:
            return word
    return None


# Words of our questions besides the treatments' names: a message classified as one of our
# questions with none of these, no treatment and no sign ("recommend a podcast for my commute")
# is about something else. Checked against every held-out and training line of our questions.
_OUR_TOPIC_WORDS = re.compile(
    r"\b(?:both|together|same|combin\w*|wait\w*|long|after|before|between|first|then|order|gap|space|apart|"
    r"enough|days?|weeks?|months?|years?|hours?|ideal|time|book|mine|risk\w*|safe\w*|side|effects?|danger\w*|complication\w*|wrong|"
    r"recover\w*|heal\w*|downtime|aftercare|skin|face|facial|forehead|needl\w*|needel\w*|micro\w*|inject\w*|"
    r"wrinkl\w*|lines?|collagen|scar\w*|acne|pores?|texture|freez\w*|frozen|toxin|pigment\w*|melasma|retinol|"
    r"it|that|this|them|they|those|one|other|treatments?|procedures?|sessions?|results?|last|lasts|work|works|"
    r"too|soon|early|makeup|exercis\w*|gym|workout|sun|shower|wash|sweat\w*|normal)\b")
CONTENT_QUESTIONS = frozenset(OUR_CONTENT_INTENTS - {"inform", "follow_up"})


def names_nothing_of_ours(text: str) -> bool:
    """No treatment, no sign and no word of our questions: not about Botox or microneedling."""
    low = normalise(text)
    if low.lstrip().startswith("/"):
        return False  # a button's payload ("/what_is_microneedling"), not words
    return not (treatment_mentions(low) or _OUR_TOPIC_WORDS.search(low) or ANY_SIGN.search(low))


# The patient's own timing question, with another treatment as someone else's news
# ("my sister is doing a chemical peel", "she got filler") or as what they mistook ours for
# ("i thought it was a laser facial but turns out i got microneedling on 20/11").
_OWN_TIMING = frozenset({"wait_time", "combine", "too_soon", "inform"})
_SOMEONE_ELSE_DID = re.compile(
    r"\b(?:she|he|they)(?:'s|\s+(?:just\s+|also\s+|is\s+|was\s+|will\s+)?(?:got|get|gets|getting|had|has|did|does"
    r"|doing|having|wants?|booked))\s+(?:(?:a|an|some|her|his|their|the)\s+)?$")
_MISTAKEN_FOR = re.compile(r"\b(?:thought|think|assumed)\s+(?:it|that)\s+(?:was|is)\s+(?:just\s+)?(?:a|an)?\s*$")


def _only_context(subject: str, low: str, subjects: OtherSubjects) -> bool:
    at = low.find(subject)
    before = low[max(0, at - 40):at]
    if _MISTAKEN_FOR.search(before) or _SOMEONE_ELSE_DID.search(before):
        return bool(_FIRST_PERSON.search(low))
    person = subjects.person_in(before)
    return bool(person and re.search(re.escape(person) + r"\s+(?:is|was|just|also)?\s*(?:getting|doing|having|got|had|did)"
                                     r"\s+(?:(?:a|an|some|her|his|the)\s+)?$", before) and _FIRST_PERSON.search(low))


# "my sis is getting a hydrafacial but for me, how long between botox and microneedling".
_TURN_TO_ME = re.compile(r"\b(?:but|and|as|now|ok|so)\s+(?:for|about)\s+(?:me|myself)\b")


def _turns_to_mine(subject: str, low: str, ours: List[Mention]) -> bool:
    """Another subject told as someone else's news, then "but for me" and ours."""
    turn = _TURN_TO_ME.search(low)
    return bool(turn and 0 <= low.find(subject) < turn.start() and any(m.start > turn.end() for m in ours))


def _defines_ours_beside(subject: str, low: str, names_ours: bool, intent: Optional[str],
                         subjects: OtherSubjects) -> bool:
    """"what is microneedling, is it like a facial?": a what-is question about
    ours that mentions another cosmetic treatment, with no comparison and no
    timing ("can i get a facelift after tox" is not one; nor is a medicine,
    vaccine or condition: "does botox work for migraines")."""
    return (intent in GENERAL_QUESTIONS and names_ours and bool(subjects.treatments.fullmatch(subject))
            and not _COMPARISON.search(low) and not _TIMING.search(low)
            # "... but for me i'm asking about lip filler": the question is the other one's.
            and not re.search(rf"\babout\s+(?:(?:my|the|a|an|getting|doing)\s+)?{re.escape(subject)}", low))


def _treated(person: str, low: str) -> bool:
    """"my sister had microneedling", "can my husband get botox": the person is
    the one treated, not just mentioned ("a gift from my husband")."""
    name = re.escape(person)
    return bool(
        re.search(rf"{name}{_TREATED_VERB}|{name}'?s\s+(?:\w+\s+)?{_TREATMENT_OWNED}\b", low)
        or re.search(rf"\b(?:can|could|should|would|does|is|will)\s+{name}\b", low)
        or _THIRD_PERSON_TREATED.search(low)
        or _ASKS_FOR_SOMEONE.search(low)
    )
