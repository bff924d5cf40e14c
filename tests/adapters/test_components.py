"""The custom NLU components, on Rasa messages as the pipeline hands them over."""

from __future__ import annotations

from typing import Any, Dict

from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.red_flag import RedFlagIntentOverride
from components.unknown_words import UnknownWordsFallback


def classified(text: str, intent: str, confidence: float = 0.97) -> Message:
    """A message as DIET and the FallbackClassifier leave it."""
    message = Message({TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence},
                                     {"name": "report_symptom", "confidence": 0.01}])
    return message


def intent_of(message: Message) -> Dict[str, Any]:
    return message.get(INTENT)


def red_flag_component() -> RedFlagIntentOverride:
    return RedFlagIntentOverride.create({}, None, None, None)  # type: ignore[arg-type]


def test_a_red_flag_inside_a_question_becomes_a_symptom_report() -> None:
    message = classified("what is microneedling? also my voice has gone hoarse since my botox", "what_is_microneedling")
    red_flag_component().process([message])
    assert intent_of(message) == {"name": "report_symptom", "confidence": 1.0}
    ranking = [r["name"] for r in message.get(INTENT_RANKING_KEY)]
    assert ranking == ["report_symptom", "what_is_microneedling"]  # no duplicate entry


def test_an_ordinary_question_keeps_its_intent() -> None:
    message = classified("can botox cause trouble swallowing?", "risks")
    red_flag_component().process([message])
    assert intent_of(message)["name"] == "risks"


def test_a_button_payload_is_never_overridden() -> None:
    message = classified("/what_is_botox", "what_is_botox")
    red_flag_component().process([message])
    assert intent_of(message)["name"] == "what_is_botox"


def trained_unknown_words(tmp_path: Any) -> UnknownWordsFallback:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("unknown_words")
    config = {**UnknownWordsFallback.get_default_config()}
    component = UnknownWordsFallback.create(config, storage, resource, None)  # type: ignore[arg-type]
    examples = [Message({TEXT: t, INTENT: "what_is_botox"}) for t in ("what is botox", "how long does botox last")]
    component.train(TrainingData(training_examples=examples))
    return UnknownWordsFallback.load(config, storage, resource, None)  # type: ignore[arg-type]


def test_keyboard_mashing_is_sent_to_the_rephrase_answer(tmp_path: Any) -> None:
    component = trained_unknown_words(tmp_path)
    mashing = classified("zzqx blorp", "what_is_botox", 0.99)
    known = classified("what is botx", "what_is_botox", 0.99)  # one typo is still a known word
    component.process([mashing, known])
    assert intent_of(mashing) == {"name": "nlu_fallback", "confidence": 1.0}
    assert intent_of(known)["name"] == "what_is_botox"


def test_a_question_about_another_treatment_becomes_out_of_scope() -> None:
    from components.scope_gate import ScopeGate

    gate = ScopeGate.create({}, None, None, None)  # type: ignore[arg-type]
    filler = classified("what are the side effects of lip filler", "risks")
    ours = classified("what are the side effects of botox and microneedling", "risks")
    gate.process([filler, ours])
    assert intent_of(filler) == {"name": "out_of_scope", "confidence": 1.0}
    assert intent_of(ours)["name"] == "risks"


def test_an_unsure_guess_plainly_about_something_else_gets_the_out_of_scope_answer() -> None:
    from components.scope_gate import ScopeGate

    gate = ScopeGate.create({}, None, None, None)  # type: ignore[arg-type]
    dogs = classified("can dogs get botox", "nlu_fallback")
    unclear = classified("botox hmm the thing", "nlu_fallback")
    gate.process([dogs, unclear])
    assert intent_of(dogs)["name"] == "out_of_scope"
    assert intent_of(unclear)["name"] == "nlu_fallback"  # nothing else named: please rephrase


def test_a_guess_of_ours_for_a_message_with_nothing_of_ours_gets_the_out_of_scope_answer() -> None:
    from components.scope_gate import ScopeGate

    gate = ScopeGate.create({}, None, None, None)  # type: ignore[arg-type]
    podcast = classified("recommend a podcast for my commute", "combine")
    both = classified("can i do both on the same day", "combine")
    follow_up = classified("how long does it last", "what_is_botox")
    gate.process([podcast, both, follow_up])
    assert intent_of(podcast)["name"] == "out_of_scope"
    assert intent_of(both)["name"] == "combine"
    assert intent_of(follow_up)["name"] == "what_is_botox"


