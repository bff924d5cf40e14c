"""Questions about something else are told apart from ours (clinic/scope.py),
and short follow-ups pick the right answer (clinic/follow_up.py)."""

from __future__ import annotations

import pytest

from clinic.follow_up import follow_up_answer
from clinic.scope import (
    about_something_else,
    aftercare_question_intent,
    current_other_subjects,
    parse_other_subjects,
    price_asked_of_clinic,
    symptom_of_something_else,
)

SUBJECTS = current_other_subjects()


@pytest.mark.parametrize(
    "text, found",
    [
        ("what are the side effects of lip filler", "lip filler"),
        ("can i get the flu shot and the shingles vaccine on the same day", "flu shot"),
        ("how long is recovery after wisdom teeth removal", "wisdom teeth"),
        ("how long should i wait between laser hair removal sessions", "laser hair removal"),
        ("is filler better than botox", "filler"),
        ("is rf microneedling the same as regular microneedling", "rf microneedling"),
        ("how long after a chemical peel can i get botox", "chemical peel"),
        ("my sister had microneedling last week, when can she get botox", "my sister"),
        ("can my dog get botox for his face", "my dog"),
        ("my daughter is 16, can i get her botox for her forehead", "my daughter"),
    ],
)
def test_another_subject_is_named(text: str, found: str) -> None:
    assert about_something_else(text, SUBJECTS) == found


@pytest.mark.parametrize(
    "text",
    [
        "what is microneedling",
        "can i get botox and microneedling the same day",
        "i had botox and my husband wants to know if it's safe to do needling now",
        "my friend got a needle facial and her skin looks amazing, what is that",
        "had dysport last week, when can i do microneedling",
        "how long is the downtime",
        "what are the side effects of doing both",
        "whats the risk of combining them",
        # Someone else's story as context; the question is the patient's own.
        "my friend said she gets both in one appt, could i do that too w botox and needling",
        "my cousin waited a month between her tox and needling, do i really need to wait that long",
        "my friend got needled the week after her botox and it came out uneven, could that happen to me",
        "my sister had hers done together at a spa, can you do botox and microneedling on the same day?",
        # "my tox", "us": the patient is treated too.
        "got my tox this monday and my friend wants us to do microneedling together on friday, is that ok??",
        # The lines Botox softens are not animals.
        "will botox smooth out my bunny lines",
    ],
)
def test_our_questions_are_ours(text: str) -> None:
    intent = "what_is_microneedling" if "what is" in text else "wait_time"
    assert about_something_else(text, SUBJECTS, intent) is None


@pytest.mark.parametrize(
    "text, intent, found",
    [
        # Another subject beside ours is never answered with ours alone, whatever the intent.
        ("can i get my flu shot the same week as tox", "what_is_botox", "flu shot"),
        ("my mom wants botox for her migraines, does that work", "what_is_botox", "migraines"),
        ("is filler cheaper than xeomin", "what_is_botox", "filler"),
        # Home skin care: ours in a recovery question about our treatment, not otherwise.
        ("can i put retinol on after microneedling", "recovery", None),
        ("is retinol safe to use with botox", "risks", "retinol"),
        ("can i drink alcohol the night before", "recovery", "alcohol"),
        # Something else done to the patient, named after "after", beyond any word list.
        ("how long after a hip replacement can i drive again", "recovery", "hip replacement"),
        ("how soon after a c-section can i start exercising", "recovery", "c-section"),
        ("how long after my session can i wear makeup", "recovery", None),
        ("how long should i wait after my last one", "wait_time", None),
    ],
)
def test_a_subject_beside_ours(text: str, intent: str, found: str | None) -> None:
    assert about_something_else(text, SUBJECTS, intent) == found


@pytest.mark.parametrize(
    "text, intent, of_clinic",
    [
        ("how much is botox", "what_is_botox", True),
        ("wat do u charge for a session", "out_of_scope", True),
        ("is xeomin cheaper than botox", "combine", True),
        ("how much does it cost", "recovery", True),
        ("how much is lip filler", "out_of_scope", False),
        ("how much is a flight to toronto", "out_of_scope", False),
        ("how much do i need to wait after botox", "wait_time", False),
        ("how much time between tox and needling", "wait_time", False),
    ],
)
def test_a_price_of_ours_is_for_the_clinic(text: str, intent: str, of_clinic: bool) -> None:
    assert price_asked_of_clinic(text, SUBJECTS, intent) is of_clinic


def test_staff_can_add_a_subject() -> None:
    extended = parse_other_subjects({"treatments": ["salt cave"], "others": ["nephew"]})
    assert about_something_else("how soon after a salt cave session can i get botox", extended) == "salt cave"
    assert about_something_else("can my nephew get microneedling", extended) == "my nephew"


