"""Memory that stays true, offline: one story per failure class of issue 10, through Memory with rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from remem import Memory
from remem.write.claims import claim


@pytest.fixture
def mem(db_path: Path) -> Iterator[Memory]:
    with Memory.open(db_path, extractor="rules") as memory:
        yield memory


def tell(mem: Memory, who: str | None, text: str, at: str, role: str = "user") -> None:
    message = {"role": role, "content": text, **({"name": who} if who else {})}
    mem.add([message], space="s", session=at[:10], at=at)


def current(mem: Memory, pattern: str) -> list[str]:
    """Current extracted memories (not turns, not summaries) matching a pattern."""
    found = mem.list(space="s", limit=1000)
    return [m.text for m in found if m.kind not in ("turn", "summary") and re.search(pattern, m.text, re.I)]


def claim_text(mem: Memory, pattern: str) -> str:
    """The claims of the current memories matching a pattern, as one string."""
    found = mem.list(space="s", limit=1000)
    return " ".join(
        str(m.metadata.get("claims"))
        for m in found
        if m.kind not in ("turn", "summary") and re.search(pattern, m.text, re.I)
    )


def top(mem: Memory, question: str, as_of: str | None = None) -> str:
    hits = mem.search(question, space="s", k=10, as_of=as_of)
    return next(h.memory.text for h in hits if h.memory.kind != "summary")


def raw_of(db_path: Path) -> bytes:
    """Every byte of the database's files: the main file, its WAL and shared memory."""
    return b"".join(p.read_bytes() for p in db_path.parent.iterdir() if p.name.startswith(db_path.name))


def gone(db_path: Path, *secrets: bytes) -> bytes:
    """The database's bytes, after checking that none of the secrets is among them."""
    raw = raw_of(db_path)
    for secret in secrets:
        assert secret not in raw, secret
    return raw


def test_restatements_in_other_words_stay_one_memory(mem: Memory) -> None:
    tell(mem, "Zara", "my favourite band these days is Khruangbin.", "2023-02-11T10:00:00Z")
    tell(mem, "Zara", "fyi Khruangbin is still my number one band, nothing comes close", "2023-09-23T10:00:00Z")
    assert len(current(mem, "Khruangbin")) == 1


def test_any_property_can_change_and_the_old_value_is_closed(mem: Memory) -> None:
    tell(
        mem,
        "Nadia",
        "new job!! head of customer support at Bolt, team of 35 across Tallinn and Lisbon",
        "2022-04-04T10:00:00Z",
    )
    tell(mem, "Nadia", "we've been hiring like crazy, I'm at 48 people now", "2023-01-16T10:00:00Z")
    assert not current(mem, r"\b35\b") and current(mem, r"\b48\b")
    assert re.search(r"\b35\b", top(mem, "How big is Nadia's team?", as_of="2022-09-01T00:00:00Z"))


def test_a_correction_replaces_what_it_corrects(mem: Memory) -> None:
    tell(
        mem, "Hyejin", "I've been at Accenture since 2017, consulting in the banking practice.", "2023-04-11T10:00:00Z"
    )
    tell(
        mem,
        "Hyejin",
        "oops typo, I meant 2019. I was still finishing my degree before that lol",
        "2023-04-11T10:01:00Z",
    )
    assert current(mem, "Accenture") == [
        "Hyejin has been at Accenture since 2019, consulting in the banking practice (2019)."
    ]


def test_one_persons_change_leaves_anothers_facts_alone(mem: Memory) -> None:
    tell(mem, "Jonas", "I'm a data engineer at Spotify. we live in Berlin", "2022-05-14T10:00:00Z")
    tell(mem, "Marta", "I work at Zalando, in the pricing team", "2022-05-14T10:01:00Z")
    tell(mem, "Jonas", "news: I'm at Klarna now! started last week", "2023-03-01T10:00:00Z")
    assert not current(mem, "Spotify") and current(mem, "Klarna") and current(mem, "Zalando")


def test_a_third_partys_change_closes_their_old_fact(mem: Memory) -> None:
    tell(mem, "Ruth", "my sister Jo lives in Bristol so I'm on the train a lot", "2022-02-09T10:00:00Z")
    tell(mem, "Ruth", "my sister moved to Paris!! new job at UNESCO", "2023-05-03T10:00:00Z")
    assert not current(mem, "Bristol") and current(mem, "Paris")


def test_the_assistants_words_are_never_the_users_facts(mem: Memory) -> None:
    tell(mem, "Amara", "backend dev at a small agency in Lagos, any tips for going remote?", "2023-01-09T10:00:00Z")
    tell(mem, None, "Stripe might be a great fit for your background.", "2023-01-09T10:00:30Z", role="assistant")
    assert not current(mem, "Stripe")
    assert any("Stripe" in m.text for m in mem.list(space="s", kinds=["turn"]))  # kept as the assistant's turn


def test_forget_removes_exactly_what_was_meant(mem: Memory, db_path: Path) -> None:
    tell(
        mem,
        "Ivan",
        "new phone, new number: 07700 900461. also started nights at the Tesco depot in Daventry this week",
        "2023-03-14T10:00:00Z",
    )
    tell(mem, None, "Got it, 07700 900461. Hope the new schedule treats you well!", "2023-03-14T10:00:20Z", "assistant")
    tell(mem, "Ivan", "please forget my phone number, I'd rather not have it stored anywhere", "2023-06-20T10:00:00Z")
    for hit in mem.search("Ivan's phone number 07700 900461", space="s", k=20, include_expired=True):
        assert "900461" not in hit.memory.text
    assert current(mem, "Tesco")  # the other fact from the same turn stays
    raw = raw_of(db_path)
    assert b"900461" not in raw


def test_a_future_date_resolves_forward(mem: Memory) -> None:
    tell(mem, "Ana", "my sister's wedding is on 14 September", "2023-08-01T10:00:00Z")
    assert current(mem, "14 September 2023")


def test_a_change_said_with_a_relative_date_closes_the_old_value_then(mem: Memory) -> None:
    tell(mem, "Hugo", "Hugo here, I'm in Manchester, Ancoats. working at a games studio", "2022-09-01T10:00:00Z")
    tell(mem, "Hugo", "oh i forgot to tell you, we moved to Bristol two months ago!", "2024-02-20T10:00:00Z")
    assert not current(mem, "Manchester") and current(mem, "Bristol two months ago [(]December 2023[)]")
    assert "Manchester" in top(mem, "Where does Hugo live?", as_of="2023-10-01T00:00:00Z")


def test_a_changed_number_leaves_the_rest_of_its_fact_standing(mem: Memory) -> None:
    tell(mem, "Diego", "hola! Diego, 39, living in Valparaíso. trying to get fit this year lol", "2023-02-18T10:00:00Z")
    tell(mem, "Diego", "turned the big 4-0 on Saturday 🎂 my kids made me a terrible cake", "2023-09-04T10:00:00Z")
    assert not current(mem, r"\b39\b")
    assert current(mem, r"Diego, living in Valparaíso") and current(mem, r"4-0|\b40\b")
    assert re.search(r"\b39\b", top(mem, "How old is Diego?", as_of="2023-06-01T00:00:00Z"))


def test_a_move_said_in_passing_closes_the_old_city_and_back_again_closes_the_new(mem: Memory) -> None:
    tell(
        mem,
        None,
        "some context: I'm based in Melbourne (Brunswick), I work in logistics software",
        "2021-02-10T10:00:00Z",
    )
    tell(
        mem, None, "relocated to Singapore for work last month, the company sponsored the visa", "2022-06-03T10:00:00Z"
    )
    assert not current(mem, r"\bMelbourne\b") and current(mem, r"\bSingapore\b")
    tell(mem, None, "and we're back in Melbourne! the contract wrapped up before christmas", "2024-01-22T10:00:00Z")
    assert not current(mem, r"\bSingapore\b")
    assert "Singapore" in top(mem, "Where do I live?", as_of="2023-03-01T00:00:00Z")
    assert "Melbourne" in top(mem, "Where do I live?")


def test_actually_without_what_it_replaces_is_news_not_a_correction(mem: Memory) -> None:
    tell(
        mem,
        "Keisha",
        "Hi! I'm Keisha. been in Houston 6 years now and honestly the summers are killing me",
        "2021-10-12T10:00:00Z",
    )
    tell(
        mem,
        "Keisha",
        "ok we actually did it. Portland is home now!! the kids start at their new school",
        "2022-09-30T10:00:00Z",
    )
    assert not current(mem, r"\bHouston\b")
    assert "Portland" in top(mem, "Where does Keisha live?")


def test_a_new_employer_closes_the_details_said_with_the_old_one_and_nothing_else(mem: Memory) -> None:
    tell(
        mem,
        "Felix",
        "Servus! I'm Felix, 31, powertrain engineer at Audi in Ingolstadt. mostly gearbox calibration, very exciting",
        "2021-05-03T10:00:00Z",
    )
    tell(mem, "Felix", "I do the weekly shop on Saturdays", "2021-05-03T11:00:00Z")
    tell(mem, "Felix", "quick update, I'm at BMW now. electric drive units, way more fun", "2022-11-28T10:00:00Z")
    assert not current(mem, r"\bAudi\b|gearbox")
    assert current(mem, r"weekly shop") and current(mem, r"\bBMW\b")
    assert "gearbox" in " ".join(
        h.memory.text for h in mem.search("What does Felix work on?", space="s", k=10, as_of="2022-01-01T00:00:00Z")
    )


def test_an_agency_named_by_what_it_is_is_an_employer(mem: Memory) -> None:
    tell(mem, "Amara", "Hey! Amara here, backend dev at a small agency in Lagos.", "2023-01-09T10:00:00Z")
    tell(mem, "Amara", "SIGNED!! I'm joining Flutterwave as a senior backend engineer", "2023-04-21T10:00:00Z")
    assert not current(mem, r"\bagency\b")
    assert "Flutterwave" in top(mem, "Where does Amara work?")


def test_a_third_party_named_through_a_relation_is_one_person(mem: Memory) -> None:
    tell(
        mem,
        "Bex",
        "my best friend Dana is pregnant!!! due in May, I'm going to be the best auntie",
        "2022-11-05T10:00:00Z",
    )
    tell(mem, "Bex", "Dana had the baby!!! a little girl called Ivy, born Sunday", "2023-05-16T10:00:00Z")
    assert not [t for t in current(mem, r"pregnan") if "Ivy" not in t]
    assert "pregnant" in top(mem, "Has Dana had her baby?", as_of="2023-02-01T00:00:00Z")


def test_a_break_up_leaves_the_person_single_until_someone_new(mem: Memory) -> None:
    tell(mem, "Lena", "valentines dinner with my boyfriend Sam tonight", "2022-02-14T10:00:00Z")
    tell(mem, "Lena", "new year new me lol. Sam and I called it quits in November. mutual", "2023-01-07T10:00:00Z")
    assert not current(mem, r"boyfriend Sam")
    assert "quits" in top(mem, "Is Lena seeing anyone?", as_of="2023-03-15T00:00:00Z")
    tell(mem, "Lena", "Omar and I are official now lol", "2023-09-02T10:00:00Z")
    assert not current(mem, r"quits") and "Omar" in top(mem, "Who is Lena dating?")


def test_a_corrected_name_is_corrected_in_the_claim_and_a_plan_lies_ahead(mem: Memory) -> None:
    tell(
        mem,
        "Élodie",
        "my husband Mark and I are doing the Camino in September, any packing tips?",
        "2022-06-20T10:00:00Z",
    )
    tell(mem, "Élodie", "sorry, autocorrect 🙄 it's Marc with a c. he'd be horrified", "2022-06-20T10:05:00Z")
    [camino] = current(mem, r"Camino")
    assert "Marc" in camino and "Mark" not in camino and "September 2022" in camino
    [fact] = [m for m in mem.list(space="s") if m.text == camino]
    assert fact.metadata["claims"]["partner"] == "Marc"  # the claim is corrected with the words
    assert "Marc" in top(mem, "What is Élodie's husband's name?")
    tell(mem, "Ruth", "hiya, Ruth here, Cardiff born and bred and still here.", "2022-02-09T10:00:00Z")
    assert "Cardiff" in top(mem, "Where does Ruth live?")


def test_telling_of_an_ending_again_does_not_end_the_first_telling(mem: Memory) -> None:
    tell(
        mem, "Jon", "Lost my job as a banker yesterday, so I'm gonna start my own dance studio.", "2023-01-20T10:00:00Z"
    )
    tell(mem, "Jon", "Losing my job was hard, but it pushed me to follow my passion.", "2023-02-01T10:00:00Z")
    tell(mem, "Jon", "since I lost my job I dance every single day", "2023-03-01T10:00:00Z")
    assert len(current(mem, r"\blos(?:t|ing)\b.*\bjob\b")) == 3


def test_what_was_said_of_a_named_pet_ends_with_the_pet(mem: Memory) -> None:
    """'my dog Rufus ... he's a beagle': the beagle is Rufus, so losing Rufus closes it too."""
    tell(mem, "Jonah", "my dog Rufus is 12 and his back legs are getting wobbly. he's a beagle", "2021-07-09")
    assert current(mem, r"\bbeagle\b")
    tell(mem, "Jonah", "we lost Rufus on Friday. the house is so quiet", "2022-03-21")
    assert current(mem, r"\bbeagle\b|\bRufus is 12\b") == []
    tell(mem, "Jonah", "we adopted a retired racing greyhound!! her name is Pip", "2022-08-14")
    assert "Pip" in top(mem, "What dog does Jonah have?")


def test_a_new_dogs_breed_and_name_replace_the_old_dogs(mem: Memory) -> None:
    """A breed and a pet's name are claims of their own: the new dog's close the old dog's, kept as of then."""
    tell(mem, "Sven", "we have a basset hound called Bruno, slow as anything", "2021-05-02T10:00:00Z")
    tell(mem, "Sven", "big news, we just adopted a rescue staffie puppy!! her name is Daisy", "2023-04-09T10:00:00Z")
    assert current(mem, r"\bbasset\b") == [] and current(mem, r"\bstaffie\b")
    assert re.search(r"\bstaffie\b", top(mem, "What breed is Sven's dog?"))
    assert re.search(r"\bDaisy\b", top(mem, "What is the name of Sven's dog?"))
    assert re.search(r"\bbasset\b", top(mem, "What breed is Sven's dog?", as_of="2022-01-01T00:00:00Z"))


def test_a_breed_only_thought_of_or_of_a_second_pet_closes_nothing(mem: Memory) -> None:
    tell(mem, "Ana", "my cat is a ragdoll, fluffiest thing alive", "2022-01-10T10:00:00Z")
    tell(mem, "Ana", "thinking about getting a sphynx kitten at some point", "2022-06-10T10:00:00Z")
    tell(mem, "Ana", "we got another cat, a tabby kitten called Fig", "2023-02-10T10:00:00Z")
    assert current(mem, r"\bragdoll\b")
    assert re.search(r"\bragdoll\b", top(mem, "What breed is Ana's cat?"))


def test_how_the_user_wants_answers_is_a_preference_that_changes(mem: Memory) -> None:
    tell(mem, "Ravi", "can you keep your replies brief please, I'm always in a rush", "2022-02-01T10:00:00Z")
    tell(mem, "Ravi", "from now on I'd like detailed answers with examples, I have more time", "2023-05-01T10:00:00Z")
    assert current(mem, r"\bbrief\b") == []
    assert re.search(r"\bdetailed\b", top(mem, "How does Ravi like his answers?"))
    assert re.search(r"\bbrief\b", top(mem, "How does Ravi like his answers?", as_of="2022-06-01T00:00:00Z"))


def test_a_usual_drink_changes_and_one_only_mentioned_or_refused_is_not_it(mem: Memory) -> None:
    tell(mem, "Ravi", "double espresso every morning, no exceptions", "2022-02-01T10:00:00Z")
    tell(mem, "Ravi", "my sister swears by lattes, I can't stand them", "2022-03-01T10:00:00Z")
    tell(mem, "Ravi", "switched to green tea these days, my sleep is so much better", "2023-05-01T10:00:00Z")
    assert current(mem, r"\bespresso\b") == []
    assert re.search(r"\bgreen tea\b", top(mem, "What does Ravi usually drink in the morning?"))
    assert re.search(r"\bespresso\b", top(mem, "What is Ravi's coffee order?", as_of="2022-06-01T00:00:00Z"))