def test_a_privacy_command_is_read_the_same_whatever_the_classifier_scored() -> None:
    from components.privacy_commands import PrivacyCommands

    commands = PrivacyCommands.create({}, None, None, None)  # type: ignore[arg-type]
    unsure = classified("forget me", "nlu_fallback", 0.55)
    longer = classified("forget me and my botox date too", "forget_me", 0.9)
    commands.process([unsure, longer])
    assert intent_of(unsure) == {"name": "forget_me", "confidence": 1.0}
    assert intent_of(longer)["name"] == "forget_me"  # the classifier's own answer stands


def test_a_price_is_the_clinics_to_quote_only_for_our_treatments() -> None:
    from components.scope_gate import ScopeGate

    gate = ScopeGate.create({}, None, None, None)  # type: ignore[arg-type]
    ours = classified("how much is botox", "what_is_botox")
    dental = classified("how much does invisalign cost", "consult")
    waiting = classified("how much do i need to wait after botox", "wait_time")
    gate.process([ours, dental, waiting])
    assert intent_of(ours)["name"] == "consult"
    assert intent_of(dental)["name"] == "out_of_scope"
    assert intent_of(waiting)["name"] == "wait_time"


def test_a_dated_timing_question_goes_to_the_wait_date_action_whatever_its_intent() -> None:
    from components.timing_router import TimingDateRouter

    router = TimingDateRouter.create({}, None, None, None)  # type: ignore[arg-type]
    dated = classified("i had botox 4 days ago, is it risky to do microneedling now?", "risks")
    general = classified("is it risky to do botox and microneedling close together?", "risks")
    router.process([dated, general])
    assert intent_of(dated)["name"] == "wait_time"
    assert intent_of(general)["name"] == "risks"


def test_the_date_reader_reads_the_message_once_on_the_pipelines_parse() -> None:
    from rasa.nlu.constants import SPACY_DOCS

    from clinic.dates.message_readings import reading_for_turn
    from clinic.dates.tense import spacy_pipeline
    from clinic.protocol import current_protocol
    from clinic.wait_plan import clinic_today
    from components.date_reader import TreatmentDateReader, pipeline_reading

    reader = TreatmentDateReader.create({}, None, None, None)  # type: ignore[arg-type]
    text = "had needling yesterday, when can i get tox"
    message = classified(text, "wait_time")
    message.set(SPACY_DOCS[TEXT], spacy_pipeline()(text))
    button = classified("/inform{\"treatment\": \"botox\"}", "inform")
    reader.process([message, button])
    today = clinic_today(current_protocol())
    reading = reading_for_turn(pipeline_reading(message), today, None)
    assert reading is not None
    assert reading.previous_treatment == "microneedling"
    assert reading.date_resolution.date is not None
    assert (today - reading.date_resolution.date).days == 1
    assert message.as_dict(only_output_properties=True)["date_reading"] == pipeline_reading(message)
    assert pipeline_reading(button) is None  # a button payload has no words to read


def test_a_sign_reported_for_a_pet_gets_the_out_of_scope_answer_not_the_red_flag_one() -> None:
    from components.scope_gate import ScopeGate

    gate, red_flag = ScopeGate.create({}, None, None, None), red_flag_component()  # type: ignore[arg-type]
    pet = classified("my dog got stung by a bee and his face is swollen, what do i do", "report_symptom")
    patient = classified("my throat feels tight and my lips are swollen after botox", "report_symptom")
    for component in (gate, red_flag):  # the pipeline's order
        component.process([pet, patient])
    assert intent_of(pet)["name"] == "out_of_scope"
    assert intent_of(patient)["name"] == "report_symptom"


def test_a_mild_sign_the_classifier_was_unsure_of_gets_the_symptom_answer() -> None:
    text = "I've got a tiny bit of tenderness where the needles went in on my forehead, nothing major though"
    message = classified(text, "nlu_fallback", 0.4)
    red_flag_component().process([message])
    assert intent_of(message)["name"] == "report_symptom"
    unsure = classified("zzqx blorp forehead", "nlu_fallback", 0.4)
    red_flag_component().process([unsure])
    assert intent_of(unsure)["name"] == "nlu_fallback"


def test_someone_elses_fever_is_left_out_of_scope_but_their_emergency_is_answered() -> None:
    fever = classified("my daughter has a fever of 39 should i take her to emerg", "out_of_scope")
    red_flag_component().process([fever])
    assert intent_of(fever)["name"] == "out_of_scope"
    emergency = classified("my husband cant breathe after his botox", "out_of_scope")
    red_flag_component().process([emergency])
    assert intent_of(emergency)["name"] == "report_symptom"
    mine = classified("i have a fever and pus where the needles went in", "out_of_scope")
    red_flag_component().process([mine])
    assert intent_of(mine)["name"] == "report_symptom"