@pytest.mark.parametrize(
    "text, last_topic, answer",
    [
        ("and botox?", "what_is_microneedling", "what_is_botox"),
        ("what about needling?", "what_is_botox", "what_is_microneedling"),
        ("same for tox?", "wait_time", "wait_time"),
        ("and microneedling?", "risks", "risks"),
        ("and botox?", None, "what_is_botox"),
        ("and the other one?", None, "nlu_fallback"),
    ],
)
def test_a_follow_up_gets_the_answer_for_the_other_treatment(text: str, last_topic: str | None, answer: str) -> None:
    assert follow_up_answer(text, last_topic) == answer


def test_an_animal_is_never_our_patient() -> None:
    subjects = current_other_subjects()
    assert about_something_else("what is botox? asking for my dog", subjects, "what_is_botox") == "my dog"
    assert about_something_else("can our puppy get microneedling", subjects, "wait_time") == "our puppy"
    assert subjects.animal_in("my dog got stung by a bee and his face is swollen") == "my dog"
    assert subjects.animal_in("my face is swollen since my botox") is None
    # Staff extend the list in clinic/other_subjects.yml.
    assert parse_other_subjects({"animals": ["llama"]}).animal_in("the llama's lip is swollen") == "the llama"


@pytest.mark.parametrize(
    "text, found",
    [
        ("my lips are lumpy after filler", "filler"),
        ("my arm is sore after the flu shot", "flu shot"),
        ("my dog's eye is swollen", "my dog"),
        # Ours named: our symptom answer, even beside another treatment.
        ("my forehead is red after botox and filler", None),
        ("a bit of bruising after microneedling", None),
        # Someone else has it: theirs to ask a nurse about (a red flag is still answered as one).
        ("my daughter has a fever of 39 should i take her to emerg", "my daughter"),
        ("my friend had botox and now her eye is droopy", "my friend"),
        # The patient has it, whoever else is mentioned.
        ("my husband says my eyelid is drooping after botox", None),
        ("I had microneedling and my skin is red, my partner is worried", None),
    ],
)
def test_a_symptom_after_another_treatment_is_not_ours(text: str, found: str | None) -> None:
    assert symptom_of_something_else(text, SUBJECTS) == found


@pytest.mark.parametrize(
    "text",
    [
        # Other people mentioned, but not treated, or the question is the patient's.
        "my husband worries botox is dangerous, what are the real risks",
        "I'd like to plan both treatments before my daughter's wedding in the spring. How far apart should they be?",
        "I've got a friend's birthday dinner two days after microneedling, will my face look normal by then?",
        "my friend said some clinics do microneedling and botox in one sitting, can they be done together",
    ],
)
def test_someone_mentioned_but_not_treated_leaves_the_question_ours(text: str) -> None:
    assert about_something_else(text, SUBJECTS, "risks") is None


def test_someone_elses_forehead_done_is_theirs() -> None:
    text = "my sister is 34 and got her forehead done two weeks ago, can she do microneedling this weekend"
    assert about_something_else(text, SUBJECTS, "wait_time") == "my sister"


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        # One treatment and an everyday activity: aftercare, whatever timing intent was picked.
        ("how long before i can work out after botox", "wait_time", "recovery"),
        ("can i put retinol on 2 days after microneedling", "too_soon", "recovery"),
        # The wait between the two treatments stays a timing question.
        ("how long after botox can i get microneedling", "wait_time", None),
        ("how long after botox before the other one, and can i work out", "wait_time", None),
        ("how long before i can work out after botox", "recovery", None),
    ],
)
def test_aftercare_filed_as_timing_is_recovery(text: str, intent: str, expected: str | None) -> None:
    assert aftercare_question_intent(text, SUBJECTS, intent) == expected


@pytest.mark.parametrize(
    "text, intent, found",
    [
        # A subject no list names, after the topic: never our risks or recovery answer.
        ("what are the side effects of metformin", "risks", "metformin"),
        ("how long is recovery from a blepharoplasty", "recovery", "blepharoplasty"),
    ],
)
def test_a_subject_named_after_the_topic_is_not_ours(text: str, intent: str, found: str) -> None:
    assert about_something_else(text, SUBJECTS, intent) == found


def test_pregnancy_counted_in_weeks_is_another_subject() -> None:
    text = "I'm twelve weeks along. Is it normal to have headaches every day?"
    assert about_something_else(text, SUBJECTS, "recovery") == "weeks along"


def test_home_care_in_an_aftercare_question_is_not_another_treatment() -> None:
    assert about_something_else("can i rub my forehead or get a facial massage after tox", SUBJECTS, "recovery") is None
    assert about_something_else("can i get a facial after botox", SUBJECTS, "recovery") == "facial"