def test_names_typed_in_lower_case_are_names_where_a_name_must_stand(mem: Memory) -> None:
    """Casual typing: "a flat in leeds", "job at spotify", "my sister layla lives in boston"."""
    tell(mem, "Priya", "just got a tiny flat in leeds, need cheap dinner ideas lol", "2022-01-10T10:00:00Z")
    tell(mem, "Priya", "my sister layla lives in boston, she's a nurse", "2022-02-10T10:00:00Z")
    tell(mem, "Priya", "packed my whole life into a van and im in glasgow now", "2023-03-10T10:00:00Z")
    assert current(mem, r"\bleeds\b") == [] and current(mem, r"\bglasgow\b")
    assert re.search(r"\bglasgow\b", top(mem, "Where does Priya live?"), re.I)
    assert re.search(r"\bleeds\b", top(mem, "Where does Priya live?", as_of="2022-06-01T00:00:00Z"), re.I)
    assert current(mem, r"\bboston\b")  # the sister's home is hers, untouched by Priya's move
    assert re.search(r"\bboston\b", top(mem, "Where does Layla live?"), re.I)


def test_a_salary_said_as_what_one_makes_is_a_salary_and_can_be_forgotten(mem: Memory, db_path: Path) -> None:
    tell(mem, "Rafa", "i make 84k as a civil engineer, is that decent for austin?", "2022-10-10T10:00:00Z")
    tell(mem, "Rafa", "also learning guitar, 3 months in", "2023-01-22T10:00:00Z")
    assert re.search(r"\b84k\b", top(mem, "What is Rafa's salary?"))
    tell(mem, "Rafa", "please forget my salary, i shouldn't have shared that lol", "2023-05-05T10:00:00Z")
    hits = [h.memory.text for h in mem.search("How much does Rafa earn?", space="s", k=20, include_expired=True)]
    assert hits and not any(re.search(r"\b84\s?k\b", t) for t in hits)
    assert current(mem, r"\bguitar\b")


def test_a_third_party_named_in_lower_case_moves_and_the_speaker_stays(mem: Memory) -> None:
    tell(mem, "Noor", "noor here, based in chicago. my sister layla lives in boston", "2022-01-09T10:00:00Z")
    tell(mem, "Noor", "layla took a job in denver and moved last month. me? still in chicago", "2023-05-25T10:00:00Z")
    assert re.search(r"\bdenver\b", top(mem, "Where does Layla live?"), re.I)
    assert current(mem, r"\bboston\b") == [] and current(mem, r"\bchicago\b")
    tell(mem, "Noor", "dad's officially retired as of friday", "2023-07-10T10:00:00Z")
    assert not any(
        m.metadata.get("subject") == "noor" and "title" in m.metadata.get("claims", {})
        for m in mem.list(space="s", limit=100)
    )  # the retirement is dad's, not Noor's


def test_a_new_job_leaves_the_home_said_in_the_same_breath_and_a_restatement_changes_nothing(mem: Memory) -> None:
    tell(mem, "Charlotte", "Hi, I'm Charlotte. I live in Salford and I work as an engineer at the BBC.", "2022-11-03")
    tell(mem, "Charlotte", "As I mentioned before, I'm a developer at the BBC.", "2023-03-21")
    assert len(current(mem, r"\bBBC\b")) == 1 and current(mem, r"\bSalford\b")  # said again: nothing closed
    tell(mem, "Charlotte", "big news: I'm at Google now!", "2023-09-01")
    assert current(mem, r"\bBBC\b") == [] and current(mem, r"\bGoogle\b")
    assert current(mem, r"\bSalford\b")  # a new job is no new home
    assert re.search(r"\bSalford\b", top(mem, "Where does Charlotte live?"))


def test_a_diet_that_lapsed_and_drinking_that_stopped_close_what_they_end(mem: Memory) -> None:
    tell(mem, "Mike", "I run a bakery in Galway, and I'm vegetarian, so no meat recipes please.", "2021-10-04")
    tell(mem, "Mike", "friday = wine night, always a glass of merlot", "2021-11-04")
    tell(mem, "Mike", "An update on my diet: I'm not vegetarian anymore.", "2023-02-19")
    tell(mem, "Mike", "also i quit drinking, 100 days sober today", "2023-04-30")
    assert not any("not" not in t for t in current(mem, r"\bvegetarian\b"))
    assert current(mem, r"\bmerlot\b|\bwine\b") == []
    assert current(mem, r"\bbakery\b")


def test_a_plan_moved_then_called_off_leaves_no_date_current(mem: Memory) -> None:
    tell(mem, "Amara", "amara. planning japan trip, april 2024. 2 weeks. me + husband.", "2023-09-10")
    tell(mem, "Amara", "japan moved to october. flights cheaper.", "2024-01-15")
    assert current(mem, r"\bapril\b") == [] and current(mem, r"\boctober\b")
    tell(mem, "Amara", "japan's cancelled altogether. mum's having surgery in sept.", "2024-06-20")
    assert current(mem, r"\boctober\b") == [] and current(mem, r"\bcancelled\b")


def test_forgetting_by_kind_finds_what_the_words_never_name(mem: Memory) -> None:
    """ "the medical stuff" is the diabetes and the pump; "that interview" is the final round."""
    tell(mem, "Ravi", "ravi. electrician, leicester. type 1 diabetic, on an insulin pump.", "2023-07-01")
    tell(mem, "Ravi", "had a final round w stripe today, fingers crossed", "2023-07-02")
    tell(mem, "Ravi", "forget the medical stuff pls.", "2023-09-12")
    tell(mem, "Ravi", "hey can u delete what i told u about that interview? paranoid lol", "2023-09-13")
    for query in ("Does Ravi have any medical conditions?", "insulin pump", "Stripe interview"):
        hits = [h.memory.text for h in mem.search(query, space="s", k=20, include_expired=True)]
        assert not any(re.search(r"diabet|insulin|stripe", t, re.I) for t in hits), query
    assert current(mem, r"\belectrician\b")


def test_a_kind_of_private_thing_finds_its_words_and_only_them(mem: Memory, db_path: Path) -> None:
    """ "my debt" is what is owed on cards; "my mom's health" is the diagnosis, not where she lives;
    "my brother's news" is what was told in confidence, the rest of that sentence with it."""
    tell(mem, "Lee", "my mum lives in Cebu, she runs a bakery there", "2024-01-01")
    tell(mem, "Lee", "my mom was diagnosed with early Parkinson's in March", "2024-01-02")
    tell(mem, "Lee", "I owe about £12k on credit cards, it keeps me up at night", "2024-01-03")
    tell(mem, "Lee", "between us, my brother Jun is moving to Oslo, he hasn't told our parents", "2024-01-04")
    tell(mem, "Lee", "please forget what I said about my mom's health", "2024-02-01")
    tell(mem, "Lee", "can you delete the stuff about my debt too", "2024-02-02")
    tell(mem, "Lee", "and forget my brother's news, I promised him", "2024-02-03")
    gone(db_path, b"Parkinson", b"12k", b"credit card", b"Oslo")
    assert current(mem, r"\bCebu\b") and current(mem, r"\bbakery\b")


def test_forget_it_means_what_was_just_said(mem: Memory, db_path: Path) -> None:
    """ "please delete it" names nothing: it is the thing the turn, or the user's turn before, said."""
    tell(mem, "Noor", "new passport came, the number is K7730215. I teach year 6 in Oldham", "2023-02-01")
    tell(mem, None, "Noted: K7730215. Year 6 is a big year!", "2023-02-01T00:00:10Z", "assistant")
    tell(mem, "Noor", "on second thought I'd rather you didn't keep my passport number. delete it please", "2023-02-03")
    tell(mem, "Noor", "my therapist is dr okafor at the riverside practice", "2023-03-01")
    tell(mem, "Noor", "hmm actually pls delete that", "2023-03-01T00:05:00Z")
    tell(mem, "Noor", "ugh forget it, I'll sort the timetable myself", "2023-03-02")
    for query in ("Noor's passport number", "Who is Noor's therapist?"):
        hits = [h.memory.text for h in mem.search(query, space="s", k=20, include_expired=True)]
        assert not any(re.search(r"K7730215|okafor", t, re.I) for t in hits), query
    raw = raw_of(db_path)
    assert b"K7730215" not in raw and b"okafor" not in raw.lower()
    assert current(mem, r"year 6") and current(mem, r"timetable")  # "forget it" there is "never mind"


def test_forgetting_a_topic_takes_its_echoes_in_any_case(mem: Memory, db_path: Path) -> None:
    """The user types a name in lower case and the assistant capitalises it; a long word said only in the
    forgotten part (a diagnosis) goes from the assistant's reply too."""
    tell(mem, "Beth", "im a nurse in york. got a final round w canva on friday!!", "2023-05-01")
    tell(mem, None, "Good luck with Canva on Friday, Beth!", "2023-05-01T00:00:10Z", "assistant")
    tell(mem, "Beth", "also i was diagnosed with fibromyalgia last week", "2023-05-02")
    tell(mem, None, "I'm sorry to hear about the fibromyalgia.", "2023-05-02T00:00:10Z", "assistant")
    tell(mem, "Beth", "pls forget the whole interview thing and the medical stuff", "2023-05-20")
    raw = raw_of(db_path).lower()
    assert b"canva" not in raw and b"fibromyalgia" not in raw
    assert current(mem, r"\bnurse\b")


def test_a_corrected_date_replaces_what_it_corrects_however_it_was_written(mem: Memory) -> None:
    # The day as an ordinal against a plain number; a correction said as "I wrote it wrong".
    tell(mem, "Priyanka", "Our anniversary is 3 June, can you remind me a week before?", "2023-04-02T10:00:00Z")
    tell(mem, "Priyanka", "ugh typo, it's the 8th of june, not the 3rd", "2023-04-02T10:01:00Z")
    assert current(mem, r"\b8 June") and not current(mem, r"\b3 June")
    tell(mem, "Ines", "My name day is October 9, remind me a week before?", "2023-09-01T10:00:00Z")
    tell(mem, "Ines", "hold on, I wrote it wrong, it's NOVEMBER 9 not October", "2023-09-01T10:02:00Z")
    assert current(mem, r"(?i)november 9") and not current(mem, r"October 9")


def test_a_rise_said_without_naming_the_salary_replaces_it(mem: Memory) -> None:
    tell(mem, "Dmitri", "I earn $68,000 a year as a paralegal and want to start saving.", "2022-02-01T10:00:00Z")
    tell(mem, "Dmitri", "pay review went well, they bumped me up to $72,000", "2023-02-01T10:00:00Z")
    tell(
        mem,
        "Dmitri",
        "another rise! on seventy-five thousand now. also putting $200 a month into savings",
        "2024-02-01",
    )
    assert current(mem, r"seventy-five thousand") and not current(mem, r"68,000|72,000")
    assert current(mem, r"paralegal")  # the job said beside the old salary stays
    assert current(mem, r"\$200")  # a second amount in the turn is not the salary again


def test_eating_again_and_no_cigarettes_end_the_old_habit(mem: Memory) -> None:
    tell(mem, "Kofi", "fully vegan since 2019, it's been great for my running", "2022-01-05T10:00:00Z")
    tell(mem, "Kofi", "i smoke like 5 a day still, bad i know", "2022-01-06T10:00:00Z")
    tell(mem, "Kofi", "doctor's orders: I went back to eating chicken and eggs", "2023-03-01T10:00:00Z")
    tell(mem, "Kofi", "two months with no cigs now!!", "2023-05-01T10:00:00Z")
    assert not current(mem, r"\bvegan\b") and current(mem, r"chicken")
    assert not current(mem, r"5 a day")


def test_she_after_someone_new_is_that_person_not_the_speaker(mem: Memory) -> None:
    tell(mem, "Oskar", "I'm a dentist in Aarhus. My girlfriend Lene and I just got a cat.", "2022-05-01T10:00:00Z")
    tell(
        mem, "Oskar", "Lene and I split up in March. I've been seeing someone called Ida. She's a pilot.", "2023-06-01"
    )
    assert current(mem, r"\bdentist\b")  # Ida's job does not replace Oskar's
    assert current(mem, r"\bIda\b") and not current(mem, r"girlfriend Lene")


def test_forgetting_the_pills_and_an_address_written_the_local_way(mem: Memory, db_path: Path) -> None:
    tell(mem, None, "i take 20mg of fluoxetine every morning. also what's a good gift for a 5 year old?", "2023-03-01")
    tell(
        mem,
        "Lucia",
        "For the invoice: Lucia Ferri, 42 via Garibaldi, 10122 Torino, client code IT-55310.",
        "2023-03-02",
    )
    tell(mem, "Lucia", "I love hiking in the Dolomites.", "2023-03-03")
    tell(mem, None, "pls forget the tablets I'm on", "2023-04-01")
    tell(mem, "Lucia", "Please delete my street address and client code from your memory.", "2023-04-02")
    raw = raw_of(db_path).lower()
    assert b"fluoxetine" not in raw and b"garibaldi" not in raw and b"55310" not in raw
    assert current(mem, r"Dolomites") and any("gift for a 5 year old" in m.text for m in mem.list(space="s"))


def test_a_plan_moved_by_an_amount_of_time_lands_on_its_new_day(mem: Memory) -> None:
    tell(mem, "Sipho", "my citizenship interview is on the 3rd of June, so nervous", "2024-05-20T10:00:00Z")
    tell(mem, "Sipho", "home affairs called, they pushed the interview back two weeks", "2024-05-28T10:00:00Z")
    assert current(mem, r"17 June 2024") and not current(mem, r"3 June 2024")
    assert re.search(r"3(?:rd)? (?:of )?June", top(mem, "When is Sipho's interview?", as_of="2024-05-25T00:00:00Z"))
    tell(mem, "Sipho", "update: the interview got moved up 3 days", "2024-06-01T10:00:00Z")
    assert current(mem, r"14 June 2024") and not current(mem, r"17 June 2024")
    tell(mem, "Sipho", "my graduation is on the 30th of March", "2025-01-10T10:00:00Z")
    tell(mem, "Sipho", "they pushed my graduation back a month", "2025-02-10T10:00:00Z")
    assert current(mem, r"30 April 2025")  # the day the month has, not the 28th


def test_a_pet_that_died_takes_only_its_own_facts_along(mem: Memory) -> None:
    tell(mem, "Elif", "We live in Izmir and have one cat, a tabby called Pamuk.", "2022-03-03T10:00:00Z")
    tell(mem, "Elif", "Pamuk died on Sunday, he was 16. The flat is so quiet.", "2024-05-08T10:00:00Z")
    assert not current(mem, r"one cat") and current(mem, r"\bIzmir\b")


def test_switching_from_one_thing_to_another_ends_the_first(mem: Memory) -> None:
    tell(mem, "Bea", "I keep all my lecture notes in Notion, colour-coded by module.", "2023-01-10T10:00:00Z")
    tell(mem, "Bea", "update: I switched from Notion to Obsidian, it works offline", "2023-10-02T10:00:00Z")
    assert not current(mem, r"notes in Notion") and current(mem, r"Obsidian")


def test_two_people_in_one_breath_change_apart(mem: Memory) -> None:
    tell(
        mem, None, "me n my bf dayo both got new jobs. im at kpmg (tax, ugh) and he's at Monzo", "2022-04-18T10:00:00Z"
    )
    tell(mem, None, "dayo got poached by revolut, more money less sleep", "2022-12-09T10:00:00Z")
    assert current(mem, r"(?i)kpmg") and current(mem, r"(?i)revolut") and not current(mem, r"Monzo")
    tell(mem, "Ines", "Separated from Bruno. He moved to Faro. The kids stay with me in Braga.", "2023-03-18T10:00:00Z")
    assert "Faro" in top(mem, "Where does Bruno live?")


def test_a_new_role_and_going_it_alone_are_jobs(mem: Memory) -> None:
    tell(mem, "Hana", "I'm a ward nurse at St Vincent's in Sydney.", "2022-01-10T10:00:00Z")
    tell(mem, "Hana", "I've moved into a nurse unit manager role, still at St Vincent's", "2023-05-15T10:00:00Z")
    assert current(mem, r"unit manager") and not current(mem, r"ward nurse")
    tell(mem, "Kai", "I work as a plumber for Allied Pipes in Perth.", "2022-01-11T10:00:00Z")
    tell(mem, "Kai", "I've gone out on my own, registered my business last week", "2022-08-29T10:00:00Z")
    assert not current(mem, r"Allied Pipes")


