"""The offline extractor, sentence by sentence, and the extractive session summary."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from remem.types import Episode
from remem.write.candidates import Candidate
from remem.write.claims import claim
from remem.write.rules import RuleExtractor, classify, clauses, rewrite
from remem.write.summarize import ExtractiveSummarizer, summarize_session

MONDAY = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def turn(text: str, name: str = "Caroline", number: int = 1, at: datetime = MONDAY) -> Episode:
    return Episode(
        id=f"ep{number}", space="s", role="user", content=text, session="s1", event_time=at, ingest_time=at, name=name
    )


def extracted(text: str, name: str = "Caroline") -> list[Candidate]:
    return [c for c in RuleExtractor().extract([turn(text, name)], []) if c.kind != "turn"]


def said(text: str, name: str = "Caroline") -> list[str]:
    return [c.text for c in extracted(text, name)]


def test_the_raw_turn_comes_first_then_the_facts_inside_it() -> None:
    out = RuleExtractor().extract([turn("Hey Mel! I went to a LGBTQ support group yesterday.")], [])
    assert [c.kind for c in out] == ["turn", "event"]
    assert out[0].text == "Caroline: Hey Mel! I went to a LGBTQ support group yesterday."
    fact = out[1]
    assert fact.text == "Caroline went to a LGBTQ support group yesterday (7 May 2023)."
    assert fact.valid_from == datetime(2023, 5, 7, tzinfo=UTC)
    assert fact.source_episode_ids == ["ep1"] and fact.session == "s1"
    assert {"lgbtq", "support", "group"} <= set(fact.keywords)
    assert fact.tags == ["lgbtq"]
    assert fact.metadata["speaker"] == "Caroline"


def test_first_person_becomes_a_standalone_third_person_statement() -> None:
    assert rewrite("I live in Lisbon.", "Ana") == "Ana lives in Lisbon."
    assert rewrite("I no longer eat meat.", "Ana") == "Ana no longer eats meat."
    assert rewrite("I'm going to a concert with my sister.", "Ana") == "Ana is going to a concert with Ana's sister."
    assert rewrite("I totally agree", "Ana") == "Ana totally agrees"
    assert rewrite("I apply to jobs", "Ana") == "Ana applies to jobs"
    assert rewrite("I need some me-time, it calms me.", "Ana") == "Ana needs some me-time, it calms Ana."


def test_greetings_questions_praise_and_assent_are_dropped() -> None:
    assert said("Hey Mel! Good to see you! How have you been?") == []
    assert said("Thanks!") == []
    assert said("That charity race sounds great, Mel!") == []
    assert said("I'm really proud of you for taking part!") == []
    assert said("I totally agree, Melanie.") == []
    assert said("Doubts, Caroline.") == []
    assert said("And here's one of the adoption agencies I'm looking into.") == []
    assert classify("What kinda jobs are you thinkin' of?", "Melanie") is None


def test_kinds_preferences_events_and_plans() -> None:
    [preference] = extracted("My favourite food is sushi.", "Bo")
    assert (preference.kind, preference.text) == ("preference", "Bo's favourite food is sushi.")
    [plan] = extracted("I'm going to Paris next month.", "Bo")
    assert plan.kind == "event" and plan.text == "Bo is going to Paris next month (June 2023)."
    assert plan.valid_from == datetime(2023, 6, 1, tzinfo=UTC)
    [past] = extracted("Yeah, I painted that lake sunrise last year!")
    assert past.text == "Caroline painted that lake sunrise last year (2022)."
    # A vocative is not part of the fact.
    assert "Since we last chatted, Melanie has had a lot of things happening to Melanie." in said(
        "Caroline, since we last chatted, I've had a lot of things happening to me.", "Melanie"
    )


def test_changes_and_negations_are_marked_for_the_reconciler() -> None:
    [meat] = extracted("I no longer eat meat.", "Cy")
    assert meat.negates == "eat meat" and meat.text == "Cy no longer eats meat."
    [vegetarian] = extracted("I'm vegetarian now.", "Cy")
    assert vegetarian.negates == "eat meat"
    [smoking] = extracted("I don't smoke anymore.", "Cy")
    assert smoking.negates is not None and "smoke" in smoking.negates
    [move] = extracted("I moved to Porto last week.", "Ana")
    assert move.metadata["claims"] == {"residence": "Porto"} and move.metadata["subject"] == "ana"
    [job] = extracted("I started working at Google last month.", "Ana")
    assert job.metadata["claims"]["employer"] == "Google"
    [married] = extracted("I got married in June.", "Ana")
    assert married.metadata["claims"] == {"relationship": "married"}
    [sister] = extracted("My sister moved to Rome.", "Ana")
    assert sister.metadata["subject"] == "ana's sister"  # the sister's residence, not Ana's
    [team] = extracted("we've been hiring like crazy, I'm at 48 people now", "Nadia")
    assert team.metadata["claims"] == {"count:people": "48"}
    [band] = extracted("fyi Khruangbin is still my number one band, nothing comes close", "Zara")
    assert band.metadata["claims"] == {"favourite:band": "Khruangbin"} and band.metadata["still"] is True
    [typo] = extracted("oops typo, I meant 2019", "Hyejin")
    assert typo.metadata["correction"] == [None, "2019"]


def test_forget_requests_are_flagged_not_stored_as_facts() -> None:
    [forget] = extracted("Please forget that I eat meat.", "Cy")
    assert forget.forget is True and forget.text == "I eat meat"
    # What the request's turn says of the request is no fact; nor is an introduction said of its own name.
    assert said("forget the ED thing. not something i want saved", "Cy") == ["the ED thing"]
    assert said("Bonjour, I'm Pierre. I run a fromagerie in Lyon.", "Pierre") == ["Pierre runs a fromagerie in Lyon."]


def session() -> list[Episode]:
    lines = [
        ("Caroline", "Hey Mel! Good to see you!"),
        ("Melanie", "Hi Caroline! I'm swamped with the kids and my painting."),
        ("Caroline", "I went to an LGBTQ support group yesterday. The support group was so powerful."),
        ("Melanie", "Wow, what did the support group talk about?"),
        ("Caroline", "Transgender stories at the support group made me feel accepted."),
        ("Melanie", "I painted a lake sunrise last year."),
    ]
    return [turn(text, name, i, MONDAY + timedelta(minutes=i)) for i, (name, text) in enumerate(lines, start=1)]


def test_the_session_summary_is_dated_central_and_points_at_every_turn() -> None:
    summary = summarize_session(session())
    assert summary is not None and summary.kind == "summary"
    assert summary.text.startswith("Session of 8 May 2023: ")
    assert "support group" in summary.text and "Good to see you" not in summary.text
    assert len(summary.text) <= 400
    assert summary.source_episode_ids == [f"ep{i}" for i in range(1, 7)]
    assert summary.tags == ["caroline", "melanie"] and summary.keywords[:2] == ["support", "group"]
    assert ExtractiveSummarizer(min_turns=10).summarize(session()) is None
    assert summarize_session([turn("Hi!"), turn("Thanks!", number=2)]) is None


def test_only_an_imperative_to_the_assistant_is_a_forget_request() -> None:
    # Said in conversation, these are not requests; acting on them would erase unrelated turns.
    for text in (
        "I'll never forget the day my youngest took her first steps.",
        "Don't forget to take breaks and dance it out when you need to destress!",
        "Tomorrow's gonna be an awesome night and I'm not gonna forget a second of it.",
        "Can you remove the stain from this shirt photo?",
        "forget it, never mind",
        "I take back the jacket tomorrow",
        "stop keeping track of calories, it's exhausting",
        "scrub the pan first, then soak it",
    ):
        assert not [c for c in extracted(text) if c.forget], text
    for text, what in (
        ("can you delete what I said about my diabetes?", "my diabetes"),
        ("actually yeah, scratch my passport number from your memory please", "my passport number"),
        ("ok drop the bit about my old job", "my old job"),
        ("Fresh start. Please erase anything you have about my ex. Everything.", "my ex"),
        ("could you delete everything you know on my landlord", "my landlord"),
        ("strike the bit about my salary from your notes", "my salary"),
        ("can you unlearn the thing about my sister?", "my sister"),
        ("I take back what I said about my boss", "my boss"),
        ("stop keeping track of my location", "my location"),
        ("please remove all mention of my diagnosis", "my diagnosis"),
        ("take my medication off the record", "my medication"),
        ("pls erase the convo about my money problems", "my money problems"),
        ("drop the corridor drama from wednesday, I don't want that on record.", "the corridor drama from wednesday"),
    ):
        [request] = [c for c in extracted(text) if c.forget]
        assert request.text == what


def test_an_ending_said_in_the_negative_ends_nothing() -> None:
    for text in (
        "I won't quit on my dreams.",
        "I'm never giving up on this band",
        "we didn't cancel the trip",
        "got home from work late again",  # home from work, not from hospital: the job goes on
        "I finished my painting yesterday",
    ):
        assert all(c.metadata.get("ends") is None for c in extracted(text, "Jon")), text


def test_an_ending_names_what_it_ends_without_the_time_after_it() -> None:
    [lost, *_] = extracted("we lost Rufus on Friday. 13 years old.", "Jonah")
    assert lost.metadata["ends"] == "rufus"


def test_someone_elses_relation_is_the_subject() -> None:
    [job] = extracted("Tariq's wife started at the Aga Khan hospital in Karachi", "Noor")
    assert job.metadata["subject"] == "tariq's wife" and "Aga Khan" in job.metadata["claims"]["employer"]


def test_claims_read_the_clause_as_typed() -> None:
    # A lower-case common word at the start names no one; only the typed capital does.
    [completion] = extracted("completion is set for 28 June, solicitors permitting", "Olivia")
    assert completion.metadata["subject"] == "olivia"
    [marta] = extracted("Marta moved to Oslo last month", "Jonas")
    assert marta.metadata["subject"] == "marta" and marta.metadata["claims"] == {"residence": "Oslo"}


def test_an_ending_with_its_object_inside_and_a_bare_k_without_money() -> None:
    [phd] = extracted("I've turned the PhD down.", "Yusuf")
    assert phd.metadata["ends"] == "phd"
    [run] = extracted("first marathon, right now I can run about 10k", "Chidi")
    assert "claims" not in run.metadata
    [pay] = extracted("I'm a UX researcher in Dublin on €48k", "Grace")
    assert pay.metadata["claims"] == {"title": "UX researcher", "residence": "Dublin", "money:salary": "48000"}


def test_a_title_is_what_a_person_is_not_what_a_thing_is() -> None:
    for text in (
        "It's a great pic of the lake",
        "That's a journey worth taking",
        "Family love and support is the best!",
        "Creating a special experience for customers is the key to making them feel welcome",
        "It'll be tough as a single parent",
        "How long have you been married?",
        "Last weekend I joined a mentorship program for LGBTQ youth",
        "the new flat is tiny but the station is a short bus ride away",  # lower case: a thing, not a name
        "Honestly I'd love to move into data science one day",  # a career, not a city
    ):
        assert all("claims" not in c.metadata for c in extracted(text)), text
    [dev] = extracted("Dev's a junior doctor", "Leah")
    assert dev.metadata["claims"] == {"title": "junior doctor"}
    # A holiday is no workplace: "what gift for Christmas?" says nothing of anyone's job.
    assert all("claims" not in c.metadata for c in extracted("Dad's fine, what gift for Christmas tho", "Leah"))
    [dentist] = extracted("Wanjiru is a dentist in Mombasa, two kids", "Leah")
    assert dentist.metadata["subject"] == "wanjiru" and dentist.metadata["claims"]["residence"] == "Mombasa"
    [aunt] = extracted("my aunt's a midwife in Kisumu", "Leah")
    assert aunt.metadata["claims"]["title"] == "midwife" and aunt.metadata["subject"] == "leah's aunt"
    [joined] = extracted("I'm joining Flutterwave as a senior backend engineer", "Amara")
    assert joined.metadata["claims"] == {"employer": "Flutterwave", "title": "senior backend engineer"}


def test_a_date_that_belongs_to_an_occasion_takes_the_nearer_year() -> None:
    march = datetime(2022, 3, 14, 10, 0, tzinfo=UTC)
    episode = Episode(
        id="ep1", space="s", role="user", content="got a ballot place for the Berlin marathon in September!!!",
        session="s1", event_time=march, ingest_time=march, name="Chidi",
    )  # fmt: skip
    [place] = [c for c in RuleExtractor().extract([episode], []) if c.kind != "turn"]
    assert "(September 2022)" in place.text  # not the September before, though "got" is past
    [went] = extracted("We went camping in July with the kids.", "Mel")
    assert "(July 2022)" in went.text  # MONDAY is May 2023: a plain past month stays behind


def test_clauses_that_tell_nothing_about_anyone_stay_in_their_turn() -> None:
    """A mood with nothing else said, a cheer, advice or praise for the listener, an opinion of a
    thing and words that name no one are kept in the raw turn, not made memories of their own."""
    quiet = [
        "I'm feeling hopeful and optimistic.",
        "I was so happy and thankful for all the support.",
        "Success is almost here. We got this!",
        "Taking care of ourselves is vital.",
        "Painting looks like a great outlet for expressing yourself.",
        "Loving the inclusivity and support.",
        "The natural light!",
        "They're the ones performing at the festival!",
        "Sounds great! Marley's perfect.",
        "Hopefully, we will find a place like this that will inspire us!",
    ]
    for text in quiet:
        out = RuleExtractor().extract([turn(text)], [])
        assert [c.kind for c in out] == ["turn"], (text, [c.text for c in out])
    # What does tell something stays, with or without a subject of its own.
    assert said("I'm thrilled to make a family for kids who need one.") == [
        "Caroline is thrilled to make a family for kids who need one."
    ]
    assert said("Researching adoption agencies - it's been a long road.") == ["Caroline: Researching adoption agencies"]
    assert said("doc says im lactose intolerant") == ["Caroline: Doc says im lactose intolerant"]
    assert said("One-bed, five minutes from the sea") == ["Caroline: One-bed, five minutes from the sea"]
    # Told the way people type: someone named, a day, or what the speaker does, said without "I".
    assert said("Renata said yes") == ["Caroline: Renata said yes"]
    assert said("road trip this weekend") == ["Caroline: Road trip this weekend (13 May 2023)."]
    assert said("still living out of boxes lol") == ["Caroline: Still living out of boxes"]
    assert said("started the role this term") == ["Caroline: Started the role this term"]
    assert said("need quick weeknight dinners") == ["Caroline: Need quick weeknight dinners"]


def test_a_question_or_a_goodbye_is_never_the_tail_of_a_statement() -> None:
    # "What's up with you?" joined to the fact before made the whole clause a question, and lost it.
    assert said("Hey Caroline! I'm swamped with the kids & work. What's up with you? Anything new?", "Melanie") == [
        "Melanie is swamped with the kids & work."
    ]
    assert said("I'm off to go swimming with the kids. Talk to you soon!", "Melanie") == [
        "Melanie is off to go swimming with the kids."
    ]
    # "- which refreshes me": a relative clause says more of the clause before it.
    assert said("I'm carving out some me-time each day - which refreshes me!", "Melanie") == [
        "Melanie is carving out some me-time each day, which refreshes Melanie!"
    ]


def test_contractions_and_slang_agree_with_the_third_person() -> None:
    assert rewrite("I don't eat meat", "Eva") == "Eva doesn't eat meat"
    assert rewrite("I haven't seen it", "Eva") == "Eva hasn't seen it"
    assert rewrite("I wanna start a dance studio", "Jon") == "Jon wants to start a dance studio"
    assert rewrite("I can't swim", "Eva") == "Eva can't swim"
    assert rewrite("Painting helps me be true to myself", "Caroline") == "Painting helps Caroline be true to themself"
    # "X and I" is a pair only where it leads its clause.
    assert rewrite("I live in Lisbon and I work as a nurse.", "Ana") == "Ana lives in Lisbon and Ana works as a nurse."
    assert rewrite("Hana and I are moving", "Dev") == "Hana and Dev are moving"


def test_a_breed_is_claimed_only_where_the_words_say_a_pet() -> None:
    from remem.write.claims import claim

    assert claim("we adopted a retired racing greyhound", "Jonah").properties == {"breed:dog": "greyhound"}
    assert claim("our new lab puppy chewed my shoe", "Jonah").properties == {"breed:dog": "lab"}
    assert claim("I got a Maine Coon kitten", "Jonah").properties == {"breed:cat": "maine coon"}
    # "lab", "boxer": other words too, a breed only with the animal after them.
    assert "breed:dog" not in claim("he's a boxer, trains every morning", "Jonah").properties
    assert claim("I work in a lab", "Jonah").properties == {}
    # A thought, a second animal, someone else's dog, a breed in general: no claim.
    assert claim("leaning towards a collie", "Jonah").properties == {}
    assert claim("we got another dog, a pug", "Jonah").properties == {}
    assert claim("my neighbour's beagle barks all night", "Jonah").properties == {}
    assert claim("I love beagles", "Jonah").properties == {}


def test_a_pets_name_is_claimed_from_the_turn_that_says_the_pet() -> None:
    claims = [c.metadata.get("claims") for c in extracted("meet Olive!!! our whippet puppy, 10 weeks old", "Hannah")]
    assert any(c and c.get("dog") == "Olive" for c in claims)
    assert any(c and c.get("breed:dog") == "whippet" for c in claims)
    # "meet Sarah" names a pet only in a turn about one.
    colleague = [c.metadata.get("claims") or {} for c in extracted("meet Sarah, my new colleague!! she starts Monday")]
    assert all("dog" not in c and "cat" not in c for c in colleague)


def test_an_answer_style_and_a_usual_drink_are_claimed_only_when_they_are_the_speakers() -> None:
    from remem.write.claims import claim

    assert claim("pls keep answers short, bullet points if you can", "Kofi").properties == {
        "answer_style": "short, bullet points"
    }
    assert claim("I want longer explanations with worked examples now", "Kofi").properties == {
        "answer_style": "detailed, examples"
    }
    assert "answer_style" not in claim("the answers on the exam were short", "Kofi").properties
    assert claim("it's oat cortados for me now", "Noah").properties == {"drink": "oat cortado"}
    assert "drink" not in claim("never again a latte, too milky", "Noah").properties
    assert "drink" not in claim("we had cappuccinos in Rome", "Noah").properties


def test_a_standing_request_and_what_a_diet_allows_are_kept_as_preferences() -> None:
    def kept(text: str) -> list[tuple[str, str]]:
        return [(c.kind, c.text) for c in extracted(text, "Sipho")]

    assert ("preference", "Sipho: SAST times please when you give me dates") in kept(
        "you know I'm based in Cape Town right? so SAST times please when you give me dates lol"
    )
    assert ("preference", "Sipho: Egg is fine") in kept("I don't eat meat, remember. egg is fine tho")
    # A one-off request, or "fine" with no restriction before it, is no preference.
    assert kept("can you please send me the link when you get a chance?") == []
    assert kept("the weather is fine, thanks") == []
    assert [t for _, t in kept("I'm vegetarian. that's fine")] == ["Sipho is vegetarian."]
    # Advice to the listener asks nothing for the speaker.
    assert kept("don't forget to take breaks and dance it out when you need to destress!") == []


def test_a_forget_request_typed_casually_names_what_to_forget() -> None:
    from remem.write.rules import forget_request

    assert forget_request("can u delete what i said about the doctor? not comfy with it") == "the doctor"
    assert forget_request("can you delete everything i told you about my ex? fresh start") == "my ex"
    assert forget_request("I will never forget my ex") is None
    assert forget_request("can you remove the onions from the recipe?") is None

    # Asking not to keep something is asking to forget it; "don't keep the receipts" is not about memory.
    assert forget_request("please don't store anything about my knee surgery") == "my knee surgery"
    assert forget_request("Stop remembering my daughter's school, it feels creepy") == "my daughter's school"
    assert forget_request("I don't want you to keep my bank details, ok?") == "my bank details"
    assert forget_request("could you clear the notes on my loan please") == "my loan"
    assert forget_request("Forget I ever brought up the custody hearing.") == "the custody hearing"
    assert forget_request("can you not keep that visa thing") == "visa thing"
    assert forget_request("Could you purge my bank details?") == "my bank details"
    assert forget_request("Erase the bit where I talked about my overdraft.") == "my overdraft"
    assert forget_request("Can you wipe the conversation about my back pain?") == "my back pain"
    assert forget_request("Don't hold on to the info about my son's nursery.") == "my son's nursery"
    assert forget_request("remove the legal details I gave you") == "the legal details"
    assert forget_request("Please remove everything related to my separation.") == "my separation"
    for text in (
        "Been running longer, a great way to destress and clear my mind.",  # a clause that goes on, naming nothing kept
        "I need to pick up milk and drop my kids at school",
        "don't keep the receipts, they're useless",
        "I don't remember where I parked",
        "I don't want you to worry about it",
        "please clear the table before the guests come",
    ):
        assert forget_request(text) is None, text


def test_counts_titles_statuses_and_workplaces_said_the_casual_way() -> None:
    from remem.write.claims import claim

    assert claim("mum of two, theo and ada, running on coffee", "Grace").properties == {"count:kid": "2"}
    assert claim("proud mom of two cats, miso and pickles", "Ruth").properties == {"count:cat": "2"}
    assert claim("got promoted, senior product designer now.", "Tom").properties == {"title": "senior product designer"}
    assert claim("married as of saturday", "Dana").properties == {"relationship": "married"}
    assert "relationship" not in claim("married couples are hard work", "Dana").properties
    assert claim("i'm a data analyst at st. mary's hospital now", "Ines").properties == {
        "title": "data analyst",
        "employer": "St. Mary's",
    }
    assert claim("im a mess at lunch", "Ines").properties == {}


def test_an_amount_said_without_its_name_is_the_money_its_turn_names() -> None:
    def claims(text: str) -> list[dict[str, str]]:
        return [c.metadata["claims"] for c in extracted(text, "Carlos") if "claims" in c.metadata]

    assert {"money:rent": "1620"} in claims("lease renewed 🙃 they bumped it to $1,620. cool cool cool")
    assert {"money:salary": "112000"} in claims("raise came through!! 112k starting this month")
    assert claims("ran 10k today, legs are dead") == []


def test_an_abbreviation_does_not_end_a_clause_and_a_typo_is_corrected() -> None:
    from remem.write.rules import clauses
    from remem.write.rules_reconcile import corrected

    assert clauses("i work at st. mary's now. anyway, can you help?") == [
        "i work at st. mary's now.",
        "anyway, can you help?",
    ]
    assert clauses("it's on the forms. anyway can you help?") == ["it's on the forms.", "anyway can you help?"]
    assert (
        corrected("Felix: just started a new job at spotify", None, "shopify")
        == "Felix: just started a new job at shopify"
    )
    assert corrected("Meera: my birthday is june 14", None, "july 14") == "Meera: my birthday is july 14"
    assert corrected("we went hiking in the woods", None, "walking") is None


def test_a_terse_introduction_names_the_job_and_a_hobby_is_a_preference_that_changes() -> None:
    from remem.write.claims import claim

    assert claim("raj, accountant.", "Raj").properties == {"title": "accountant"}
    assert claim("remote backend dev.", "Raj").properties == {"title": "remote backend dev"}
    assert claim("eng manager at hsbc, team of 4.", "Wei").properties["employer"] == "Hsbc"
    assert claim("photography is my new hobby", "Raj").properties == {"hobby": "photography"}
    assert claim("good night.", "Raj").properties == {}
    assert claim("student loans suck.", "Raj").properties == {}


def test_a_home_named_by_its_rooms_is_a_residence() -> None:
    from remem.write.claims import claim

    assert claim("grace, 1-bed in brixton, rent £1,150/mo.", "Grace").properties == {
        "residence": "Brixton",
        "money:rent": "1150",
    }
    assert claim("studio in shoreditch now", "Grace").properties == {"residence": "Shoreditch"}


def test_hobbies_team_sizes_birth_years_and_allergies_said_tersely() -> None:
    from remem.write.claims import claim

    dropped = claim("dropped chess, into film photography now.", "Raj")
    assert dropped.properties == {"hobby": "film photography"} and dropped.ends == "chess"
    assert claim("team's 9 now, hiring spree.", "Wei").properties == {"count:people": "9"}
    assert claim("reorg, down to 5 reports.", "Wei").properties == {"count:people": "5"}
    assert claim("My birth year is 1986.", "Fatima").properties == {"birth_year": "1986"}
    assert "pregnancy" not in claim("I was born in 1988", "Fatima").properties
    assert claim("it's tree nuts i'm allergic to, not peanuts", "Sam").properties == {"allergy:tree nut": "tree nut"}


def test_amounts_as_the_world_writes_them() -> None:
    def claims(text: str) -> dict[str, str]:
        [fact] = extracted(text, "Ngozi")
        return dict(fact.metadata["claims"])

    assert claims("I'm making 18 million VND a month, rent is 5 million") == {
        "money:salary": "18000000",
        "money:rent": "5000000",
    }
    assert claims("Net income is 2.850 € per month, car loan still 14.200 € left") == {
        "money:salary": "2850",
        "money:loan": "14200",
    }
    assert claims("got my raise: 25 triệu per month now (25m VND)") == {"money:salary": "25000000"}
    assert claims("loan down to 6450 euros") == {"money:loan": "6450"}  # an amount, not a count of euros
    [rent] = extracted("Rent went up, 2,900 zł from this month", "Marek")
    assert rent.metadata["subject"] == "marek" and rent.metadata["claims"] == {"money:rent": "2900"}  # no age 2
    # A currency's code before the number: an amount, not a count of whatever follows it.
    assert claims("the mortgage is SEK 9,800 a month and we spend about SEK 700 on electricity") == {
        "money:mortgage": "9800",
        "money:amount": "700",
    }
    assert claims("my salary is KES 85,000 a month") == {"money:salary": "85000"}


def test_claims_said_the_way_people_say_them() -> None:
    def claims(text: str, name: str = "Nikolai") -> dict[str, str]:
        return {k: v for c in extracted(text, name) for k, v in c.metadata.get("claims", {}).items()}

    assert claims("I work nights as bus driver in Tallinn.") == {"title": "bus driver", "residence": "Tallinn"}
    # Where someone works, said by the day they start or by the job's name before it.
    assert claims("first shift at quickmart tmrw, wish me luck") == {"employer": "Quickmart"}
    assert claims("Two months into the new job over at Wise and I love it") == {"employer": "Wise"}
    assert claims("I'm a junior pharmacist on the oncology ward at St Luke's") == {
        "title": "junior pharmacist",
        "employer": "St Luke's",
    }
    assert claims("three weeks without cigarettes!") == {"smoking": "no"}
    assert claims("still not smoking, the patches helped")["smoking"] == "no"
    assert claims("our first anniversary as husband and wife is in May")["relationship"] == "married"
    assert claims("I got into law school at McGill!!")["title"] == "law school"
    [ended] = [c for c in extracted("I've given up the swimming, my shoulder can't take it.") if c.metadata.get("ends")]
    assert ended.metadata["ends"] == "swimming"


def test_where_someone_lives_said_in_passing() -> None:
    def claims(text: str, name: str = "Rosa") -> dict[str, str]:
        return {k: v for c in extracted(text, name) for k, v in c.metadata.get("claims", {}).items()}

    assert claims("I'm 41, working as a night nurse in Doha.")["residence"] == "Doha"
    assert claims("I'm a pharmacist in Cardiff")["residence"] == "Cardiff"
    assert claims("My dad is 80 and still in Porto.")["residence"] == "Porto"
    assert claims("My dad moved in with my sister Ana in Braga.")["residence"] == "Braga"
    assert claims("I'm still in Pune, working at Infosys.", "Rahul")["residence"] == "Pune"
    assert claims("birthday today, 40!")["age"] == "40"
    assert "residence" not in claims("I'm a teacher in Year 6 at a small school")
    assert claims("I work as a data analyst at Access Bank here in Lagos.")["residence"] == "Lagos"
    assert claims("I'm an engineer at Bosch in Stuttgart")["residence"] == "Stuttgart"
    assert "residence" not in claims("we had dinner at Nandos in Leeds")


def test_a_list_is_one_statement_not_numbered_fragments() -> None:
    facts = said(
        "stuff I need for the new flat in Lyon:\n1. kettle\n2. blackout curtains\n3. a desk\nany tips?", "Kenji"
    )
    assert len(facts) == 1 and "kettle, blackout curtains, a desk" in facts[0]
    assert not any(re.search(r"\b\d\.$", f) for f in facts)


def test_everyday_changes_said_plainly_set_their_properties() -> None:
    def claims(text: str, name: str = "Ama") -> dict[str, str]:
        return {k: v for c in extracted(text, name) for k, v in c.metadata.get("claims", {}).items()}

    assert claims("my girlfriend Efua and I finally moved in together") == {
        "partner": "Efua",
        "relationship": "dating",
        "girlfriend": "Efua",
    }  # "together" is no town, and calling her a girlfriend says they are dating
    assert claims("my wife Adjoa and I are looking at schools")["relationship"] == "married"
    assert claims("my fiancée Adjoa and I are looking at venues")["relationship"] == "engaged"
    assert claims("we just got a fourth dog, a rescue") == {"count:dog": "4"}
    assert claims("our mortgage is 950 a month") == {"money:mortgage": "950"}
    assert claims("they put my rent up to 1475 from June") == {"money:rent": "1475"}
    assert claims("my rent for 2024 is sorted") == {}  # a year is no amount
    assert claims("traded in the Golf, got a second-hand Toyota Yaris") == {"car": "Toyota Yaris"}
    assert claims("six weeks smoke free and counting") == {"smoking": "no"}
    assert claims("I'm on oat lattes now, no more black coffee") == {"drink": "oat latte"}


def test_body_medicine_language_team_and_family_news_are_properties() -> None:
    def claims(text: str, name: str = "Femi") -> dict[str, str]:
        return {k: v for c in extracted(text, name) for k, v in c.metadata.get("claims", {}).items()}

    assert claims("I weigh about 91kg at the moment") == {"weight": "91 kg"}
    assert claims("my GP put my metformin up to 1000mg") == {"dose:metformin": "1000 mg"}
    assert claims("from now on please answer in Portuguese") == {"reply_language": "Portuguese"}
    assert claims("I can't write in French, sorry") == {}
    assert claims("lifelong Arsenal supporter here") == {"favourite:team": "Arsenal"}
    assert claims("I make 12 lakh a year") == {"money:salary": "1200000"}
    assert claims("I'm still living with my in-laws in Ibadan") == {"residence": "Ibadan"}
    assert claims("my cousin Tayo has a boyfriend now")["relationship"] == "dating"
    assert claims("we're expecting our second baby in March") == {"pregnancy": "pregnant"}
    [here] = extracted("he's here!! Tobi was born at 3am", "Femi")
    assert here.metadata["subject"] == "femi" and here.metadata["claims"] == {"pregnancy": "had the baby"}
    [boss] = extracted("new manager started on Monday, her name is Ngozi", "Femi")
    assert boss.metadata["subject"] == "femi" and boss.metadata["claims"] == {"manager": "Ngozi"}
    [born] = extracted("our fourth, Zara, was born on Friday", "Femi")
    assert born.metadata["subject"] == "femi" and born.metadata["claims"] == {
        "pregnancy": "had the baby",
        "count:kid": "4",
    }


def test_a_forget_request_said_indirectly_names_what_to_forget() -> None:
    """Requests that do not say "forget": getting rid of it, no need to remember it, taking it back,
    a topic said first and then "delete it"; and everyday sentences with the same verbs that ask nothing."""
    from remem.write.rules import forget_referent, forget_request

    def asked(text: str, before: str | None = None) -> str | None:
        return forget_request(text) or forget_referent(text, before)

    assert asked("could you get rid of what I wrote about my overdraft") == "my overdraft"
    assert asked("you don't need to remember my gate code anymore") == "my gate code"
    assert asked("on second thought, don't save my sister's number") == "my sister's number"
    assert asked("the bit about my uncle's trial - delete it") == "my uncle's trial"
    assert asked("i take back what i said about my flatmate, pls forget it") == "my flatmate"
    assert asked("Hmm, I shouldn't have told you about Dario's debts. Forget that please.") == "Dario's debts"
    assert asked("kindly erase the details I provided regarding my tribunal") == "my tribunal"
    for plain in (
        "we need to get rid of the old sofa before the move",
        "I always lose my keys on Mondays",
        "you don't need to remember to call me, I'll ring you",
        "let's pretend we're in Lisbon and plan a day",
        "so my flatmate and I scrapped the trip, and we're staying in",
    ):
        assert asked(plain, "My flatmate Dario owes me money.") is None, plain


def test_an_amount_said_as_base_or_take_home_is_pay() -> None:
    """ "S$105k base" and "take-home is 3,100 a month" name the pay without the word salary, so the next
    pay closes them as a raise would."""
    for text, value in (("Joined Shopee as a PM, S$105k base.", "105000"), ("my take-home is £3,100 a month", "3100")):
        claims = [c.metadata.get("claims") or {} for c in extracted(text, "Wen")]
        assert any(found.get("money:salary") == value for found in claims), (text, claims)


def test_a_new_title_home_car_or_laptop_said_in_passing_sets_its_property() -> None:
    """The everyday ways of saying what someone now is, where they live, what they drive and work on."""

    def claims(text: str) -> dict[str, str]:
        return {k: v for c in extracted(text, "Wen") for k, v in (c.metadata.get("claims") or {}).items()}

    assert claims("the board named me finance director last week").get("title") == "finance director"
    assert claims("I start on Monday as a staff nurse on the renal ward").get("title") == "staff nurse"
    assert claims("finally signed the lease on a two-bed in Fairfield").get("residence") == "Fairfield"
    assert claims("we just picked up a used MG5 for the school run").get("car") == "MG5"
    assert claims("I'm on a refurbished MacBook Air now, the old Dell died").get("laptop") == "MacBook Air"
    assert "laptop" not in claims("I left my laptop on the train")


def test_a_move_said_with_now_or_back_home_names_the_new_home() -> None:
    """In a turn that says a move, a place said with "now" is the speaker's new home; "back home in X"
    is a home too; going freelance is working for oneself."""

    def claims(text: str) -> tuple[dict[str, str], set[str]]:
        found = extracted(text, "Wen")
        props = {k: v for c in found for k, v in (c.metadata.get("claims") or {}).items()}
        return props, {str(c.metadata.get("subject")) for c in found}

    props, subjects = claims("we moved at last! Headingley now, a shared house with two others")
    assert props.get("residence") == "Headingley" and subjects == {"wen"}
    assert claims("back home in Cork since March, the travelling is done")[0].get("residence") == "Cork"
    assert claims("so I went back to doing my own thing, two clients lined up")[0].get("employer") == "own business"
    assert "residence" not in claims("honestly, going back to doing nothing all weekend")[0]


def test_pronouns_a_new_favourite_and_a_wedding_still_to_come() -> None:
    """ "he/they" is a property that changes; "my new favourite show and it's X" names the favourite;
    "we're getting married in May" is engaged, not married, and "my partner Jo and I are" stays plural."""

    def claims(text: str) -> dict[str, str]:
        return {k: v for c in extracted(text, "Wen") for k, v in (c.metadata.get("claims") or {}).items()}

    assert claims("quick note, I go by he/they these days")["pronouns"] == "he/they"
    assert claims("I have a new favourite podcast and it's Conan's")["favourite:podcast"].startswith("Conan")
    assert claims("Jo and I are getting married in May!")["relationship"] == "engaged"
    assert claims("we got married last weekend")["relationship"] == "married"
    assert "Jo Rees and Wen are moving" in said("My partner Jo Rees and I are moving to Cork", "Wen")[0]


def _claims_of(text: str, name: str) -> list[dict[str, object]]:
    return [dict(c.metadata.get("claims") or {}) for c in extracted(text, name)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola, soy yo. I'm Lucía, 52, from Zaragoza. My knees hurt on the stairs.", {"age": "52"}),
        ("Lucía here, 37, from Bilbao, trying to learn to swim", {"age": "37"}),
        ("Hi, I'm Lucía, a midwife in Valencia.", {"title": "midwife", "residence": "Valencia"}),
        ("I'm Lucía, a 41-year-old teacher from Cádiz.", {"age": "41"}),
        ("I'm Lucía, manual tester at Cabify in Madrid. Any tips for Cypress?",
         {"title": "manual tester", "employer": "Cabify", "residence": "Madrid"}),
        ("I'm Lucía, copywriter at a small agency in Sevilla.",
         {"title": "copywriter", "employer": "a small agency", "residence": "Sevilla"}),
        ("Buenas! Lucía, UX designer at Glovo, hoping to switch to product.",
         {"title": "UX designer", "employer": "Glovo"}),
        ("I'm an IT consultant for Indra.", {"title": "IT consultant", "employer": "Indra"}),
    ],
)  # fmt: skip
def test_what_follows_the_speakers_introduction_is_said_of_the_speaker(text: str, expected: dict[str, str]) -> None:
    assert any(claims.items() >= expected.items() for claims in _claims_of(text, "Lucía")), _claims_of(text, "Lucía")


def test_a_number_before_a_comma_counts_nothing_and_a_title_stops_at_from() -> None:
    assert _claims_of("Lucía here, 37, from Bilbao.", "Lucía") == [{"age": "37", "hometown": "Bilbao"}]  # no "Bilbaos"
    assert {"title": "pharmacist"}.items() <= _claims_of("I'm a pharmacist from Lugo.", "Lucía")[0].items()


def test_a_job_in_one_city_is_not_the_home_when_the_turn_says_where_home_is() -> None:
    text = "Hello! Lucía, analyst at a bank in Madrid. I live in Alcalá and take the train in every day."
    homes = [claims.get("residence") for claims in _claims_of(text, "Lucía")]
    assert homes.count("Alcalá") == 1 and "Madrid" not in homes


@pytest.mark.parametrize(
    ("text", "town"),
    [("Salut! I'm Lucía, from Logroño. Any tips for a week in Oslo?", "Logroño"),
     ("Hi, I'm Lucía from Vigo, please answer me in English.", "Vigo"),
     ("I'm originally from Cádiz but I live in Leeds now.", "Cádiz"),
     ("I'm 33, from Huesca.", "Huesca")],
)  # fmt: skip
def test_where_the_speaker_is_from_is_kept_apart_from_where_they_live(text: str, town: str) -> None:
    claims = _claims_of(text, "Lucía")
    assert any(c.get("hometown") == town for c in claims), claims
    assert all(c.get("residence") != town for c in claims)


@pytest.mark.parametrize(
    ("text", "home"),
    [("Mum moved over to Halifax to be near my sister.", "Halifax"),
     ("We moved out to Galway in the spring.", "Galway"),
     ("I moved in with my girlfriend Ana last month, in Braga.", "Braga")],
)  # fmt: skip
def test_a_move_over_out_or_in_with_someone_names_the_new_home(text: str, home: str) -> None:
    assert any(c.get("residence") == home for c in _claims_of(text, "Lucía")), _claims_of(text, "Lucía")


@pytest.mark.parametrize(
    ("text", "size"),
    [("Team grew to 11.", "11"), ("Got a bonus. Team down to 4 after the reorg.", "4"),
     ("my team went up to 14", "14")],
)  # fmt: skip
def test_a_team_that_grew_or_shrank_to_a_size_says_how_many_people(text: str, size: str) -> None:
    assert any(c.get("count:people") == size for c in _claims_of(text, "Lucía")), _claims_of(text, "Lucía")


def test_an_amount_carried_away_takes_its_currency_with_it() -> None:
    from remem.write.pipeline import _without

    assert _without("Lucía, editor at Anaya, team of 6, salary 42,000 euros.", ["42,000"]) == (
        "Lucía, editor at Anaya, team of 6."
    )


def test_a_clause_of_the_speakers_own_after_a_comma_in_lower_case() -> None:
    """Typed in lower case, ", i live in ..." is a clause of its own, as ", I live in ..." is."""
    assert clauses("i take home 9200 a month, rent is 2800, i live in Recife with my husband Caio") == [
        "i take home 9200 a month, rent is 2800",
        "i live in Recife with my husband Caio",
    ]


def test_a_city_that_starts_like_a_month_is_no_new_date() -> None:
    """ "moved to Augsburg" is a move, "moved to march" a plan moved: a month is a whole word."""
    assert not claim("we moved to Augsburg last week", "Lukas").reschedule
    assert not claim("moved to Marseille for work", "Lukas").reschedule
    assert claim("the trip moved to march", "Lukas").reschedule


def test_a_pronoun_is_no_workplace() -> None:
    """ "when you draft work emails for me" names no employer: "me" is no workplace."""
    assert "employer" not in claim("when you draft work emails for me, sign them Dr. Ada Okafor", "Ada").properties
    assert claim("i work for Siemens", "Ada").properties.get("employer") == "Siemens"


def test_a_diet_left_for_another_is_the_other_and_both_is_no_workplace() -> None:
    """ "not vegan anymore ... vegetarian now" says the diet now; "recipes need to work for both" names no
    employer."""
    assert claim("i'm not vegan anymore, went back to dairy. vegetarian now", "Mele").properties["diet"] == "vegetarian"
    assert claim("I'm not vegetarian anymore", "Mele").properties["diet"] == "ex-vegetarian"
    assert "employer" not in claim("i'm vegan but he's not so recipes need to work for both", "Mele").properties


def test_a_parent_of_two_is_no_job_title() -> None:
    """ "I'm a mum of two" counts children; it is no title ("both" after it is no title either)."""
    said = claim("I'm a mum of two, both at the same nursery", "Ama").properties
    assert "title" not in said and said["count:kid"] == "2"