def test_a_friends_story_before_the_patients_own_question_is_the_patients() -> None:
    text = "my friend bruised like crazy after her needling and now im nervous to book mine, is bruising common?"
    assert about_something_else(text, SUBJECTS, "risks") is None


@pytest.mark.parametrize(
    "text, intent, found",
    [
        # Ours mentioned in passing, the question about another treatment.
        ("my friend does microneedling at home lol but for me I'm asking about lip filler, does it swell a lot?",
         "what_is_microneedling", "lip filler"),
        ("are collagen supplements worth the money", "what_is_microneedling", "collagen supplements"),
        # Someone else's treatment, asked for them.
        ("my sister got botox last week and now her eyebrow looks weird, is that normal for her",
         "what_is_botox", "my sister"),
    ],
)
def test_found_by_a_fresh_dev_set(text: str, intent: str, found: str) -> None:
    assert about_something_else(text, SUBJECTS, intent) == found


def test_home_care_as_context_in_a_question_naming_both_treatments_is_ours() -> None:
    assert about_something_else("got needled sat after hot yoga, when can i get tox", SUBJECTS, "wait_time") is None
    assert about_something_else("how long after hot yoga can i get botox", SUBJECTS, "wait_time") == "hot yoga"


def test_a_question_asked_for_someone_else_is_theirs() -> None:
    text = "my boyfriend wants to know if microneedling would help the acne scars on his back"
    assert about_something_else(text, SUBJECTS, "what_is_microneedling") == "my boyfriend"
    assert about_something_else("my friend loves her botox, what is it exactly", SUBJECTS, "what_is_botox") is None


def test_a_choice_between_ours_and_another_treatment_is_a_comparison() -> None:
    assert about_something_else("which lasts longer, filler or dysport", SUBJECTS, "what_is_botox") == "filler"


@pytest.mark.parametrize(
    "text, intent, found",
    [
        # Animals in general, with no owner named.
        ("can dogs get botox lol my boxer is so wrinkly", "what_is_botox", "dogs"),
        ("do puppies get wrinkles too", "what_is_botox", "puppies"),
        # Dental work.
        ("im getting a tooth pulled next week, can i work out after", "wait_time", "tooth pulled"),
        # Someone else's treatment first, then "but for me" and ours: the question is the patient's.
        ("ok so my sis is getting a hydrafacial before her wedding but for me, how long should i space out "
         "botox and microneedling", "wait_time", None),
        # Someone else's treatment, asked for them.
        ("my daughter is 15 and wants microneedling for her acne, is she old enough", "what_is_microneedling",
         "my daughter"),
        ("my 15 year old wants microneedling for her acne, is that ok for her", "what_is_microneedling",
         "my 15 year old"),
        ("how long should i wait between two hair colour appointments", "wait_time", "hair colour"),
        # Coverage is the patient's plan's to say.
        ("is botox covered by MSP", "recovery", "msp"),
        ("im 45 years old, is botox ok for me", "risks", None),
        ("my mom wants to get botox for her forehead, how long will it last on her", "what_is_botox", "my mom"),
        # The patient's own timing question; another treatment is someone else's, or what ours was mistaken for.
        ("this past saturday i got botox w my sister (she just got filler lol) when can i get needling",
         "wait_time", None),
        ("my sister is doing a chemical peel for it but i already did microneedling last sunday, when can i get "
         "the botox", "wait_time", None),
        ("my mom and i both went to the clinic, she got filler and i got botox on the 19th, how long till i can "
         "book microneedling for myself", "wait_time", None),
        ("i thought it was a laser facial but turns out i got microneedling on 20/11, so when can i get botox now",
         "wait_time", None),
        # The patient's own other treatment still is another subject.
        ("i had filler on the 19th, when can i get botox", "wait_time", "filler"),
        # Not an animal: the eye-makeup look and the lines Botox softens.
        ("is botox ok with cats eye liner", "what_is_botox", None),
        # Something else done, asked as timing, with none of ours named.
        ("i had a c-section six weeks ago, when can i do sit ups", "wait_time", "c-section"),
        ("i got a tummy tuck a month ago when can i run", "wait_time", "tummy tuck"),
        ("ive had a root canal last week, how long should i wait to go to the gym", "wait_time", "root canal"),
        # How it went, or a life event, is no procedure.
        ("i had a bad reaction last time, how long should i wait", "wait_time", None),
        ("I've got a wedding in Kelowna, can they be done together?", "combine", None),
        # Someone else's story, then "something i can do too": the patient asks for themselves.
        ("my friend says she had botox and microneedling at the same time, is that something i can do too",
         "combine", None),
        ("my sister had both the same day, i could get that too right", "combine", None),
    ],
)
def test_found_by_the_dev20_round(text: str, intent: str, found: str | None) -> None:
    assert about_something_else(text, SUBJECTS, intent) == found