def test_terse_job_changes_and_moving_again(mem: Memory) -> None:
    tell(mem, "Lev", "lev. live in oslo. data eng at finn.", "2021-02-01T10:00:00Z")
    tell(mem, "Lev", "changed jobs. vipps now, payments team.", "2022-06-01T10:00:00Z")
    assert current(mem, r"(?i)vipps") and not current(mem, r"(?i)\bfinn\b")
    tell(mem, "Lev", "left vipps. consulting now, own company.", "2023-09-01T10:00:00Z")
    assert not current(mem, r"(?i)vipps now")
    tell(mem, "Ruth", "I live in Bath and I'm a midwife at the RUH.", "2021-02-01T10:00:00Z")
    tell(
        mem,
        "Ruth",
        "We've relocated again, this time to Exeter. Still midwifing, now at the Royal Devon.",
        "2023-02-01",
    )
    assert "Exeter" in top(mem, "Where does Ruth live?") and not current(mem, r"live in Bath")


def test_the_assistant_repeating_a_replaced_value_ranks_below_the_current_one(mem: Memory) -> None:
    tell(mem, None, "I'm 44 and work as a paramedic in Dubai. My dad is 75 and still in Davao.", "2023-02-28")
    tell(
        mem,
        None,
        "So your dad lives in Davao and you live in Dubai? A carer for him could help.",
        "2023-02-28T00:01",
        "assistant",
    )
    tell(mem, None, "My dad moved in with my sister Joy in Cebu, so he's not alone anymore.", "2023-08-14")
    assert "Cebu" in top(mem, "Where is my dad these days?")
    [echo] = [m for m in mem.list(space="s", kinds=["turn"]) if m.metadata.get("role") == "assistant"]
    assert echo.metadata.get("superseded_at", "").startswith("2023-08-14")  # it states the old city too


def test_what_someone_plays_and_which_sport_they_do_change(mem: Memory) -> None:
    tell(
        mem,
        None,
        "School run madness. Kenta (9) takes piano lessons and Hana (6) does gymnastics on Sundays.",
        "2023-09-04",
    )
    tell(mem, None, "Kenta has given up piano, he wants to play the trumpet now. Loud!", "2024-01-15")
    tell(mem, None, "Hana moved from gymnastics to tennis, she loves the racket", "2024-05-02")
    assert not current(mem, r"piano lessons") and not current(mem, r"does gymnastics")
    assert "trumpet" in top(mem, "What instrument does Kenta play?")
    assert "tennis" in top(mem, "What sport does Hana do?")
    assert re.search(r"gymnastics", top(mem, "What sport does Hana do?", as_of="2023-12-01T00:00:00Z"))


def test_the_current_fact_takes_the_place_of_the_stale_turn_that_shares_the_questions_words(mem: Memory) -> None:
    # Only the old turn says "half marathon"; the fact that replaced its plan does not.
    tell(mem, "Tariq", "I'm running the Chicago half marathon in October, first race ever!", "2023-03-02T10:00:00Z")
    tell(mem, "Tariq", "change of plan, entered Lisbon in March 2024 instead", "2023-08-20T10:00:00Z")
    assert "Lisbon" in top(mem, "Which half marathon is Tariq running?")
    # As of before the change, the old plan is still the answer, and the stale turn is still findable.
    assert "Chicago" in top(mem, "Which half marathon is Tariq running?", as_of="2023-05-01T00:00:00Z")
    turns = mem.search("Which half marathon is Tariq running?", space="s", k=10, kinds=["turn"])
    assert turns and all(h.memory.kind == "turn" for h in turns)  # a successor fact passes the filters or stays out
    # Among the turns, the one that says the plan changed ("instead") first, the old plan still there below it.
    assert "Lisbon" in turns[0].memory.text and any("Chicago" in h.memory.text for h in turns[1:])


def test_a_question_about_the_user_finds_what_an_unnamed_user_said(mem: Memory) -> None:
    tell(mem, None, "based in gdansk. night nurse. need help planning a bike tour later", "2023-02-01T10:00:00Z")
    tell(mem, None, "relocating to poznan in two weeks fyi", "2023-10-09T10:00:00Z")
    assert "poznan" in top(mem, "Where does the user live?").lower()


def test_a_change_keeps_what_else_the_closed_fact_said_in_its_own_words(mem: Memory) -> None:
    tell(
        mem,
        "Tunde",
        "I'm a sous chef, and my girlfriend Ines and I have been together two years",
        "2022-03-01T10:00:00Z",
    )
    tell(mem, "Tunde", "Ines and I got engaged last night!!", "2023-06-10T10:00:00Z")
    assert current(mem, r"\bsous chef\b") and not current(mem, r"together two years")
    tell(mem, "Priya", "I'm a radiographer, based in Leicester.", "2021-09-01T10:00:00Z")
    tell(mem, "Priya", "moved to Nottingham last weekend", "2022-02-14T10:00:00Z")
    assert current(mem, r"\bradiographer\b") and not current(mem, r"Leicester")
    tell(mem, "Sven", "I'm a welder in Malmö and please keep your replies short, bullet points", "2021-01-04T10:00:00Z")
    tell(mem, "Sven", "actually I prefer detailed answers now, with the reasoning", "2021-05-04T10:00:00Z")
    assert current(mem, r"\bwelder\b") and not current(mem, r"bullet points")
    assert len(current(mem, r"Malmö")) == 1  # the home goes on with the job's words, not said twice
    assert re.search("Nottingham", top(mem, "What city does Priya live in?"))


def test_a_new_amount_keeps_the_rest_of_what_was_said_with_the_old_one(mem: Memory) -> None:
    tell(mem, "Ines", "I'm a lab technician in Coimbra on €1,900 a month and I cycle to work", "2022-01-10T10:00:00Z")
    tell(mem, "Ines", "got a raise, I'm on €2,150 a month now", "2023-01-10T10:00:00Z")
    assert not current(mem, r"1,900") and current(mem, r"\blab technician\b") and current(mem, r"cycles? to work")
    tell(
        mem,
        "Kofi",
        "Our rent is GHS 3,200 a month for a two-bed in Osu, plus about GHS 400 for power",
        "2022-03-01T10:00:00Z",
    )
    tell(mem, "Kofi", "landlord raised the rent to GHS 3,600", "2023-03-01T10:00:00Z")
    assert not current(mem, r"3,200") and current(mem, r"GHS 400") and current(mem, r"\bOsu\b")
    assert "3,600" in top(mem, "How much does Kofi pay in rent?")


def test_a_title_before_a_name_ends_no_sentence_of_a_forgotten_part(mem: Memory, db_path: Path) -> None:
    tell(
        mem,
        "Yusuf",
        "Mondays I lift at the gym, Wednesday 6pm with my psychiatrist Dr. Haldane about my OCD",
        "2024-01-08",
    )
    tell(mem, "Yusuf", "I regret telling you about the Wednesday sessions. Please forget it.", "2024-02-01")
    hits = [h.memory.text for h in mem.search("Who is Yusuf's psychiatrist?", space="s", k=20, include_expired=True)]
    assert not any(re.search(r"Haldane|OCD", t) for t in hits)
    raw = raw_of(db_path)
    assert b"Haldane" not in raw and b"OCD" not in raw
    kept = [m.text for m in mem.list(space="s", kinds=["turn"])]
    assert kept == ["Yusuf: Mondays I lift at the gym, [forgotten]"]  # what was not asked to go stays


def test_a_relationship_named_by_what_they_call_each_other_moves_on(mem: Memory) -> None:
    tell(mem, "Ama", "my boyfriend Kojo and I just got a flat together", "2022-03-01")
    tell(mem, "Ama", "KOJO PROPOSED, we're engaged!!", "2023-02-14")
    assert not current(mem, r"boyfriend") and current(mem, r"engaged")
    tell(mem, "Ama", "we got married last saturday", "2024-06-10")
    assert not current(mem, r"engaged") and re.search("married", top(mem, "What is Ama's relationship status?"))


def test_corrections_and_postponements_said_in_passing(mem: Memory) -> None:
    tell(mem, "Dara", "My birthday is 9 October", "2023-01-05")
    tell(mem, "Dara", "oops, my birthday is actually 9 November", "2023-01-06")  # near in words, not the same
    assert not current(mem, r"October") and current(mem, r"November")
    tell(mem, "Dara", "I'm allergic to kiwi", "2023-01-07")
    tell(mem, "Dara", "sorry, I meant I'm allergic to mango, not kiwi", "2023-01-08")
    assert re.search(r"allergic to mango", top(mem, "What is Dara allergic to?")) and not current(mem, r"kiwi")
    tell(mem, "Dara", "Correction: sesame, not mango.", "2023-01-09")
    assert current(mem, r"sesame") and not current(mem, r"mango")
    tell(mem, "Dara", "Trip to Chile is booked for March", "2023-01-10")
    tell(mem, "Dara", "we had to postpone Chile to November", "2023-02-11")
    assert not current(mem, r"booked for March") and "November" in top(mem, "When is Dara's trip to Chile?")


def test_measures_and_habits_change_like_any_other_property(mem: Memory) -> None:
    tell(mem, "Femi", "I weigh 96kg, doctor wants me under 90", "2023-01-10")
    tell(mem, "Femi", "down to 88kg!!", "2023-07-10")
    assert re.search(r"88kg", top(mem, "How much does Femi weigh?")) and not current(mem, r"96kg")
    tell(mem, "Femi", "I'm on 20mg of atorvastatin", "2023-01-11")
    tell(mem, "Femi", "cardiologist raised my atorvastatin to 40mg", "2023-08-11")
    assert not current(mem, r"20mg") and "40mg" in top(mem, "What dose of atorvastatin does Femi take?")
    tell(mem, "Femi", "please reply in French, I'm practising", "2023-01-12")
    tell(mem, "Femi", "ok you can answer in English again", "2023-09-12")
    assert not current(mem, r"reply in French")
    tell(mem, "Femi", "my brother Seyi works as a plumber in Ibadan", "2023-01-13")
    tell(mem, "Femi", "Seyi quit plumbing, he's driving for Bolt now", "2023-10-13")
    assert not current(mem, r"works as a plumber")


def test_contacts_family_plans_and_endings_of_every_kind(mem: Memory) -> None:
    tell(mem, "Nuno", "my mobile number is 912 345 678", "2023-01-10")
    tell(mem, "Nuno", "new number: 913 222 111, the old one is gone", "2023-05-10")
    assert "913 222 111" in top(mem, "What is Nuno's phone number?") and not current(mem, r"912 345 678")
    tell(mem, "Nuno", "my email is nuno.s@example.pt", "2023-01-11")
    tell(mem, "Nuno", "please use nuno.silva@example.org from now on", "2023-05-11")
    assert not current(mem, r"nuno\.s@")
    tell(mem, "Nuno", "my brother's graduation is on 14 July", "2023-01-12")
    tell(mem, "Nuno", "the graduation got moved to 21 July", "2023-03-12")
    assert not current(mem, r"14 July") and "21 July" in top(mem, "When is Nuno's brother's graduation?")
    tell(mem, "Nuno", "we're going to Crete in August", "2023-01-13")
    tell(mem, "Nuno", "change of plan, Rhodes instead of Crete", "2023-03-13")
    assert not current(mem, r"going to Crete")
    tell(mem, "Nuno", "my grandmother lives in a nursing home in Braga", "2023-01-14")
    tell(mem, "Nuno", "grandmother passed away on Sunday", "2023-11-14")
    assert not current(mem, r"nursing home")
    tell(mem, "Nuno", "I'm doing an evening law degree at Minho", "2023-01-15")
    tell(mem, "Nuno", "finally graduated from my law degree!", "2025-07-15")
    assert not current(mem, r"doing an evening law degree")


def test_casual_and_non_native_wording_keeps_memory_true(mem: Memory) -> None:
    tell(mem, "Kai", "hiii kai here, living in cardiff w my cat biscuit", "2023-01-10")
    tell(mem, "Kai", "update: moved to swansea for uni!!", "2023-09-10")
    assert current(mem, r"\bBiscuit\b") and not current(mem, r"cardiff")  # the cat goes on without the old city
    tell(mem, "Kai", "work at a petrol station rn, it's fine", "2023-01-11")
    tell(mem, "Kai", "QUIT THE PETROL STATION. starting at a bookshop on monday", "2023-09-11")
    assert re.search(r"bookshop", top(mem, "Where does Kai work?"))
    tell(mem, "Kai", "my partner is Ren, we live together in Swansea", "2023-09-12")
    tell(mem, "Kai", "ren and i broke up last month, i kept the flat", "2024-02-12")
    assert re.search(r"broke up", top(mem, "Who is Kai's partner?"))
    tell(mem, "Kai", "my salary is 1.2M won a month", "2024-02-13")
    tell(mem, "Kai", "got a raise, 1.4M now", "2024-06-13")
    assert "1.4M" in top(mem, "What is Kai's salary?") and not current(mem, r"1\.2M")
    tell(mem, None, "i has two cats, they names are Momo and Tofu", "2023-01-14")
    tell(mem, None, "Tofu is died yesterday, very sad", "2023-05-14")
    assert not current(mem, r"has two cats") and not current(mem, r"hases")


def test_plans_and_habits_that_end_without_the_word_end(mem: Memory) -> None:
    tell(mem, "Bo", "I'm training for the Oslo half marathon in May", "2023-01-10")
    tell(mem, "Bo", "rolled my ankle, had to pull out of Oslo", "2023-04-10")
    assert not current(mem, r"training for the Oslo")
    tell(mem, "Bo", "We're buying a flat in Bergen, completion in June", "2023-01-11")
    tell(mem, "Bo", "the flat purchase fell through, back to renting", "2023-05-11")
    assert not current(mem, r"buying a flat in Bergen")
    tell(mem, "Bo", "I'm on Instagram way too much", "2023-01-12")
    tell(mem, "Bo", "deleted my instagram account last week", "2023-06-12")
    assert not current(mem, r"on Instagram way too much")
    tell(mem, "Bo", "I use an iPhone 12", "2023-01-13")
    tell(mem, "Bo", "switched to a Pixel 8 last week", "2023-06-13")
    assert "Pixel" in top(mem, "What phone does Bo use?") and not current(mem, r"use an iPhone")


def test_forgetting_a_divorce_a_location_or_a_school_by_its_kind(mem: Memory, db_path: Path) -> None:
    tell(mem, "Rui", "I'm a nurse at the Santa Maria hospital", "2024-01-01")
    tell(mem, "Rui", "Ana and I are separating, the solicitors are involved now", "2024-01-02")
    tell(mem, "Rui", "I'm staying at the Hotel Ibis in Faro this week", "2024-01-03")
    tell(mem, "Rui", "Tiago goes to Escola Alegria, year 3", "2024-01-04")
    tell(mem, "Rui", "Please remove everything related to my divorce.", "2024-02-01")
    tell(mem, "Rui", "and stop storing my location please", "2024-02-02")
    tell(mem, "Rui", "Don't hold on to the info about my son's school either.", "2024-02-03")
    gone(db_path, b"solicitors", b"Ibis", b"Alegria")
    assert current(mem, r"\bnurse\b")


def test_a_fact_said_again_in_passing_stays_one_memory(mem: Memory) -> None:
    tell(mem, "Ife", "I'm a physiotherapist", "2023-01-10")
    tell(mem, "Ife", "being a physiotherapist, I know stretching won't fix that", "2023-03-01")
    assert len(current(mem, r"physiotherapist")) == 1
    tell(mem, "Ife", "my rent is $2,100", "2023-01-11")
    tell(mem, "Ife", "rent's still 2100 a month", "2023-03-02")
    assert len(current(mem, r"2,?100")) == 1
    tell(mem, None, "i'm a plumber in Accra", "2023-01-12")
    tell(mem, None, "plumber here (Accra), need a quote template", "2023-03-03")
    assert len(current(mem, r"plumber")) == 1
    tell(mem, "Ife", "Kojo, my husband, is a chef", "2023-01-13")
    assert current(mem, r"Kojo, Ife's husband, is a chef")  # an appositive, not someone addressed


def test_two_names_as_one_subject_and_a_student_who_graduates(mem: Memory) -> None:
    tell(mem, "Nia", "my sister Amani is engaged to Tom", "2023-01-10")
    tell(mem, "Nia", "Amani and Tom got married on Saturday!", "2023-08-01")
    assert not current(mem, r"engaged to Tom") and re.search("married", top(mem, "Is Amani married?"))
    assert not any("married" in t and t.startswith("Nia is") for t in current(mem, r"married"))  # not the speaker
    tell(mem, "Nia", "my cousin Baraka is studying law in Kigali", "2023-01-11")
    tell(mem, "Nia", "Baraka graduated! he's a junior lawyer now", "2024-08-01")
    assert not current(mem, r"studying law")


def test_two_children_one_change(mem: Memory) -> None:
    tell(mem, "Nia", "Both my kids play tennis: Imani is 10 and Kito is 7", "2023-01-10")
    tell(mem, "Nia", "Kito switched to swimming, Imani still does tennis", "2023-08-01")
    assert "swimming" in top(mem, "What sport does Kito do?")
    assert "tennis" in top(mem, "What sport does Imani do?")


def test_a_forget_request_in_other_words_finds_what_it_means(mem: Memory, db_path: Path) -> None:
    """ "the mental health stuff from yesterday" shares no word with what was said: the sentence of the
    user's closest in meaning goes, and the rest of the conversation stays."""
    tell(mem, "Bea", "I'm a dental nurse in Cardiff, mostly early shifts.", "2024-05-01T09:00:00Z")
    tell(mem, "Bea", "I've been seeing a counsellor about my panic attacks since March.", "2024-05-06T20:00:00Z")
    tell(mem, "Bea", "could you delete the mental health stuff from yesterday? I'd rather it wasn't kept", "2024-05-07")
    for query in ("Does Bea see a counsellor?", "panic attacks"):
        hits = [h.memory.text for h in mem.search(query, space="s", k=20, include_expired=True)]
        assert not any(re.search(r"counsellor|panic", t, re.I) for t in hits), query
    raw = raw_of(db_path)
    assert b"panic attacks" not in raw and b"counsellor" not in raw
    assert current(mem, r"dental nurse") and current(mem, r"Cardiff")


def test_a_change_of_something_no_claim_knows_replaces_it(mem: Memory) -> None:
    """Which app, which rota, which gym days: no claim frame names them, but a fact that says it changed,
    close in meaning to one of the speaker's own facts and with a value of its own, replaces that fact.
    What else the speaker said stays, and so does the old value "as of" before the change."""
    tell(mem, "Ines", "I'm a physio in Porto. I keep all my recipes in Evernote", "2023-03-01T09:00:00Z")
    tell(mem, "Ines", "I keep my recipes in Paprika now, Evernote got too slow", "2023-09-10T09:00:00Z")
    tell(mem, "Ines", "started pottery classes on Thursdays, so relaxing", "2023-09-20T09:00:00Z")
    assert current(mem, r"Paprika") and not current(mem, r"^(?!.*too slow).*Evernote")
    assert current(mem, r"physio") and current(mem, r"Porto") and current(mem, r"pottery")
    assert re.search(r"Evernote", top(mem, "Which app does Ines keep her recipes in?", as_of="2023-06-01T00:00:00Z"))


def test_a_promotion_keeps_the_workplace(mem: Memory) -> None:
    """A new title said as a promotion is a change at the same place: the workplace goes on beside it."""
    tell(mem, "Kaarel", "I'm a junior developer at Wise in Tallinn, mostly Java", "2022-03-01T09:00:00Z")
    tell(mem, "Kaarel", "good news, I got promoted to senior developer this week!", "2023-05-10T09:00:00Z")
    assert current(mem, r"\bWise\b") and current(mem, r"senior developer")
    assert not current(mem, r"junior")
    assert re.search(r"\bWise\b", top(mem, "Where does Kaarel work?"))


def test_forgetting_takes_the_rest_of_the_sentence_that_goes_on_about_it(mem: Memory, db_path: Path) -> None:
    """What follows the forgotten part in its sentence says more of it; what came before it stays."""
    tell(mem, "Rudo", "I'm a chef in Harare, and my cousin Tendai got caught shoplifting, so now he has a hearing "
         "at the magistrates in March", "2024-02-01T09:00:00Z")  # fmt: skip
    tell(mem, "Rudo", "please forget what I told you about my cousin", "2024-02-03T09:00:00Z")
    raw = raw_of(db_path)
    assert b"shoplifting" not in raw and b"magistrates" not in raw
    kept = [m.text for m in mem.list(space="s", limit=100) if m.kind != "summary"]
    assert any(re.search(r"chef in Harare", t) for t in kept), kept  # in the turn, redacted around it


def test_forgetting_follows_a_person_into_the_sentences_and_the_turn_after(mem: Memory, db_path: Path) -> None:
    """What is said of "he" right after a forgotten sentence, or of someone it named, goes with it; a
    question that turns to something else ("also ...?") ends it, and "they" after it is someone else."""
    tell(mem, "Odile", "I teach maths in Rennes.", "2024-04-01T18:00:00Z")
    tell(mem, "Odile", "My colleague Bastien got suspended today. Between us, he failed the inspection twice. "
         "the head wants Bastien out by June.", "2024-04-02T18:00:00Z")  # fmt: skip
    tell(mem, None, "That sounds hard on everyone.", "2024-04-02T18:00:30Z", role="assistant")
    tell(mem, "Odile", "and he has three kids at home", "2024-04-02T18:02:00Z")
    tell(mem, "Odile", "also what do I bring to the picnic? they're expecting twenty people", "2024-04-02T18:05:00Z")
    tell(mem, "Odile", "please forget what I told you about Bastien", "2024-04-05T09:00:00Z")
    raw = gone(db_path, b"suspended", b"inspection twice", b"out by June", b"three kids")
    assert b"picnic" in raw and b"expecting twenty people" in raw
    assert current(mem, r"maths") and current(mem, r"Rennes")


def test_forgetting_takes_the_next_sentence_that_says_more_of_it(mem: Memory, db_path: Path) -> None:
    """A sentence close in meaning to the forgotten one before it says more of it; the pay's next sentence,
    the rent, is another thing (test_a_sentence_after_a_forgotten_figure_is_not_a_line_of_values)."""
    tell(mem, "Ana", "I'm a vet in Coimbra.", "2024-06-01T20:00:00Z")
    tell(mem, "Ana", "I just found out my dad has a second family in Porto. That family has two kids, Beatriz and "
         "Tiago. Anyway, which running shoes for flat feet?", "2024-06-02T20:00:00Z")  # fmt: skip
    tell(mem, "Ana", "please forget what I told you about my father", "2024-06-05T20:00:00Z")
    raw = gone(db_path, b"second family", b"Beatriz")
    assert b"running shoes" in raw and current(mem, r"vet")


def test_forgetting_a_tax_matter_an_inheritance_and_a_handle_by_their_kind(mem: Memory, db_path: Path) -> None:
    """ "the tax matter" is an audit by the IRS, "my insta" the handle, "the inheritance thing" what a will left."""
    tell(mem, "Ines", "I run a pottery studio in Braga, mostly stoneware mugs and bowls.", "2024-01-03T10:00:00Z")
    tell(mem, "Ines", "I post my glazes online, the handle is @ines.clay.studio", "2024-01-03T10:05:00Z")
    tell(mem, "Ines", "The IRS opened an audit of my 2022 return, apparently I under-reported freelance income.",
         "2024-01-04T10:00:00Z")  # fmt: skip
    tell(mem, "Ines", "My godmother left me 120,000 euros in her will, my brothers got none.", "2024-01-05T10:00:00Z")
    tell(mem, "Ines", "Thinking of getting a second kiln for the studio, any advice?", "2024-01-06T10:00:00Z")
    tell(mem, "Ines", "Would you delete everything I disclosed about the tax matter?", "2024-02-01T10:00:00Z")
    tell(mem, "Ines", "The inheritance thing - please forget it.", "2024-02-02T10:00:00Z")
    tell(mem, "Ines", "on second thought don't save my insta", "2024-02-03T10:00:00Z")
    raw = gone(db_path, b"audit of my 2022", b"under-reported", b"120,000", b"godmother", b"ines.clay")
    for kept in (b"pottery studio in Braga", b"kiln", b"stoneware"):
        assert kept in raw, kept


def test_a_sentence_after_a_forgotten_figure_is_not_a_line_of_values(mem: Memory, db_path: Path) -> None:
    """ "Rent is 1,900 in Leith." after the pay that goes is a sentence of its own: it stays."""
    tell(mem, "Rory", "I take home 4,200 pounds a month. Rent is 1,900 in Leith.", "2024-03-01T10:00:00Z")
    tell(mem, "Rory", "forget the income figure pls", "2024-03-02T10:00:00Z")
    raw = raw_of(db_path)
    assert b"4,200" not in raw
    assert b"Rent is 1,900 in Leith" in raw
    # A line of values with a lowercase word for where ("flat") still goes with the address before it.
    tell(mem, "Rory", "my new address is\nflat 2, 14 Leith Walk, EH6 5AA", "2024-03-03T10:00:00Z")
    tell(mem, "Rory", "please forget my address", "2024-03-04T10:00:00Z")
    gone(db_path, b"Leith Walk", b"EH6 5AA")


def test_a_request_that_names_the_memory_only_in_its_second_clause(mem: Memory, db_path: Path) -> None:
    """ "drop the corridor drama" alone could be anything; ", I don't want that on record" makes it a request."""
    tell(mem, "Lotte", "I'm a nurse in Ghent. my manager Pieter shouted at me in the corridor over the rota.",
         "2024-05-01T19:00:00Z")  # fmt: skip
    tell(mem, "Lotte", "drop the corridor drama from wednesday, I don't want that on record anywhere.",
         "2024-05-03T19:00:00Z")  # fmt: skip
    raw = raw_of(db_path)
    assert b"shouted at me" not in raw and b"Pieter" not in raw
    assert current(mem, r"nurse")


def test_what_is_left_of_a_forget_request_does_not_answer_for_what_it_named(mem: Memory) -> None:
    """The request's turn keeps its other words ("[forgotten] fresh start"), and names the user: it ranks
    below what the user said, and the rest of it ("not something i want saved") is no fact."""
    tell(mem, "Maria", "maria here, dental hygienist in austin 🦷 need a cover letter", "2021-12-01T16:00:00Z")
    tell(mem, None, "Happy to draft one!", "2021-12-01T16:00:25Z", role="assistant")
    tell(mem, "Maria", "ugh my ex keeps texting me after he cheated. how do i set boundaries?", "2022-03-19T22:00:00Z")
    tell(mem, None, "You can be brief and firm, or block him.", "2022-03-19T22:00:25Z", role="assistant")
    tell(mem, "Maria", "can you delete everything i told you about my ex? fresh start", "2022-08-02T12:00:00Z")
    tell(mem, None, "Done. Fresh start!", "2022-08-02T12:00:25Z", role="assistant")
    tell(mem, "Maria", "forget the ED thing. not something i want saved", "2022-08-03T12:00:00Z")
    assert "hygienist" in top(mem, "What does Maria do for work?")
    assert not current(mem, r"want saved")


def test_a_state_said_to_be_over_ends_the_state_in_other_words(mem: Memory) -> None:
    tell(mem, "Ines", "I put hot sauce on everything, the spicier the better.", "2023-02-01T10:00:00Z")
    tell(
        mem, "Ines", "my stomach can't handle spicy food anymore, bland meals only from now on", "2024-05-01T10:00:00Z"
    )
    assert not current(mem, "hot sauce") and current(mem, "bland meals")
    assert "hot sauce" in top(mem, "What food does Ines like?", as_of="2023-06-01T00:00:00Z")


def test_saying_a_state_has_not_changed_ends_nothing(mem: Memory) -> None:
    tell(mem, "Ines", "I put hot sauce on everything, the spicier the better.", "2023-02-01T10:00:00Z")
    tell(mem, "Ines", "my taste for spicy food has not changed, hot sauce on everything", "2024-05-01T10:00:00Z")
    assert current(mem, "hot sauce on everything, the spicier")


def test_a_name_said_only_in_what_goes_on_about_a_forgotten_sentence_is_forgotten_where_it_is_echoed(
    mem: Memory, db_path: Path
) -> None:
    """The sentence after the forgotten one goes with it (_go_on); the names it alone said are then
    identifying, and the assistant's reply that repeats them is redacted too."""
    tell(mem, "Ana", "I'm a vet in Coimbra.", "2024-06-01T20:00:00Z")
    tell(mem, "Ana", "I just found out my dad has a second family in Porto. That family has two kids, Beatriz and "
         "Tiago.", "2024-06-02T20:00:00Z")  # fmt: skip
    tell(mem, None, "That is a lot to take in. Do Beatriz and Tiago know about you?", "2024-06-02T20:00:30Z",
         role="assistant")  # fmt: skip
    tell(mem, "Ana", "please forget what I told you about my father", "2024-06-05T20:00:00Z")
    gone(db_path, b"second family", b"Beatriz", b"Tiago")
    assert current(mem, r"vet")


def test_a_move_said_by_idiom_or_transfer_and_children_counted_by_age_replace_the_old_value(mem: Memory) -> None:
    tell(mem, "Wiremu", "we're in Wellington now, Newtown, love it", "2021-03-01T10:00:00Z")
    tell(mem, "Wiremu", "big news, we've crossed the ditch to Melbourne", "2023-08-01T10:00:00Z")
    tell(mem, "Yui", "I live in Sapporo, small flat near the station", "2021-03-01T10:00:00Z")
    tell(mem, "Yui", "my company transferred me to the sendai branch, packing again", "2023-08-01T10:00:00Z")
    tell(mem, "Ama", "I'm a mum of two, both at the same nursery", "2021-03-01T10:00:00Z")
    tell(mem, "Ama", "our daughter was born on Friday. 3 under 5, send coffee", "2023-08-01T10:00:00Z")
    tell(mem, "Femi", "I smoke about ten a day", "2021-03-01T10:00:00Z")
    tell(mem, "Femi", "two months without a single cigarette now", "2023-08-01T10:00:00Z")
    assert not current(mem, "Wellington") and "Melbourne" in top(mem, "Where does Wiremu live?")
    assert not current(mem, "Sapporo") and re.search("sendai", top(mem, "Which city does Yui live in?"), re.I)
    assert not current(mem, "mum of two") and "3 under 5" in top(mem, "How many kids does Ama have?")
    assert not current(mem, "ten a day") and "without a single cigarette" in top(mem, "Does Femi smoke?")


def test_crossing_a_road_and_scores_under_par_are_no_move_and_no_children() -> None:
    assert claim("we crossed the road to Tesco", "Ana").properties == {}
    assert claim("I got 3 under par today", "Ana").properties == {}
    assert claim("we have two under two", "Ana").properties == {"count:kid": "2"}


def test_a_change_said_of_someone_after_and_now_is_theirs(mem: Memory) -> None:
    tell(mem, None, "Sofia (10) does violin on Tuesdays. Mateo (7) does football on Saturdays.", "2024-01-08")
    tell(mem, None, "and now Mateo switched from football to swimming, he loves it", "2024-06-10")
    assert not current(mem, r"Mateo \(7\) does football") and current(mem, r"violin on Tuesdays")
    assert "football" in top(mem, "What sport does Mateo do?", as_of="2024-03-01T00:00:00Z")


def test_a_divorce_and_someone_new_named_after_a_colon_or_in_the_next_clause(mem: Memory) -> None:
    tell(mem, "Hedda", "Married, husband Olav. Tromsø. One son.", "2021-01-10T10:00:00Z")
    tell(mem, "Hedda", "Divorce final since March. Seeing someone new: Espen, a baker.", "2023-06-01T10:00:00Z")
    tell(mem, "Ravi", "my girlfriend Anu and I broke up last month", "2022-01-10T10:00:00Z")
    tell(mem, "Ravi", "been seeing someone new 👀 his name's tomás, he's a nurse", "2022-09-01T10:00:00Z")
    assert "Espen" in top(mem, "Who is Hedda's partner?")
    assert re.search("tomás", top(mem, "Who is Ravi dating?"), re.I)
    assert not current(mem, r"husband Olav")


def test_seeing_someone_for_lunch_is_no_partner() -> None:
    assert claim("Seeing Tom tomorrow for lunch", "Ana").properties == {}
    assert claim("Divorce final since August.", "Ana").properties == {"relationship": "divorced"}


def test_going_it_alone_closes_a_job_at_a_workplace_named_by_its_kind(mem: Memory) -> None:
    tell(mem, "Jun", "I work as an electrician for a contractor, mostly shop fit-outs.", "2022-01-10T10:00:00Z")
    tell(mem, "Jun", "I've gone out on my own. Scary but exciting.", "2023-06-01T10:00:00Z")
    assert not current(mem, r"for a contractor") and current(mem, r"gone out on")


def test_two_facts_of_one_turn_are_both_found_and_a_fact_under_its_turn_is_not_repeated(mem: Memory) -> None:
    tell(mem, "Ingrid", "I have an old Labrador called Bamse. I'm from Bergen.", "2022-09-10T10:00:00Z")
    tell(mem, "Ingrid", "Bamse died on Tuesday. I'm not ready to talk much.", "2023-01-28T10:00:00Z")
    hits = mem.search("Does Ingrid have a pet?", space="s", k=10)
    texts = [h.memory.text for h in hits]
    facts = [h for h in hits if h.memory.kind != "turn"]
    assert any("Bamse died" in t for t in texts) and any("not ready to talk" in t for t in texts), texts
    turns = {e for h in hits if h.memory.kind == "turn" for e in h.memory.source_episode_ids}
    assert not [h.memory.text for h in facts if set(h.memory.source_episode_ids) <= turns]  # a turn or its facts


def test_a_weekday_said_with_a_past_verb_is_the_one_before(mem: Memory) -> None:
    """Said on Saturday 28 January 2023: "died on Tuesday" is the 24th; "the vet visit on Tuesday" lies ahead."""
    tell(mem, "Ingrid", "Bamse died on Tuesday.", "2023-01-28T10:00:00Z")
    tell(mem, "Ingrid", "Booked the vet visit for Smilla on Tuesday.", "2023-01-28T11:00:00Z")
    assert current(mem, r"died on Tuesday \(24 January 2023\)") and current(mem, r"vet visit.*31 January 2023")


def test_a_new_title_that_names_no_workplace_keeps_the_workplace(mem: Memory) -> None:
    tell(mem, "Kenta", "I'm a senior backend engineer at Mercari in Tokyo.", "2022-05-10T09:00:00Z")
    tell(mem, "Kenta", "from this month I'm the engineering manager for the search team.", "2023-01-10T09:00:00Z")
    assert current(mem, r"Mercari") and not current(mem, r"senior backend engineer")
    assert current(mem, r"Tokyo")


def test_a_move_keeps_the_job_said_with_the_old_town_and_a_priced_home_is_rent(mem: Memory) -> None:
    tell(
        mem,
        "Zara",
        "I'm a pharmacist in Bristol, take home about £2,300 a month, rent is £950.",
        "2023-01-10T10:00:00Z",
    )
    tell(mem, "Zara", "Moved! Fishponds now, bigger place with a garden for £1,150. Also got a pay rise.",
         "2023-09-10T10:00:00Z")  # fmt: skip
    assert current(mem, r"^Zara is a pharmacist\.$") and not current(mem, r"£950")
    assert "1,150" in top(mem, "How much is Zara's rent?")


def test_a_home_looked_for_is_no_move() -> None:
    assert claim("just help me find a one-bedroom in San Salvario", "Sofia").properties == {}
    assert claim("got a one-bedroom in San Salvario", "Sofia").properties == {"residence": "San Salvario"}


def test_a_wedding_said_after_a_comma_and_a_diet_that_rules_out_gluten_replace_the_old_state(mem: Memory) -> None:
    tell(mem, "Dana", "my boyfriend Leo and I are doing a road trip", "2023-01-10T10:00:00Z")
    tell(mem, "Dana", "LEO PROPOSED, we're engaged!!!", "2023-02-14T10:00:00Z")
    tell(mem, "Dana", "we did it!! married as of saturday", "2023-09-10T10:00:00Z")
    tell(mem, "Mateo", "I eat everything, no restrictions.", "2023-01-10T10:00:00Z")
    tell(
        mem, "Mateo", "got diagnosed with coeliac disease. so strictly gluten-free from now on.", "2023-05-10T10:00:00Z"
    )
    assert not current(mem, r"we're engaged") and current(mem, r"married as of")
    assert not current(mem, r"eats everything") and "gluten-free" in top(
        mem, "Does Mateo have any dietary restrictions?"
    )


def test_a_dose_said_before_or_after_its_drug_changes_and_weight_lost_ends_nothing(mem: Memory) -> None:
    tell(mem, "Tariq", "Type 2 diabetes, on metformin 500mg twice a day.", "2023-01-10T10:00:00Z")
    tell(mem, "Tariq", "GP switched me to semaglutide, starting on 0.25mg.", "2023-06-10T10:00:00Z")
    tell(mem, "Tariq", "up to 1mg now on the semaglutide, lost 9kg since September!", "2024-01-10T10:00:00Z")
    assert not current(mem, r"0\.25mg") and current(mem, r"up to 1mg")
    assert re.search(r"\b1mg", top(mem, "What dose of semaglutide is Tariq on?"))


def test_type_2_is_no_count_and_losing_weight_is_no_ending() -> None:
    said = claim("Type 2 diabetes, on metformin 500mg twice a day", "Tariq")
    assert said.properties == {"dose:metformin": "500 mg"}
    assert claim("lost 9kg since September", "Tariq").ends is None
    assert claim("lost my job", "Tariq").ends == "job"


def test_signing_for_a_club_is_a_new_employer_and_a_left_back_is_no_leaving(mem: Memory) -> None:
    tell(mem, "Kwabena", "Kwabena, 22, right winger for Dulwich Hamlet.", "2023-08-01T10:00:00Z")
    tell(mem, "Kwabena", "signed for Welling United today!! 18-month deal", "2024-01-29T10:00:00Z")
    tell(mem, "Kwabena", "they've moved me to left back. LEFT BACK.", "2024-03-01T10:00:00Z")
    assert not current(mem, r"Dulwich") and "Welling" in top(mem, "Which club does Kwabena play for?")
    assert claim("they've moved me to left back", "Kwabena").ends is None


def test_two_children_said_again_as_two_kids_is_one_memory(mem: Memory) -> None:
    tell(mem, "Ayşe", "Ayşe. Izmir. Two kids.", "2023-01-10T10:00:00Z")
    tell(mem, "Ayşe", "Reminder: 2 children, both primary school age.", "2023-06-10T10:00:00Z")
    assert len(current(mem, r"\b(?:two|2) (?:kids|children)\b")) == 1


def test_a_title_said_without_its_article_is_a_title_though_still_follows(mem: Memory) -> None:
    tell(mem, "Tomek", "I'm Tomek, I am manual tester at Comarch in Kraków.", "2021-03-01T10:00:00Z")
    tell(
        mem,
        "Tomek",
        "I got promotion! Now I am QA team lead, 4 people under me. Still Comarch.",
        "2022-09-01T10:00:00Z",
    )
    assert not current(mem, r"manual tester") and current(mem, r"QA team lead")
    assert "team lead" in top(mem, "What is Tomek's job title?")
    assert claim("How to do good 1:1 meetings?", "Tomek").properties == {}


def test_a_terse_smoker_and_a_pack_a_day_are_ended_by_quitting(mem: Memory) -> None:
    tell(mem, "Dima", "Dima. Smoker, pack a day.", "2021-11-01T10:00:00Z")
    tell(mem, "Dima", "Quit smoking. 3 months clean.", "2022-05-01T10:00:00Z")
    assert not current(mem, r"pack a day") and current(mem, r"Quit smoking")


def test_a_child_moving_school_closes_the_old_one(mem: Memory) -> None:
    tell(mem, "Hanna", "Rubi is 3 and goes to Little Acorns nursery.", "2023-06-20T10:00:00Z")
    tell(mem, "Hanna", "Rubi started Reception at Greenhill, so no more nursery fees!", "2024-09-04T10:00:00Z")
    assert not current(mem, r"Little Acorns") and "Greenhill" in top(mem, "Where does Rubi go to school?")
    assert claim("I go to Lisbon every summer", "Hanna").properties == {}


def test_an_age_said_alone_with_now_answers_how_old(mem: Memory) -> None:
    tell(mem, None, "me: 31, nurse, bristol", "2023-01-10T10:00:00Z")
    tell(mem, None, "32 now lol. still nursing, still bristol", "2024-01-10T10:00:00Z")
    assert "32" in top(mem, "How old is the user?")


def test_a_fact_said_of_a_relative_by_name_answers_a_question_that_names_the_relation(mem: Memory) -> None:
    tell(mem, "Rohan", "My sister Anika just moved to Toronto for her master's.", "2023-01-10T10:00:00Z")
    tell(mem, "Rohan", "I'm still in Pune, working at Infosys.", "2023-01-10T10:01:00Z")
    tell(mem, "Rohan", "Anika got a job at Shopify after her master's, so proud of her!", "2024-06-10T10:00:00Z")
    assert "Shopify" in top(mem, "Where does Rohan's sister work?")


def test_which_of_two_someone_prefers_changes_when_they_say_the_other_now(mem: Memory) -> None:
    tell(mem, "Lea", "I prefer texts to calls", "2023-01-10T10:00:00Z")
    tell(mem, "Lea", "actually I prefer calls now, texting takes forever", "2023-09-01T10:00:00Z")
    assert not current(mem, r"texts to calls") and "calls now" in top(mem, "Does Lea prefer calls or texts?")
    assert claim("I prefer tea over coffee", "Lea").properties == {"prefer:coffee|tea": "tea"}


@pytest.mark.parametrize(
    ("change", "home_kept"),
    [
        ("I don't take the bus anymore, I cycle to work now", True),
        # the turn says where she lives now: the old home is not carried past it
        ("I don't take the bus anymore, we live right next to the office now", False),
    ],
)
def test_a_change_that_names_no_property_keeps_the_home_its_turn_does_not_touch(
    mem: Memory, change: str, home_kept: bool
) -> None:
    tell(mem, "Lotte", "I live in Ghent and commute by bus every day, about 30 minutes.", "2023-03-01T08:00:00Z")
    tell(mem, "Lotte", change, "2023-10-01T08:00:00Z")
    assert not current(mem, r"commute by bus")
    assert bool(current(mem, r"^Lotte lives in Ghent\.$")) is home_kept


def test_a_terse_introduction_says_where_the_speaker_lives_and_what_they_do(mem: Memory) -> None:
    tell(mem, "Bram", "Bram. Antwerp. Two cats: Miep and Kees.", "2023-03-01T08:00:00Z")
    tell(mem, "Noor", "noor here, dental nurse in eindhoven 🦷 can u check my cv?", "2023-03-01T08:00:00Z")
    tell(mem, "Kim", "kim. ghent. gluten intolerant.", "2023-03-01T08:00:00Z")
    assert current(mem, r"^Bram: Lives in Antwerp, Two cats") and current(mem, r"^Kim lives in Ghent\.$")
    assert current(mem, r"dental nurse in eindhoven") and current(mem, r"gluten intolerant")
    assert "dental nurse" in top(mem, "What does Noor do for work?")
    # Words that only look like a place after a name are none
    assert claim("Maya, sorry, typo", "Maya").properties == {}
    tell(mem, "Ines", "Ines. Husband Rui. Sorry, typo.", "2023-03-01T08:00:00Z")
    assert not current(mem, r"Ines lives in")


def test_a_job_noun_turned_verb_and_a_mother_who_signed_up_are_facts(mem: Memory) -> None:
    tell(mem, "Jo", "still nanny-ing for the twins in clapham, they're a handful", "2023-03-01T08:00:00Z")
    tell(mem, "Jo", "mum joined a choir last month, she loves it", "2023-03-01T08:01:00Z")
    assert current(mem, r"nanny-ing for the twins in clapham")
    assert current(mem, r"Mum joined a choir")
    # a verb after "my mum" is not her name
    assert claim("my mum signed up for salsa classes", "Jo").properties == {}
    assert claim("my mum linda signed up for salsa classes", "Jo").properties == {
        "mother": "Linda"
    }  # "mum", "mom" and "mother" are one relation


def test_a_terse_title_said_before_two_places_goes_on_after_a_move(mem: Memory) -> None:
    tell(mem, "Emre", "hey, Emre here, freelance React dev, currently based in Izmir, Turkey. time zones help?",
         "2023-03-01T08:00:00Z")  # fmt: skip
    tell(mem, "Emre", "moved to Tbilisi last week, loving it", "2023-09-01T08:00:00Z")
    assert not current(mem, r"Izmir")
    assert current(mem, r"freelance React dev")


def test_a_correction_said_after_an_apology_in_the_clause_before_replaces_the_allergy(mem: Memory) -> None:
    tell(mem, "Ravi", "fyi i'm allergic to shellfish so no prawn recipes pls", "2023-03-01T08:00:00Z")
    tell(mem, "Ravi", "ugh sorry, brain fog. it's sesame i'm allergic to, not shellfish", "2023-03-02T08:00:00Z")
    assert not current(mem, r"allergic to shellfish")
    assert "sesame" in top(mem, "What is Ravi allergic to?")


def test_told_you_wrong_corrects_a_two_word_value_in_the_singular_and_the_plural(mem: Memory) -> None:
    tell(mem, "Ama", "Heads up: I'm allergic to peanuts, please keep them out of recipes.", "2023-03-01T08:00:00Z")
    tell(mem, "Ama", "I told you wrong yesterday. It's tree nuts I'm allergic to, not peanuts.", "2023-03-02T08:00:00Z")
    assert not current(mem, r"allergic to peanuts") and current(mem, r"allergic to tree nuts")


def test_a_second_pet_named_after_it_is_adopted_is_a_pet_of_its_own(mem: Memory) -> None:
    tell(mem, "Ilse", "i have a dog named bolle, he's 5 and very lazy", "2023-03-01T08:00:00Z")
    tell(mem, "Ilse", "adopted a second dog!!! her name is pip, tiny terrier", "2023-06-01T08:00:00Z")
    assert "Pip" in claim_text(mem, r"\bpip\b")
    assert current(mem, r"\bbolle\b")  # the first dog is still there
    tell(mem, "Ilse", "sad news… bolle passed away last week 😢 just me and pip now", "2023-09-01T08:00:00Z")
    assert not current(mem, r"dog named bolle")
    assert "pip" in top(mem, "Which dog does Ilse have now?").lower()


def test_he_at_the_start_of_a_new_session_is_the_one_last_spoken_of(mem: Memory) -> None:
    tell(mem, "Aiko", "My brother Kenji is a nurse in Sapporo, he hates the winters.", "2023-01-10T10:00:00Z")
    tell(mem, "Aiko", "Kenji got a job offer from a clinic in Naha!! mum is already crying", "2023-03-10T10:00:00Z")
    tell(mem, "Aiko", "He moved to Naha last week, loves the sea already", "2023-05-10T10:00:00Z")
    assert current(mem, r"^Aiko: Kenji moved to Naha|^Kenji moved to Naha")
    assert not current(mem, r"Sapporo")
    assert "Naha" in top(mem, "Where does Kenji live now?")


def test_a_clause_that_goes_on_about_someone_just_named_is_theirs(mem: Memory) -> None:
    tell(mem, "Lwazi", "my cousin Themba works at an insurance company in Durban, hates it", "2023-01-10T10:00:00Z")
    tell(mem, "Lwazi", "themba finally quit!!! opened his own coffee place in Umhlanga ☕", "2023-06-10T10:00:00Z")
    assert current(mem, r"Themba opened his own coffee place")
    assert "coffee place" in top(mem, "What does Themba do for work?")
    assert claim("got her a present for her birthday", "Lwazi", "themba").subject == "lwazi"


def test_a_plan_pushed_back_in_one_sentence_and_dated_in_the_next_is_one_fact(mem: Memory) -> None:
    tell(mem, "Kofi", "Planning a trip to Marrakech with my sister, 3 to 10 March.", "2024-01-05T10:00:00Z")
    tell(mem, "Kofi", "Sadly we had to push the Marrakech trip back. The new dates are 14 to 21 April.",
         "2024-02-01T10:00:00Z")  # fmt: skip
    assert current(mem, r"push the Marrakech trip back, The new dates are 14 to 21 April")
    assert "April" in top(mem, "When is Kofi's trip to Marrakech?")


def test_a_plan_moved_holds_from_when_it_was_said_and_its_new_day_is_ahead(mem: Memory) -> None:
    tell(mem, "Tom", "booked a trip to Lisbon for 12 May, so excited", "2023-03-01T10:00:00Z")
    tell(mem, "Tom", "ugh, the Lisbon trip got postponed. new dates are 2 to 9 June", "2023-04-20T10:00:00Z")
    assert "June 2023" in top(mem, "When is Tom's Lisbon trip?", as_of="2023-05-01T00:00:00Z")
    assert "12 May" in top(mem, "When is Tom's Lisbon trip?", as_of="2023-03-10T00:00:00Z")


def test_staff_then_employees_then_we_are_n_is_one_count_of_people(mem: Memory) -> None:
    tell(mem, "Linh", "I run a small bakery in Hue. I have 3 staff.", "2023-01-10T10:00:00Z")
    tell(mem, "Linh", "so busy I hired two more girls for the counter, now we are five, me not counting",
         "2023-06-10T10:00:00Z")  # fmt: skip
    assert not current(mem, r"\b3 staff\b")
    assert "five" in top(mem, "How many staff does Linh have?")
    assert claim("we hired 3 more people, 10 of us now", "Linh").properties == {"count:people": "10"}
    assert claim("we are 5 minutes away", "Linh").properties == {}


def test_a_seat_asked_for_from_now_on_replaces_the_one_always_wanted(mem: Memory) -> None:
    tell(mem, "Oskar", "For flights please remember: I always want a window seat, I sleep against the wall.",
         "2023-01-10T10:00:00Z")  # fmt: skip
    tell(mem, "Oskar", "After my hip operation I can't be squeezed in anymore. From now on I need aisle.",
         "2023-06-10T10:00:00Z")  # fmt: skip
    assert not current(mem, r"window seat")
    assert "aisle" in top(mem, "Which seat should I book for Oskar?").lower()
    assert claim("we walked down the aisle in June", "Oskar").properties == {}
    assert claim("I prefer aisle over window", "Oskar").properties["seat"] == "aisle"


def test_a_friend_off_to_a_city_and_a_mates_new_dog_are_theirs(mem: Memory) -> None:
    tell(mem, "Tayo", "my buddy femi just got a beagle called biscuit, now i want one", "2023-01-10T10:00:00Z")
    tell(mem, "Tayo", "femi's off to lagos for a new job next month", "2023-02-10T10:00:00Z")
    assert "dog" not in claim_text(mem, r"biscuit")
    assert claim("femi's off to lagos for a new job", "Tayo").subject == "femi"
    assert claim("the party's off, sadly", "Tayo").reschedule


def test_two_people_said_with_and_my_are_two_facts_and_a_change_to_one_leaves_the_other(mem: Memory) -> None:
    tell(mem, "Bea", "I work at a bank in Porto and my husband Rui is a chef at a hotel", "2023-01-10T10:00:00Z")
    tell(mem, "Bea", "Rui quit the hotel, he's a chef at a tasca in Gaia now", "2023-06-10T10:00:00Z")
    assert current(mem, r"^Bea works at a bank")
    assert not current(mem, r"chef at a hotel")


def test_and_im_starts_a_clause_of_the_speakers_own_unless_it_speaks_of_the_other(mem: Memory) -> None:
    tell(mem, "Nils", "my sister Frida works at IKEA in Malmö and I'm a welder in Lund", "2023-01-10T10:00:00Z")
    tell(mem, "Nils", "Frida moved to Oslo last month", "2023-06-10T10:00:00Z")
    assert current(mem, r"welder in Lund") and not current(mem, r"Malmö")
    tell(mem, "Nils", "my cousin Liv is getting married in May and I'm planning her hen party", "2023-07-10T10:00:00Z")
    assert current(mem, r"getting married in May.*planning her hen party")


def test_gig_work_between_jobs_is_an_employer_the_next_job_replaces(mem: Memory) -> None:
    tell(mem, "Dev", "hey im dev, line cook at a pizza place in leeds", "2023-01-10T10:00:00Z")
    tell(mem, "Dev", "got let go lol. doing deliveroo for now till something comes up", "2023-03-10T10:00:00Z")
    tell(mem, "Dev", "big news: started as head chef at Olive Tree!!", "2023-06-10T10:00:00Z")
    assert not current(mem, r"deliveroo") and not current(mem, r"line cook")
    assert claim("left the bakery, uber eats for now", "Dev").properties.get("employer") == "Uber Eats"


def test_an_unnamed_user_who_says_their_name_is_asked_about_by_it(mem: Memory) -> None:
    tell(mem, None, "hiii im noa 👋 design student, always broke lol", "2023-01-10T10:00:00Z")
    tell(mem, None, "fyi i'm allergic to kiwi so no fruit salads pls", "2023-01-11T10:00:00Z")
    assert "kiwi" in top(mem, "What is Noa allergic to?")


def test_a_pet_that_died_leaves_one_fewer_of_its_kind(mem: Memory) -> None:
    tell(mem, "Yara", "My cat Zaatar keeps knocking cups off the table.", "2023-01-10T10:00:00Z")
    tell(mem, "Yara", "We adopted a second cat!! A little grey girl, we called her Simsma (it means sesame).",
         "2023-03-10T10:00:00Z")  # fmt: skip
    tell(mem, "Yara", "Sad news, Zaatar died last week, he was 15.", "2023-09-10T10:00:00Z")
    assert not current(mem, r"second cat") and current(mem, r"called her Simsma")
    assert "Simsma" in top(mem, "What pets does Yara have now?")
    # a fact that names the other pet too stays: "a second cat, we called her Simsma" is still true of her
    tell(mem, "Omar", "My dog Rex loves the beach.", "2023-01-10T10:00:00Z")
    tell(mem, "Omar", "Got a second dog!! we named her Luna. Rex is jealous.", "2023-03-10T10:00:00Z")
    tell(mem, "Omar", "Sad news, Rex died last week, he was 14.", "2023-09-10T10:00:00Z")
    assert current(mem, r"named her Luna")


def test_a_promotion_to_a_senior_title_replaces_the_title_it_grows_from(mem: Memory) -> None:
    tell(mem, "Ines", "From May I'll be working as a data analyst at Glovo.", "2023-03-01T10:00:00Z")
    tell(mem, "Ines", "Good news: I've been promoted to senior data analyst.", "2024-03-01T10:00:00Z")
    assert "senior data analyst" in top(mem, "What is Ines's job?")
    assert not current(mem, r"working as a data analyst")


def test_forgetting_a_kind_named_in_other_words(mem: Memory, db_path: Path) -> None:
    """ "my therapy" is the session with "dr. Meyer" (a title with its full stop); "my anxiety meds" are the
    pills a doctor gave, though neither word is said there; what else the turns said stays."""
    tell(mem, "Ola", "keep tuesdays 5-6pm free, thats my session with dr. Meyer. i work at Zalando as a designer",
         "2023-05-03T08:00:00Z")  # fmt: skip
    tell(mem, "Ola", "big pitch on friday. my gp gave me propranolol 10mg for the nerves, take it 1h before",
         "2023-05-04T08:00:00Z")  # fmt: skip
    tell(mem, "Ola", "actually, id rather you didnt keep anything about my therapy. pls", "2023-06-02T21:00:00Z")
    tell(mem, "Ola", "hey that thing about my anxiety meds, please don't keep that anywhere", "2023-06-03T21:00:00Z")
    gone(db_path, b"Meyer", b"propranolol")
    assert current(mem, r"\bZalando\b")


def test_forgetting_someones_news_keeps_the_rest_of_them(mem: Memory, db_path: Path) -> None:
    """ "the news about Ines" is what she told, with the few words after it ("due in june."); her birthday,
    said apart ("also, unrelated, ..."), stays, and so does what the request says may stay."""
    tell(mem, None, "my friend ines just told me she's pregnant!! due in june. need a gift idea",
         "2023-11-02T20:00:00Z")  # fmt: skip
    tell(mem, None, "also, unrelated, ines's birthday is march 14, remind me a week before", "2023-11-02T20:01:00Z")
    tell(mem, None, "pls forget the news i shared about ines earlier. the birthday can stay", "2023-11-15T21:00:00Z")
    gone(db_path, b"pregnant", b"due in june")
    assert current(mem, r"march 14")
    assert not current(mem, r"can stay")  # what the request says may stay is no fact


def test_forgetting_part_of_a_turn_reads_what_is_left_again(mem: Memory, db_path: Path) -> None:
    """One fact said the pay, the rent and the home: forgetting the pay ("R$ 9.200", a currency before
    the figure) leaves the rent and the home known. An address goes with its own parts only, not the job
    said after it in the same sentence."""
    tell(mem, "Bia", "help me budget? i take home R$ 9.100 a month, rent is R$ 2.700, i live in Recife with my "
         "husband Caio", "2023-05-05T21:00:00Z")  # fmt: skip
    tell(mem, "Bia", "i'm at 12 Harbour St, apt 804B, starting at Itau next week", "2023-05-06T21:00:00Z")
    tell(mem, "Bia", "i'd rather you didn't hold on to my income figure. just delete it", "2023-08-22T22:00:00Z")
    tell(mem, "Bia", "i'd feel better if you didn't keep my street address or unit number", "2023-08-23T22:00:00Z")
    gone(db_path, b"9.100", b"Harbour", b"804B")
    assert current(mem, r"2\.700") and current(mem, r"\bRecife\b")
    assert current(mem, r"\bItau\b")


def test_forgetting_a_medicine_by_its_name_and_the_stuff_from_a_morning(mem: Memory, db_path: Path) -> None:
    """A medicine is medical by its name ("sertraline"), and "the medical stuff from this morning" is the
    medical part of that morning, whatever else that turn said."""
    tell(mem, "Nia", "I was diagnosed with depression in May. I've just started on sertraline. I teach in Leeds.",
         "2023-06-01T09:00:00Z")  # fmt: skip
    tell(mem, "Nia", "could you forget what I told you about my diagnosis and the medication?", "2023-06-02T09:00:00Z")
    tell(mem, "Tau", "It's for HIV - started dolutegravir last week. Mornings work, 6:30am.", "2023-07-01T08:00:00Z")
    tell(mem, "Tau", "Can you not keep the medical stuff from this morning? Just erase it.", "2023-07-01T18:00:00Z")
    gone(db_path, b"sertraline", b"depression", b"dolutegravir", b"for HIV")
    assert current(mem, r"\bLeeds\b")


def test_a_forget_request_that_points_back_at_what_it_means(mem: Memory, db_path: Path) -> None:
    """ "never mind that business idea ... don't keep any of it", "the lisbon trip is off ... wipe everything
    about it" and "I don't want my street address saved. could you forget that part?" name what they mean
    before the request; base pay is pay."""
    tell(mem, "Vo", "thinking about quitting Canon to start a noodle bar business in Hue", "2023-03-01T10:00:00Z")
    tell(mem, "Vo", "ok never mind that business idea, it was silly. please don't keep any of it in memory.",
         "2023-03-05T10:00:00Z")  # fmt: skip
    tell(mem, "Ema", "planning a trip to lisbon with Rui, staying at Casa Azulejo", "2023-04-01T10:00:00Z")
    tell(mem, "Ema", "the lisbon trip is off. just wipe everything about it", "2023-04-09T10:00:00Z")
    tell(mem, "Bo", "I live at Storgatan 12, apartment 4C, in Umea", "2023-05-01T10:00:00Z")
    tell(mem, "Bo", "btw I don't want my street address saved. could you forget that part?", "2023-05-02T10:00:00Z")
    tell(mem, "Ken", "got an offer in Kobe. Base is 8.1 million yen. I play shamisen", "2023-06-01T10:00:00Z")
    tell(mem, "Ken", "please forget my salary", "2023-06-02T10:00:00Z")
    gone(db_path, b"noodle bar", b"Casa Azulejo", b"Storgatan", b"8.1 million")
    assert current(mem, r"\bshamisen\b")


def test_a_new_title_or_a_job_offer_changes_only_what_it_says(mem: Memory) -> None:
    """A promotion closes the old title, not "trying to save for a scooter" said with it (only a new home
    or employer takes along what was said with the old one); the pay of an accepted offer ("35 million/
    month") is the salary now; "first week at grab done" is at Grab."""
    tell(mem, "Mai", "hi, i'm Mai. junior auditor at KPMG in Hanoi, salary 17 million VND/month. trying to save "
         "for a scooter", "2022-09-05")  # fmt: skip
    tell(mem, "Mai", "got promoted to senior auditor!! salary now 23 million vnd", "2023-01-10")
    assert current(mem, r"save for a scooter")
    tell(mem, "Mai", "accepted an offer at Grab in HCMC, finance analyst, 36 million/month", "2023-11-20")
    tell(mem, "Mai", "moved to saigon, first week at grab done. exhausted", "2024-01-15")
    assert not current(mem, r"\b23 million")
    assert "'employer': 'Grab'" in claim_text(mem, r"first week")


def test_an_amount_changes_only_the_amount_of_the_same_thing(mem: Memory) -> None:
    """ "added hbo 99 kr" prices another thing than "netflix went up to 149 kr": both stay; what is put
    aside is one thing however it is called ("R$ 4.200 saved so far", "the bike fund is at R$ 9.900")."""
    tell(mem, "Ole", "netflix went up to 149 kr", "2023-03-20")
    tell(mem, "Ole", "added hbo 99 kr for the kids", "2023-06-10")
    assert current(mem, r"\b149\b") and current(mem, r"\b99\b")
    tell(mem, "Rui", "I've got R$ 4.200 saved so far", "2023-03-05")
    tell(mem, "Rui", "did extra gigs and the moto fund is at R$ 9.900 now", "2023-11-12")
    assert not current(mem, r"4\.200") and current(mem, r"9\.900")


def test_rent_a_lodger_pays_and_a_due_day_moved_instead_of_another(mem: Memory) -> None:
    """What a lodger pays the speaker is not the speaker's rent; "rent is the same 1,300" says the rent
    again; "on the 5th instead of the 1st" closes what said the 1st, not the rent's rise."""
    tell(mem, "Obi", "rent reminder pls: £1,200 due on the 1st to my landlord, flat in brixton", "2023-01-09")
    tell(mem, "Obi", "rent goes up to £1,300 from august", "2023-06-20")
    tell(mem, "Obi", "got a lodger to help w rent, my mate Tunde, he pays me £500", "2023-09-02")
    assert current(mem, r"1,300") and "500" not in claim_text(mem, r"lodger")
    tell(mem, "Obi", "new landlord is a company called Ivy. rent is the same 1300 for now", "2024-03-10")
    tell(mem, "Obi", "and rent now goes to ivy on the 5th instead of the 1st", "2024-03-11")
    assert current(mem, r"1,?300") and not [t for t in current(mem, r"\b1st\b") if "instead" not in t]


def test_a_change_that_names_what_it_leaves_keeps_only_the_new_value(mem: Memory) -> None:
    """ "switched to X, dropped Y bc ..." and "switched me off Y, now just X": the fact says X, and reading
    close to another fact ("runs a bakery in Roma Norte") does not make it that fact's change."""
    tell(mem, "Inés", "hola! i run a little bakery called Pan de Inés in Roma Norte", "2023-02-01")
    tell(mem, "Inés", "switched flour supplier to Molinos Reyes, dropped Harinera Sol bc of the price hike",
         "2023-09-01")  # fmt: skip
    assert current(mem, r"Molinos Reyes") and not current(mem, r"Harinera Sol")
    assert current(mem, r"Roma Norte")
    tell(mem, "Zola", "doc switched me off the codeine, now just ibuprofen 400mg 3x a day", "2023-10-01")
    assert current(mem, r"ibuprofen") and not current(mem, r"codeine")


def test_a_fact_that_keeps_only_the_new_value_answers_before_its_turn(mem: Memory) -> None:
    """The turn says the old supplier beside the new one; its fact says only the new one and answers."""
    tell(mem, "Inés", "hola! i run a little bakery called Pan de Inés in Roma Norte. we open 7am-3pm tue to sun. "
         "i have 3 employees", "2023-02-01")  # fmt: skip
    tell(mem, "Inés", "hired Tomás as the early baker so we're 4 employees now", "2023-04-01")
    tell(mem, "Inés", "starting december we stay open till 6pm", "2023-06-01")
    tell(mem, "Inés", "switched flour supplier to Molinos Reyes, dropped Harinera Sol bc of the price hike",
         "2023-09-01")  # fmt: skip
    tell(mem, None, "Noted, Molinos Reyes is your flour supplier now.", "2023-09-01T00:00:10Z", role="assistant")
    answer = top(mem, "Who is Inés's flour supplier?")
    assert "Molinos Reyes" in answer and "Harinera Sol" not in answer


def test_a_new_babysitter_or_landlord_replaces_the_one_before(mem: Memory) -> None:
    """The people one goes to for a service are one at a time: "new sitter is Maeve" replaces "our
    babysitter is Orla", said after "so" in a clause about Orla; "Who is ...'s babysitter?" asks for it."""
    tell(mem, "Ciara", "2 kids, and our babysitter is Orla, tues & thurs evenings", "2023-03-02")
    tell(mem, "Ciara", "orla's off to uni in cork so new sitter is Maeve, wednesdays only", "2023-09-05")
    assert not current(mem, r"babysitter is Orla")
    assert "Maeve" in top(mem, "Who is Ciara's babysitter?")
    tell(mem, "Ciara", "my landlord mr. byrne sold the house, new landlord is a company called Ardmore", "2024-01-05")
    assert "'landlord': 'Ardmore'" in claim_text(mem, r"Ardmore")


def test_the_name_someone_wants_replaces_the_one_before(mem: Memory) -> None:
    """ "Please address me as Mrs. Byrne", then "you can drop the Mrs. Byrne ... Everyone calls me Dot":
    the name to use is Dot, and the fact says only it; "could you call me Nell from now on?" says a name."""
    tell(mem, "Dorothy", "Good morning. My name is Dorothy Byrne. Please address me as Mrs. Byrne.", "2023-02-03")
    tell(mem, "Dorothy", "Oh, you can drop the Mrs. Byrne, it feels very stiff. Everyone calls me Dot.", "2023-02-20")
    assert not current(mem, r"Mrs\. Byrne")
    assert "Dot" in top(mem, "What name does Dorothy prefer to be called?")
    tell(mem, "Eleanor", "small thing, could you call me Nell from now on? I've outgrown my nickname.", "2023-03-01")
    assert "'name': 'Nell'" in claim_text(mem, r"\bNell\b")


def test_a_medicine_swapped_for_another_ends_every_fact_of_the_old_one(mem: Memory) -> None:
    """ "had a cough from the ramipril so they swapped it for valsartan 80 mg": both facts of the ramipril
    (its start and its new dose) end, and the fact says the new medicine only."""
    tell(mem, "Bert", "My doctor started me on ramipril 5 mg once a day for blood pressure.", "2023-01-10")
    tell(mem, "Bert", "Doctor bumped the ramipril up to 10 mg.", "2023-04-02")
    tell(mem, "Bert", "Had a dry cough from the ramipril so they swapped it for valsartan 80 mg.", "2023-08-20")
    assert current(mem, r"valsartan") and not current(mem, r"ramipril")


def test_she_after_a_question_about_my_mom_is_mom(mem: Memory) -> None:
    """ "can u help me track my mom's meds? she takes ..., she lives in Osaka": both are mom's, so
    where the speaker lives is not Osaka, and mom's new dose replaces her old one."""
    tell(mem, "Aya", "can u help me track my mom's meds? she takes amlodipine 5mg every morning. she lives in Osaka",
         "2023-03-20")  # fmt: skip
    facts = [m for m in mem.list(space="s", limit=100) if m.kind == "fact"]
    assert facts and all(m.metadata.get("subject") == "aya's mother" for m in facts)
    tell(mem, "Aya", "mom's doctor upped her amlodipine to 10mg", "2023-07-11")
    assert not current(mem, r"\b5 ?mg") and current(mem, r"\b10 ?mg")


def test_a_flatshare_and_a_studio_priced_say_the_home_and_the_rent(mem: Memory) -> None:
    """ "living in a WG in connewitz ..., rent is 390€" says where; "got a studio in lindenau for 510€" says
    the new home and its rent, and both replace the old ones."""
    tell(mem, "Kofi", "living in a WG in connewitz with 2 germans, rent is 390€ warm", "2023-10-01")
    assert "'residence': 'Connewitz'" in claim_text(mem, r"\bWG\b")
    tell(mem, "Kofi", "moving out of the WG end of month, got a studio in lindenau for 510€", "2024-03-02")
    assert "'money:rent': '510'" in claim_text(mem, r"\bstudio\b")
    assert not current(mem, r"\b390\b")


def test_a_new_workplace_said_in_other_ways(mem: Memory) -> None:
    """ "started my postdoc at ETH Zurich", "left acme to go to Brio" (said of someone else) and "starting my
    own online tutoring thing" each say a workplace; "at Haileybury Almaty again" is at Haileybury Almaty."""
    tell(mem, "Ada", "i'm a phd student in chemistry at Imperial", "2023-02-14")
    tell(mem, "Ada", "started my postdoc at ETH Zurich today", "2023-09-04")
    assert "'employer': 'ETH Zurich'" in claim_text(mem, r"postdoc")
    tell(mem, "Nia", "my boss Sofie left doctolib to go to Alan. my new boss is Jules", "2023-04-03")
    assert "'employer': 'Alan'" in claim_text(mem, r"\bAlan\b")
    tell(mem, "Gul", "teaching english at Haileybury Almaty again, grades 7-9", "2023-08-25")
    assert "'employer': 'Haileybury Almaty'" in claim_text(mem, r"Haileybury")
    tell(mem, "Gul", "resigning after this term. starting my own online tutoring thing, IELTS prep", "2023-12-20")
    assert "'employer': 'own business'" in claim_text(mem, r"tutoring")


def test_a_name_that_starts_like_a_month_is_no_date(mem: Memory) -> None:
    """ "1:1s with julien moved to tuesdays" moves the meeting, not "my new boss is Julien Marchetti" (a
    name that starts like "March" is no date); asked when the 1:1s are, the boss fact does not answer."""
    tell(mem, "Noa", "im a product manager at Doctolib. sophie left to go to Alan. my new boss is Julien Marchetti",
         "2023-04-03")  # fmt: skip
    tell(mem, "Noa", "julien wants weekly 1:1s mondays 10h", "2023-04-04")
    tell(mem, "Noa", "i got promoted to senior product manager", "2023-09-18")
    tell(mem, "Noa", "1:1s with julien moved to tuesdays 14h", "2023-12-01")
    tell(mem, None, "Moved to Tuesdays at 14:00.", "2023-12-01T00:00:20Z", role="assistant")
    assert current(mem, r"Marchetti")
    assert "Julien Marchetti" in top(mem, "Who is Noa's boss?")
    assert "tuesdays" in top(mem, "When are Noa's 1:1s with her boss?")


def test_a_correction_with_its_apology_in_the_same_breath_fixes_the_fact_that_said_it(mem: Memory) -> None:
    """ "wait sorry, it's june 21 not 12" corrects the birthday though the apology shares its clause; "it's
    sept 30 not the 3rd" corrects the fact that said the 3rd, not a later fact that only has a month."""
    tell(mem, "Rui", "my son tomas's birthday is june 12, remind me to order the cake a week before", "2023-05-10")
    tell(mem, "Rui", "wait sorry, it's june 21 not 12. i always mix it up", "2023-05-11")
    assert current(mem, r"june 21") and not current(mem, r"june 12")
    tell(mem, "Rui", "also my wife is Ana, our anniversary is sept 3", "2023-05-12")
    tell(mem, "Rui", "ordered the cake! june 21, got it right this time", "2023-06-14")
    tell(mem, "Rui", "correction on the anniversary too - it's sept 30 not the 3rd", "2023-09-01")
    assert current(mem, r"anniversary is sept 30") and not current(mem, r"sept 21")


def test_moving_out_of_one_home_into_another_says_the_new_one(mem: Memory) -> None:
    """ "moving out of the connewitz WG end of month, got a studio in plagwitz for 480€": the fact says the
    new home and its rent, not the home left."""
    tell(mem, "Kofi", "living in a WG in connewitz with 2 germans, rent is 390€ warm", "2023-10-01")
    tell(mem, "Kofi", "moving out of the connewitz WG end of month, got a studio in plagwitz for 480€", "2024-03-02")
    assert current(mem, r"plagwitz") and not current(mem, r"connewitz")


def test_how_to_send_reminders_from_now_on_is_kept(mem: Memory) -> None:
    """ "reminders via telegram from now on, not sms" names no one, but it is how the speaker wants to be
    reached: a standing preference that says telegram, and answers how reminders go."""
    tell(mem, "Olga", "please send my reminders by sms", "2023-02-01")
    tell(mem, "Olga", "oh and reminders via telegram from now on, not sms. my number changed too", "2023-06-01")
    assert current(mem, r"telegram") and not [t for t in current(mem, r"\bsms\b") if "telegram" not in t]
    assert "telegram" in top(mem, "How does Olga want reminders sent?").lower()


def test_switching_vets_names_the_new_one_and_the_old_one_retiring_is_theirs(mem: Memory) -> None:
    """ "switched vets, now going to Clínica Sol, dr paulo retired": the vet is Clínica Sol, and the one who
    retired is the old vet, not the speaker."""
    tell(mem, "Cami", "switched vets, now going to Clínica Sol, dr paulo retired", "2023-08-01")
    assert "'vet': 'Clínica Sol'" in claim_text(mem, r"Clínica Sol")
    assert "retired" not in claim_text(mem, r"Clínica Sol") and not current(mem, r"paulo")


def test_switching_away_from_a_named_insurer_makes_the_new_one_the_insurer(mem: Memory) -> None:
    """ "geico went up so i switched to Progressive": the fact that said Geico closes with nothing of it
    carried on, the new fact holds the insurer Geico held, and "Who insures ...?" asks for it first."""
    tell(mem, "Ken", "sold the civic, got a used 2021 Tesla Model 3", "2023-04-12")
    tell(mem, "Ken", "insurance for the tesla is with Geico, $142/mo", "2023-04-13")
    tell(mem, "Ken", "geico went up so i switched to Progressive, $128 a month now", "2023-10-02")
    assert not current(mem, r"\bgeico\b")
    assert "'insurer': 'Progressive'" in claim_text(mem, r"Progressive")
    assert "Progressive" in top(mem, "Who insures Ken's car?")


def test_the_one_who_left_is_left_out_of_what_replaced_them(mem: Memory) -> None:
    """ "byrne sold the building, new landlord is a company called Ardmore": the fact names the new landlord
    only, and what Byrne did (sold the building) is no ending of the speaker's."""
    tell(mem, "Ciara", "rent reminder pls: £1,200 due on the 1st to my landlord mr. byrne", "2023-01-09")
    tell(mem, "Ciara", "byrne sold the building, new landlord is a company called Ardmore. rent is the same for now",
         "2024-03-10")  # fmt: skip
    assert current(mem, r"Ardmore") and not current(mem, r"\bbyrne\b")
    assert "Ardmore" in top(mem, "Who is Ciara's landlord?")


def test_a_new_main_client_replaces_the_old_one(mem: Memory) -> None:
    """ "biggest client rn is Lavazza's marketing team", then "new main client is a startup called Verdeluce":
    one main client at a time, and "Who is ...'s main client?" asks for it."""
    tell(
        mem,
        "Dario",
        "freelance designer here, based in Turin. biggest client rn is Lavazza's marketing team",
        "2023-03-01",
    )
    tell(mem, "Dario", "lavazza contract ended. new main client is a startup called Verdeluce", "2023-09-30")
    assert "'main client': 'Verdeluce'" in claim_text(mem, r"Verdeluce")
    assert "Verdeluce" in top(mem, "Who is Dario's main client?")


def test_a_new_role_accepted_elsewhere_ends_the_old_title_and_employer(mem: Memory) -> None:
    """ "made partner", then "I've accepted the role of Chief Legal Officer at Safaricom": each is a title,
    the last an employer too, and the old title and firm are no longer current."""
    tell(mem, "Wanjiru", "I'm a senior associate at Kaplan & Stratton in Nairobi, mostly disputes work", "2022-03-01")
    tell(mem, "Wanjiru", "big news, I made partner at Kaplan & Stratton this week!", "2023-01-10")
    assert "'title': 'partner'" in claim_text(mem, r"made partner")
    tell(mem, "Wanjiru", "I have accepted the role of Chief Legal Officer at Safaricom, starting monday", "2024-05-02")
    assert "'employer': 'Safaricom'" in claim_text(mem, r"Safaricom")
    assert not current(mem, r"senior associate") and not current(mem, r"made partner")


def test_not_together_anymore_is_a_break_up_and_a_named_someone_new_is_the_partner(mem: Memory) -> None:
    """ "tomas and i are not together anymore" ends the boyfriend; "seeing someone, his name is Ilias" names
    the new partner in the same clause."""
    tell(mem, "Greta", "my boyfriend Tomas is taking me to Riga for the weekend", "2022-05-01")
    tell(mem, "Greta", "so tomas and i are not together anymore. it's fine, really", "2022-09-01")
    assert not current(mem, r"boyfriend Tomas")
    tell(mem, "Greta", "guess what, im seeing someone, his name is Ilias, we met at climbing", "2023-02-01")
    assert "'partner': 'Ilias'" in claim_text(mem, r"Ilias")


def test_go_window_now_is_the_seat_someone_takes(mem: Memory) -> None:
    """ "I go window now" changes the seat from "I always book the aisle"."""
    tell(mem, "Deniz", "I always book the aisle seat on long flights", "2023-01-05")
    tell(mem, "Deniz", "changed my mind, I go window now so I can sleep", "2023-07-05")
    assert "'seat': 'window'" in claim_text(mem, r"window")
    assert not current(mem, r"aisle")


def test_leaving_one_town_for_a_place_in_another_says_only_the_new_home(mem: Memory) -> None:
    """ "I'm leaving Khayelitsha, got a place in Observatory" and "we sold the Porto flat and bought a house
    in Braga": the fact says the new home, and the town left is what it leaves."""
    tell(mem, "Sipho", "I live in Khayelitsha with my cousin", "2022-02-01")
    tell(mem, "Sipho", "Big news: I'm leaving Khayelitsha, got a place in Observatory near work", "2023-03-01")
    assert current(mem, r"Observatory") and not current(mem, r"Khayelitsha")
    tell(mem, "Rita", "we live in Porto, near the river", "2022-02-01")
    tell(mem, "Rita", "we sold the Porto flat and bought a house in Braga last month", "2023-03-01")
    assert current(mem, r"Braga") and not current(mem, r"Porto")


def test_the_keys_to_a_place_say_where_someone_lives(mem: Memory) -> None:
    """ "got the keys to my own piso in valencia" names a home however the place is called."""
    tell(mem, "Marta", "sharing a flat in Madrid with two friends", "2022-02-01")
    tell(mem, "Marta", "update!! i got the keys to my own piso in valencia, no flatmates", "2023-04-01")
    assert "'residence': 'Valencia'" in claim_text(mem, r"valencia")
    assert not current(mem, r"Madrid")


def test_a_plan_that_fell_through_said_without_an_article_ends_the_plan(mem: Memory) -> None:
    """ "Update: adoption of the rescue cat fell through" ends "planning to adopt a rescue cat"; "the kids named
    her Mochi" names the kitten taken instead."""
    tell(mem, "Ines", "we're planning to adopt a rescue cat from the shelter in Braga next month", "2023-03-01")
    tell(mem, "Ines", "Update: adoption of the rescue cat fell through. we got a kitten from a neighbour instead, "
         "the kids named her Mochi", "2023-04-20")  # fmt: skip
    assert not current(mem, r"planning to adopt")
    assert "Mochi" in claim_text(mem, r"Mochi")


def test_back_from_the_honeymoon_is_married_and_ends_engaged(mem: Memory) -> None:
    """ "HE ASKED, Rahul and I are engaged" is the speaker's, not "he"'s; "back from the honeymoon" says
    married, so "engaged" is no longer current."""
    tell(mem, "Priya", "HE ASKED!!! Rahul and I are engaged, still shaking", "2023-02-10")
    assert "'relationship': 'engaged'" in claim_text(mem, r"engaged")
    tell(mem, "Priya", "back from the honeymoon in Goa! the wedding was a blur", "2023-12-12")
    assert "'relationship': 'married'" in claim_text(mem, r"honeymoon")
    assert not current(mem, r"\bengaged\b")


def test_millones_is_a_salary_in_millions(mem: Memory) -> None:
    """ "gano 4 millones al mes" in a mixed-language turn is a salary of 4,000,000, and a new one replaces it."""
    tell(mem, "Camilo", "I make 4 millones a month as a nurse in Medellín", "2023-01-05")
    assert "'money:salary': '4000000'" in claim_text(mem, r"millones")
    tell(mem, "Camilo", "got a raise!! new salary 4.6 millones a month", "2023-08-05")
    assert not current(mem, r"\b4 millones")


def test_two_salaries_in_one_breath_and_a_hyphenated_name_are_each_their_own(mem: Memory) -> None:
    """ "My husband Jae-won and I ... I earn 48 million, he earns 55 million": his pay is his (he is Jae-won),
    and "Jae-won got a raise, now 60 million" closes his pay, not the speaker's."""
    tell(mem, "Min", "My husband Jae-won and I are doing a budget. I earn 48 million won a year, he earns 55 million.",
         "2023-01-05")  # fmt: skip
    tell(mem, "Min", "Jae-won got a raise, now 60 million. mine is the same", "2023-05-05")
    assert current(mem, r"\b48 million") and not current(mem, r"\b55 million")
    assert current(mem, r"Jae-won got a raise")


def test_an_allergen_said_before_the_word_allergy_is_one_allergy_however_restated(mem: Memory) -> None:
    """ "a severe sesame allergy", then "I'm the sesame-allergic guy": one allergy, no job called a guy."""
    tell(mem, "Tariq", "I have a severe sesame allergy, I always carry an EpiPen", "2023-01-05")
    assert "'allergy:sesame': 'sesame'" in claim_text(mem, r"sesame allergy")
    tell(mem, "Tariq", "reminder: I'm the sesame-allergic guy, so no tahini in anything", "2023-05-05")
    assert len(current(mem, r"sesame[- ]allerg")) == 1
    assert "title" not in claim_text(mem, r"sesame")


def test_settled_in_finally_is_no_town_called_finally(mem: Memory) -> None:
    """ "settled in finally" after a move says nothing of where: the new town stays the home."""
    tell(mem, "Kofi", "just signed the lease on a flat in Westlands, Nairobi, movers come friday", "2023-03-01")
    tell(mem, "Kofi", "settled in finally. the view at night is unreal", "2023-03-20")
    assert "Finally" not in claim_text(mem, r"settled in")
    assert current(mem, r"Westlands")


def test_a_transfer_to_a_college_is_a_new_employer_and_a_question_says_no_job(mem: Memory) -> None:
    """ "Big change for me: I transferred to a federal college in Jos, still physics" is a new workplace
    (the still of the subject is no restatement); "And for me, physics demos safe for SS1?" asks, and
    says no job."""
    tell(mem, "Ngozi", "I teach physics at a secondary school in Kaduna", "2022-09-05")
    said = "Big change for me: I transferred to a federal college in Jos, starting this term, still physics"
    tell(mem, "Ngozi", said, "2023-01-10")
    assert "'employer': 'a federal college in Jos'" in claim_text(mem, r"federal college")
    assert not current(mem, r"secondary school in Kaduna")
    tell(mem, "Ngozi", "And for me, physics demos safe for SS1?", "2023-02-01")
    assert "SS1" not in claim_text(mem, r".")


def test_a_correction_is_never_a_restatement_of_what_it_corrects(mem: Memory) -> None:
    """ "contract is actually 3 years, not 2" reads nearly as "My contract is 2 years"; it rewrites it, and
    "it's in Lausanne, not Vevey" keeps the place it says, not the one it denies."""
    tell(mem, "Bea", "I just moved for a job with Logitech, the office is in Lausanne. My contract is 2 years.",
         "2022-10-03T09:00:00Z")  # fmt: skip
    tell(mem, "Bea", "no no, it's in Lausanne, not Morges. Also I checked, contract is actually 3 years, not 2",
         "2022-10-03T10:00:00Z")  # fmt: skip
    assert current(mem, r"contract is 3 years") and not current(mem, r"contract is 2 years")
    assert not current(mem, r"Morges")


def test_changed_jobs_moved_to_a_company_is_the_employer_and_its_amount_is_pay(mem: Memory) -> None:
    """ "I changed jobs - moved to Kakao, 70 million now": Kakao is the employer, not a town, and 70 million
    is the new salary; "moved to Dubai for a new job" is still a move."""
    tell(mem, "Hyun", "I earn 58 million won a year at a small agency in Seoul", "2023-01-05")
    tell(mem, "Hyun", "I changed jobs - moved to Kakao, 70 million now", "2023-09-05")
    assert "'employer': 'Kakao', 'money:salary': '70000000'" in claim_text(mem, r"Kakao")
    assert not current(mem, r"58 million")
    tell(mem, "Hyun", "my cousin Jiwoo moved to Dubai for a new job", "2023-10-05")
    assert "'residence': 'Dubai'" in claim_text(mem, r"Dubai")


def test_a_turn_found_for_something_else_it_says_is_not_replaced_by_its_change(mem: Memory) -> None:
    """ "it's in Lausanne, not Morges. also the contract is actually 3 years" is found for the contract; the
    fact that keeps only Lausanne matches that question far worse, and does not take the turn's place."""
    tell(mem, "Bea", "I just moved for a job with Logitech, the office is in Lausanne. My contract is 2 years.",
         "2022-10-03T09:00:00Z")  # fmt: skip
    tell(
        mem, None, "Welcome! Since you're in Morges, the lake path is lovely.", "2022-10-03T09:00:10Z", role="assistant"
    )
    tell(mem, "Bea", "no no, it's in Lausanne, not Morges. Also I checked, contract is actually 3 years, not 2",
         "2022-10-03T10:00:00Z")  # fmt: skip
    assert "3 years" in top(mem, "How long is Bea's work contract?")


def test_work_said_in_passing_then_freelancing_then_an_offer_signed_each_is_the_employer(mem: Memory) -> None:
    """ "i work at lidl on weekends" (the employer is Lidl, not "Lidl on weekends"), "I'm freelancing for
    now", "got a job at a climbing gym", "Signed a full-time offer from Adyen": each replaces the last."""
    tell(mem, "Noor", "sorry if im slow, i work at lidl on weekends", "2023-01-05")
    assert "'employer': 'Lidl'" in claim_text(mem, r"lidl")
    tell(mem, "Noor", "quit lidl, got a job on the front desk at a climbing gym now", "2023-03-05")
    assert "'employer': 'a climbing gym'" in claim_text(mem, r"climbing gym")
    tell(mem, "Noor", "gym let me go, so I'm freelancing for now, mostly design gigs", "2023-06-05")
    assert "'employer': 'freelance'" in claim_text(mem, r"freelancing")
    tell(mem, "Noor", "Signed a full-time offer from Adyen yesterday, starting in May", "2024-04-05")
    assert "'employer': 'Adyen'" in claim_text(mem, r"Adyen")
    assert not current(mem, r"freelancing|climbing gym|lidl")


def test_someone_named_between_dashes_is_the_partner_not_the_listener(mem: Memory) -> None:
    """ "I've been seeing someone — Valentina — for about two months": the name stays, as the partner."""
    tell(mem, "Ana", "I've been seeing someone — Valentina — for about two months", "2023-05-01")
    assert "'partner': 'Valentina'" in claim_text(mem, r"Valentina")


def test_a_correction_that_clears_the_old_value_rewrites_it(mem: Memory) -> None:
    """ "turns out i had it wrong ... its actually shellfish (prawns especially), fish is fine" corrects
    "im allergic to fish" to shellfish, without the aside."""
    tell(mem, None, "dinner at a seafood place tmrw, im allergic to fish. what can i order", "2024-01-08")
    tell(mem, None, "ok so turns out i had it wrong. did a proper test and its actually shellfish (prawns "
         "especially), fish is fine", "2024-02-08")  # fmt: skip
    assert current(mem, r"allergic to shellfish") and not current(mem, r"allergic to fish\b")


def test_must_have_the_aisle_is_a_seat(mem: Memory) -> None:
    """ "I must have the aisle" after "I always prefer the window seat" changes the seat."""
    tell(mem, "Gerd", "I always prefer the window seat, I like watching the clouds", "2023-01-05")
    tell(mem, "Gerd", "since my hip operation I must have the aisle, so I can stand up", "2023-07-05")
    assert "'seat': 'aisle'" in claim_text(mem, r"aisle")
    assert not current(mem, r"window seat")


def test_an_ending_after_a_left_foot_still_ends_and_a_new_target_is_news(mem: Memory) -> None:
    """ "a stress fracture in my left foot ... I've pulled out of Valencia" ends the race plan ("left foot"
    is no leaving), and "Cleared to run again. New target: the Porto half" is a new plan, not a restatement."""
    tell(mem, None, "Registered for the Valencia Marathon in December!! first full marathon ever", "2022-03-01")
    tell(mem, None, "bad news, it's a stress fracture in my left foot, 8 weeks no running. I've pulled out of "
         "Valencia", "2022-09-01")  # fmt: skip
    assert not current(mem, r"Registered for the Valencia")
    tell(mem, None, "Cleared to run again! New target: the Porto half marathon in March", "2023-01-10")
    assert current(mem, r"Porto half")


def test_a_workplace_named_with_a_number_word_is_no_count_and_at_a_name_now_is_the_new_one(mem: Memory) -> None:
    """ "pastry chef at Seven Sisters" counts no sisters; "I'm running the pastry section at The Ledbury now"
    is the new employer after "left Seven Sisters"."""
    tell(mem, "Ola", "I'm a pastry chef at Seven Sisters and my shifts start at 4am", "2022-01-10")
    assert "count:" not in claim_text(mem, r"Seven Sisters")
    tell(mem, "Ola", "finally left Seven Sisters — I'm running the pastry section at The Ledbury now", "2023-01-10")
    assert "'employer': 'Ledbury'" in claim_text(mem, r"Ledbury")
    assert not current(mem, r"chef at Seven Sisters")


def test_a_bhk_is_a_home(mem: Memory) -> None:
    """ "got a 2bhk in chennai near adyar" says where the speaker lives (Chennai, not "Chennai Near Adyar")."""
    tell(mem, None, "im in pune rn, need the cheapest way to mumbai", "2021-06-01")
    tell(mem, None, "update: got a 2bhk in chennai near adyar, commute is ok", "2022-06-01")
    assert "'residence': 'Chennai'" in claim_text(mem, r"2bhk")


def test_a_younger_sister_said_beside_the_speaker_is_her_own_clause_and_subject(mem: Memory) -> None:
    """ "I'm a nurse here in Accra and my younger sister Esi is a pharmacist" is two people; "she just
    accepted a job in Leeds" is Esi's, and "Esi's been in Leeds four months" moves Esi, not the speaker."""
    tell(mem, "Ama", "I'm a nurse here in Accra and my younger sister Esi is a pharmacist — she just accepted a job "
         "at a hospital in Leeds", "2022-07-01")  # fmt: skip
    assert "'title': 'nurse'" in claim_text(mem, r"nurse here")
    assert "pharmacist" not in claim_text(mem, r"nurse here")
    tell(mem, "Ama", "Esi's been in Leeds four months and loves it. I'm visiting her at Christmas", "2022-12-01")
    assert "'residence': 'Accra'" in claim_text(mem, r"nurse here")


def test_a_pet_named_in_lower_case_after_her_name_is(mem: Memory) -> None:
    """ "GOT A CORN SNAKE!!! her name is pickle": the pet's name, whatever the case it was typed in."""
    tell(mem, None, "GOT A CORN SNAKE!!! her name is pickle. what temp should the tank be?", "2023-03-01")
    assert "Pickle" in claim_text(mem, r"pickle")


def test_cutting_coffee_out_ends_the_flat_whites_and_the_tea_had_instead_is_the_drink(mem: Memory) -> None:
    """ "I've cut coffee out completely ... been having rooibos instead" ends "four flat whites a day" (a
    kind of coffee) and says rooibos; "cut back to one coffee a day" gives nothing up."""
    tell(mem, "Ines", "night shifts again, I'm basically surviving on four flat whites a day", "2022-01-10")
    tell(mem, "Ines", "Update: I've cut coffee out completely, and I've been having rooibos instead", "2022-05-10")
    assert not current(mem, r"flat whites")
    assert "rooibo" in claim_text(mem, r"rooibos")
    tell(mem, "Kai", "I drink my coffee black, always", "2022-01-10")
    tell(mem, "Kai", "cut back to one coffee a day, doctor's orders. started drinking matcha instead", "2022-05-10")
    assert current(mem, r"coffee black")


def test_an_old_flat_rented_out_is_not_where_someone_lives(mem: Memory) -> None:
    """ "my old flat in Porto is now rented to my cousin" after a move to Lyon leaves Lyon the home."""
    tell(mem, None, "I rent a small flat near Boavista in Porto", "2021-10-01")
    tell(mem, None, "since last month I am living in Lyon, in the Croix-Rousse quarter", "2022-03-01")
    tell(mem, None, "also, my old flat in Porto is now rented to my cousin Rui", "2022-04-01")
    assert "residence" not in claim_text(mem, r"old flat")


def test_a_last_day_somewhere_and_a_start_as_a_title_at_another_change_the_employer(mem: Memory) -> None:
    """ "Last day at Kestrel was Friday!! Starting Monday as a senior PM at Tamarind Health": the employer
    is Tamarind Health, and nothing says Kestrel is current."""
    tell(mem, "Anu", "I'm a data analyst at Kestrel Logistics in Pune", "2023-01-05")
    tell(mem, "Anu", "got moved into the product manager role, still at Kestrel", "2023-06-05")
    tell(mem, "Anu", "Last day at Kestrel was Friday!! Starting Monday as a senior PM at Tamarind Health", "2024-01-05")
    assert "'employer': 'Tamarind Health'" in claim_text(mem, r"Tamarind")
    assert not current(mem, r"works at Kestrel|still at Kestrel|analyst at Kestrel")


def test_an_apology_then_a_date_corrects_a_relatives_birthday(mem: Memory) -> None:
    """ "wait no, sorry, that's her sister's. Anja's is 3 June." corrects "my wife Anja's birthday is on
    3 April" (a fact of the speaker's that names her), date and all; the partner is Anja, not "Anja's"."""
    tell(mem, "Lars", "please remember: my wife Anja's birthday is on 3 April", "2023-02-01T09:00:00Z")
    assert "'partner': 'Anja'" in claim_text(mem, r"Anja")
    tell(mem, "Lars", "wait no, sorry, that's her sister's. Anja's is 3 June.", "2023-02-01T09:05:00Z")
    assert current(mem, r"Anja's birthday is on 3 June") and not current(mem, r"April")


def test_no_meat_though_qualifies_the_clause_before_it(mem: Memory) -> None:
    """ "I've started eating fish again. no meat though." is one statement: the diet eats fish, and no
    bare "no meat" fact reads as vegetarian."""
    tell(mem, "Siri", "I'm vegan, plan me a week of lunches", "2023-01-05")
    tell(mem, "Siri", "small change. I've started eating fish again. no meat though.", "2023-06-05")
    assert "'diet': 'eats fish'" in claim_text(mem, r"fish again, no meat")
    assert "vegetarian" not in claim_text(mem, r".")


def test_dad_and_my_father_are_one_person(mem: Memory) -> None:
    """ "My father Kenta ... still runs his noodle shop", then "Dad finally sold the noodle shop": the
    ending is the father's, whichever word names him, and "Where does my dad live?" asks for him."""
    tell(mem, None, "My father Kenta is 70 and still runs his noodle shop in Otaru", "2023-01-05")
    tell(mem, None, "Dad finally sold the noodle shop last week! retired for real now", "2023-04-05")
    assert not current(mem, r"still runs his noodle shop")
    tell(mem, None, "my father moved to Sapporo to be near my sister", "2023-06-05")
    tell(mem, None, "my mum is still in Otaru, she loves her garden there", "2023-06-06")
    assert "Sapporo" in top(mem, "Where does my dad live?")
