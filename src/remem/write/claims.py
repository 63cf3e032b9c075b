"""What a statement claims: whose fact it is, which property it sets, and to which value.

The offline reconciler compares claims instead of texts: the same subject and property with the
same value is a restatement, with another value a change, and an ending ("we sold the car",
"Sam and I called it quits") closes what it ends. Properties are found from the shape of the
statement ("my <noun> is <value>", "<number> <noun>", "favourite <noun>", "<title> at <Org>")
and from a few frames for the properties people mention most (where they live, where they
work, their role, partner, diet); values are compared with numbers, dates and names normalised.
Everything here is a pure function of the text and who said it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from remem.write.dates import MONTH_WORD, MONTHS, WEEKDAYS

# A name's words: a hyphen inside a word never comes before a capital, which only the separator reads
# ("Jean-Luc" is two words). With one character class for both, "A-B-C-...-V x" could split into words
# in exponentially many ways, and one clause of it stalled the write path for seconds to minutes.
_NAME_WORD = r"[A-Z][\w'&.]*(?:-(?![A-Z])[\w'&.]*)*"
_NAME = rf"{_NAME_WORD}(?:[ -](?:de |of |the |la |van |von )?{_NAME_WORD})*"
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12, "a couple of": 2, "a couple": 2,
}  # fmt: skip
_NUM = r"(?:\d(?:[\d,.]*\d)?k?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
RELATIONS = (
    "sister|brother|mum|mom|mother|dad|father|wife|husband|partner|boyfriend|girlfriend|fianc[eé]e?|son|daughter|"
    "best friend|friend|manager|boss|roommate|flatmate|colleague|cousin|aunt|uncle|grandmother|grandma|grandad|"
    "grandfather|grandpa|niece|nephew|neighbou?r|ex|kids?|child|baby|dog|cat|puppy|kitten|mate|buddy|pal|bestie|"
    "co-?worker|workmate|classmate|housemate|teammate"
)
# One word for each parent, however a speaker says it: "my father Hiroshi", then "Dad finally sold the bookshop".
_KIN_WORDS = {"dad": "father", "daddy": "father", "papa": "father", "pa": "father", "mum": "mother", "mom": "mother",
              "mummy": "mother", "mommy": "mother", "mama": "mother", "ma": "mother"}  # fmt: skip


def kin(word: str) -> str:
    """A relation word, lower case, a parent's by one name: "Dad" is "father", "mum" is "mother"."""
    return _KIN_WORDS.get(word.lower(), word.lower())


PARTNERS = ("wife", "husband", "partner", "boyfriend", "girlfriend", "fiance", "fiancé", "fiancee", "fiancée")
# What calling someone "my boyfriend" or "my wife" says of the two of them ("partner" says nothing).
# "Seeing someone new: Mikkel" says dating too.
_PARTNER_STATUS = {"boyfriend": "dating", "girlfriend": "dating", "bf": "dating", "gf": "dating",
                   "fianc": "engaged", "husband": "married", "wife": "married", "hubby": "married",
                   "someone": "dating", "somebody": "dating"}  # fmt: skip
# Words that may start a clause capitalised without naming anyone.
_NOT_NAMES = frozenset(
    [
        "Doing",  # "going back to doing my own thing": a verb the clause's capital reached, not a place
        "Going",
        "Nothing",
        "Something",
        "I",
        "The",
        "A",
        "An",
        "My",
        "Our",
        "We",
        "It",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Here",
        "So",
        "And",
        "But",
        "Also",
        "Plus",
        "Anyway",
        "Update",
        "News",
        "Big",
        "Quick",
        "Oh",
        "Ok",
        "Okay",
        "Yes",
        "No",
        "Yeah",
        "Hey",
        "Hi",
        "Hello",
        "Sorry",
        "Thanks",
        "Just",
        "Still",
        "Now",
        "Then",
        "Well",
        "Got",
        "Finally",
        "Today",
        "Tomorrow",
        "Yesterday",
        "Last",
        "Next",
        "First",
        "New",
        "Good",
        "Bad",
        "Random",
        "Fyi",
        "Btw",
        "Lol",
        "Wait",
        "Meanwhile",
        "Guess",
        "Mum",
        "Dad",
        "Mom",
    ]
)
_PERSON_VERBS = (
    r"(?:is|'s|was|has|had|have|left|found|retired|said|says|moved|moving|got|gets|keeps|started|starts|joined|"
    r"works|worked|lives|lived|eats|loves|hates|thinks|wants|went|goes|quit|turned|passed|died|gave|became|did|"
    r"does|just|finally|also|still|now|took|takes|landed|graduated|accepted|off|switched|plays|changed|been|"
    r"and [A-Z]\w+ (?:are|have))"
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'll|I'd|me|my|mine|myself|we|we're|we've|our|us|im|ive)\b", re.I)

# Cues that a statement reports a change, a continuation, an ending or a correction.
STILL = re.compile(r"\b(?:still|as always|remember|reminder|you know|again|like I said|as I said)\b", re.I)
# Said again in full, whatever the words ("As I mentioned before, I'm a developer at the BBC"): unlike
# "still at Zalando, just got moved to logistics", nothing in it is news.
SAID_BEFORE = re.compile(
    r"\b(?:as|like)\s+[\w']+\s+(?:mentioned|said|told you)\b|\bas mentioned\b|\b(?:just a )?reminder\b|"
    r"\bas you know\b|\bsame as (?:always|before)\b",
    re.I,
)
NOW = re.compile(r"\b(?:now|these days|nowadays|anymore|any more|no longer|new|just)\b", re.I)
ENDING = re.compile(
    r"\b(?:(?:we|I|they|she|he)\s+)?(?P<verb>sold|lost|left|quit|gave up|given up|giving up|dropped|got rid of|"
    r"ditched|packed in|turned down|declined|graduated from|(?:home|discharged|out) from(?= (?:the )?hospital)|"
    r"deleted|pull(?:ed|ing)? out of|drop(?:ped|ping)? out of|withdr[ae]w from|withdrawing from|"
    r"cancel+ed|"
    r"called it quits|broke up|split up|moved out of|put down|no longer (?:have|own|eat|drink|smoke|do|work)|"
    r"(?:are|'re|were)\s+(?:not|no longer)\s+together(?:\s+any ?more)?|"  # "mateo and i are not together anymore"
    r"last day at|"  # "Last day at Kestrel was Friday!!"
    r"(?:do not|don't|dont) (?:eat|drink|smoke|have|own) \w+ any ?more|stopped)\b\s*(?:with\s+|from\s+|at\s+)?"
    r"(?P<object>(?:the|my|our|a|an|his|her)?\s*[\w'-]+(?:\s+[A-Z][\w'-]+)*)?",
    re.I,
)
# The same endings with the object inside: "turned the PhD down", "called the wedding off".
_SPLIT_ENDING = re.compile(
    r"\b(?P<verb>turned|turn|turning|called|call|calling)\s+(?P<object>(?:the|my|our|that|this|his|her)\s+[\w'-]+)"
    r"\s+(?:down|off)\b",
    re.I,
)
# "I've cut coffee out completely", "cut out sugar": what is given up
_CUT_OUT = re.compile(r"\b(?:cut|cutting)\s+(?:out\s+(?P<a>[\w'-]+)|(?P<b>[\w'-]+)\s+out)\b", re.I)
RESCHEDULE = re.compile(
    r"\b(?:pushed|postponed|postpone|postponing|rescheduled|reschedule|rescheduling|rebooked|slipped|delayed|"
    r"brought forward|push(?:ed|ing)? (?:[\w']+ ){0,3}back|(?:is|'s) (?:moving|shifting)\s*[.!]*$|"
    r"new date|(?:is|are|'s) off\b(?!\s+(?:to|for|on)\b)|cancel+ed|called off|instead|not happening|"
    rf"moved (?:back |forward )?to (?:{MONTH_WORD}|next|the \w+ of|(?:the )?\d|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?))",
    re.I,
)
CORRECTION = re.compile(
    r"\b(?:sorry|oops|typo|autocorrect|i meant|correction|misspoke|my bad|wait|actually|not the|not \w+day|"
    r"(?:wrote|got|said|typed|put) (?:it|that) wrong|told you (?:the )?wrong|mistyped|misremembered|my mistake|"
    r"I was wrong|had it wrong)\b",
    re.I,
)
# "actually" and "wait" correct something only with what they replace: "actually it's Tuesday, not Monday".
_WEAK_CORRECTION = frozenset(["wait", "actually"])
_MEANT = re.compile(r"\b(?:I meant|it'?s|it was|make that|should be|actually)\s+(?P<new>[^,.!?;]+)", re.I)
_NOT = re.compile(
    r"\bnot\s+(?:the\s+|on\s+)?(?P<old>[\w'-]+(?:\s+\d+\w*)?)|"
    # "it's actually tree nuts, peanuts are fine": what was said before, now cleared
    r",\s*(?P<cleared>[\w'-]+)\s+(?:are|is)\s+(?:fine|ok|okay|safe|no problem)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(?:leaning towards|thinking (?:about|of)|might|maybe|considering|tempted|not sure|if I|wondering|"
    r"could be|want to go|would love to|'d love to|hopefully|hoping to|we should)\b",
    re.I,
)

_UNITS = frozenset(
    [
        "year",
        "years",
        "yr",
        "yrs",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "hour",
        "hours",
        "minute",
        "minutes",
        "min",
        "mins",
        "am",
        "pm",
        "km",
        "k",
        "kg",
        "g",
        "mg",
        "ml",
        "times",
        "x",
        "percent",
        "am",
        "a.m.",
        "p.m.",
        "o'clock",
        "th",
        "st",
        "nd",
        "rd",
        "ago",
    ]
)


@dataclass(frozen=True)
class Claim:
    """Whose fact, and the properties it sets: {"residence": "lisbon", "count:cat": "3"}."""

    subject: str  # a lowercased key: the speaker's name, "<speaker>'s sister", or a third party's name
    properties: dict[str, str] = field(default_factory=dict)
    still: bool = False  # "still in Lisbon": says again what is known
    ends: str | None = None  # what an ending ends ("car", "rufus", "partner")
    reschedule: bool = False  # "pushed to October": a plan's date moves
    correction: tuple[str | None, str] | None = None  # (what was wrong or None, what is right)
    aka: str | None = None  # the subject's other key: "dana" for "my best friend Dana" ("bex's best friend")
    pet: str | None = None  # the pet a breed is said of, by name: "rufus" for "he's a beagle" after "my dog Rufus"


_WORKPLACES = (
    r"(?:agency|company|startup|start-up|firm|bank|school|hospital|studio|shop|restaurant|cafe|café|bakery|brewery|"
    r"consultancy|charity|university|uni|lab|clinic|hotel|factory|warehouse|store|depot|office|practice|garage|"
    r"nonprofit|non-profit|newspaper|publisher|council|ministry|airline|pharmacy|salon|library|museum|bookshop|"
    r"bookstore|call cent(?:re|er)|supermarket|pub|bar|gym|nursery|daycare|kindergarten|care home|college|academy|"
    r"institute|polytechnic)"
)


_CAR_MAKES = (
    r"toyota|honda|tesla|ford|bmw|audi|vw|volkswagen|mercedes(?:-benz)?|kia|hyundai|nissan|mazda|subaru|volvo|"
    r"peugeot|renault|fiat|skoda|seat|mini|jeep|chevy|chevrolet|lexus|porsche|polestar|byd|suzuki|dacia|citro[eë]n|"
    r"opel|vauxhall|mitsubishi|land rover|range rover|jaguar|alfa romeo|cupra|tata|mahindra|proton|perodua|mg|"
    r"rivian|lucid|genesis|ssangyong|smart|chery|geely|nio|xpeng|maruti"
)
# Days, months and holidays: never a workplace or a home ("what toys for Christmas?").
_CALENDAR = frozenset(
    [*(m[:3] for m in MONTHS), *WEEKDAYS, "christma", "xma", "easter", "eid", "diwali", "ramadan", "hanukkah",
     "thanksgiving", "halloween", "passover", "newyear", "nowruz", "vesak"]
)  # fmt: skip


# "is"/"'s" says what a person is only after a person: not "it's a great pic", "that's a journey".
_NOT_A_PERSON = r"(?<![Ii]t)(?<![Tt]hat)(?<![Tt]his)(?<![Tt]here)(?<![Ww]hat)(?<![Hh]ere)(?<![Ww]ho)(?<![Ww]hich)"
# "Dev's a junior doctor", "she is a nurse": a name or he/she, then is.
# A name by its capital even inside a pattern searched with re.I ("the sea is a ten-minute walk away" is
# no one's job), or a relation ("my mum's a teacher").
_PERSON_IS = (
    rf"\b(?:(?-i:[A-Z][\w-]+|[Hh]e|[Ss]he)|(?i:{RELATIONS}))"
    r"(?<![Ii]t)(?<![Tt]hat)(?<![Tt]his)(?<![Tt]here)(?<![Ww]hat)(?<![Hh]ere)(?<![Ww]ho)(?<![Ww]here)(?<![Ww]hich)(?<![Ee]veryone)(?<![Ll]ife)(?:'s|\s+is)"
)
# "joining Flutterwave as a senior engineer": "as a" names a role only after a word of work.
# "work as a", "earn £42,000 a year as a": what follows is a job (a number's own comma is not a clause's).
_AS_A_JOB = (
    r"\b(?:work(?:s|ed|ing)?|join(?:s|ed|ing)?|start(?:s|ed|ing)?|hired|employed|promoted|earn(?:s|ed|ing)?)\b"
    r"(?:[^,.;!?]|(?<=\d)[,.](?=\d)){0,40}?\bas"
)


# Pets: the breed of the speaker's dog or cat, and its name. A breed is a claim of its own
# ("breed:dog"), so a new dog's breed closes the old dog's, as a new home closes the old one. Words
# that are breeds only beside a pet ("a boxer dog", "a lab puppy") count only there; the rest count
# after an article or a possessive ("we adopted a retired racing greyhound", "our whippet puppy",
# "he's a beagle"), never in a hedge ("leaning towards a collie") or about a second animal.
_DOG_BREEDS = (
    r"labrador|golden retriever|german shepherd|border collie|collie|sheepdog|sheltie|greyhound|whippet|lurcher|"
    r"beagle|basset(?: hound)?|bloodhound|dachshund|sausage dog|corgi|husky|malamute|samoyed|akita|shiba(?: inu)?|"
    r"poodle|labradoodle|goldendoodle|cockapoo|cockerpoo|cavapoo|cavachon|maltipoo|spaniel|cavalier|"
    r"king charles|terrier|jack russell|yorkie|westie|staffie|staffy|pit ?bull|bulldog|frenchie|dalmatian|"
    r"doberman|rottweiler|great dane|mastiff|bernese|newfoundland|st\.? bernard|saint bernard|chihuahua|"
    r"pomeranian|maltese|shih tzu|bichon(?: frise)?|havanese|papillon|schnauzer|weimaraner|vizsla|ridgeback|"
    r"basenji|saluki|kelpie|australian shepherd|cattle dog|pug"
)
_CAT_BREEDS = (
    r"tabby|maine coon|ragdoll|sphynx|british shorthair|russian blue|abyssinian|scottish fold|"
    r"norwegian forest cat|tortoiseshell|tortie"
)
# Breeds, and coats, that are other words too: a breed only with the animal after it.
_AMBIGUOUS_BREEDS = (
    r"lab|boxer|pointer|setter|shepherd|springer|cocker|retriever|aussie|heeler|mutt|mongrel|rescue|persian|"
    r"bengal|burmese|siamese|birman|calico|tuxedo|ginger|black|white|grey|gray|tabby"
)
_PET_NOUNS = {"dog": "dog", "dogs": "dog", "puppy": "dog", "pup": "dog", "cat": "cat", "cats": "cat",
              "kitten": "cat", "kitty": "cat"}  # fmt: skip
# Pets of other kinds, each its own species: "GOT A LEOPARD GECKO!!! her name is noodle". Not "fish" or
# "chicken", which are as often dinner.
_SMALL_PETS = ("hamster", "rabbit", "bunny", "guinea pig", "gecko", "parrot", "budgie", "tortoise", "ferret",
               "lizard", "bearded dragon", "snake", "cockatiel", "chinchilla", "gerbil")  # fmt: skip
_PET_NOUNS.update({pet: "rabbit" if pet == "bunny" else pet for pet in _SMALL_PETS})
PET_SPECIES = {"dog": "dog", "puppy": "dog", "cat": "cat", "kitten": "cat"}  # a relation's species
_PET = r"(?:dog|puppy|pup|cat|kitten|kitty|" + "|".join(_SMALL_PETS) + ")"
_PET_ADJECTIVES = r"(?:(?![Ii]\b)[a-z-]+,?\s+){0,3}?"  # "retired racing", "little", "10-week-old"
_BREED_FRAMES = re.compile(
    rf"\b(?:(?:adopted|rescued|got|getting|bought|brought home|picked up|welcomed|have|has|own|owns)\s+"
    rf"(?:a|an|our|my|the|this)|(?:my|our)|(?:he|she|it)(?:'s|\s+is)\s+(?:a|an)|"
    rf"(?:my|our)\s+{_PET}(?:\s+[A-Z][\w-]+)?(?:'s|\s+is)\s+(?:a|an))\s+{_PET_ADJECTIVES}"
    rf"(?:(?P<breed>{_DOG_BREEDS}|{_CAT_BREEDS})\b(?:\s+(?P<noun>{_PET})\b)?|"
    rf"(?P<ambiguous>{_AMBIGUOUS_BREEDS})\s+(?P<anoun>{_PET})\b)",
    re.I,
)
_ANOTHER = re.compile(r"\b(?:another|second|third|fourth|other|too|also|as well|both)\b", re.I)
_SWITCHED = re.compile(
    r"\b(?:switched|switching|switch|swapped|swapping|changed|changing|went|gone)\s+from\s+(?P<old>[\w'-]+(?:\s+[\w'-]+)?)"
    r"\s+(?:to|for)\s+\w|"
    r"\b(?:swapped|traded|ditched|replaced)\s+(?P<old2>(?:the\s+|my\s+)?[\w'-]+(?:\s+[\w'-]+)?)\s+(?:for|with)\s+\w",
    re.I,
)
_INSTRUMENTS = (
    r"violin|viola|cello|double bass|piano|keyboard|guitar|bass guitar|ukulele|drums|drum kit|flute|clarinet|"
    r"saxophone|sax|trumpet|trombone|harp|oboe|accordion|harmonica|banjo|mandolin"
)
_SPORTS = (
    r"football|soccer|rugby|cricket|tennis|badminton|squash|basketball|netball|volleyball|hockey|baseball|golf|"
    r"swimming|running|cycling|climbing|bouldering|rowing|yoga|pilates|crossfit|boxing|judo|karate|jiu-jitsu|"
    r"aqua aerobics|aerobics|ballet|padel|five-a-side|5-a-side|skiing|surfing|hiking|athletics|gymnastics|zumba"
)
_PLAYED = re.compile(
    rf"\b(?:play|plays|playing|learn|learning|started|taking|took up|taken up)\s+(?:the\s+)?(?P<v>{_INSTRUMENTS})\b|"
    rf"\b(?P<w>{_INSTRUMENTS})\s+(?:lessons|classes|practice)\b",
    re.I,
)
_SPORT = re.compile(
    rf"\bfrom\s+(?:{_SPORTS})\s+to\s+(?P<x>{_SPORTS})\b|"
    rf"\b(?:play|plays|playing|does|do|doing|started|took up|taken up|go|goes|going|into|switched to|moved to|"
    rf"changed to)\s+(?P<v>{_SPORTS})\b|"
    rf"\b(?P<w>{_SPORTS})\s+(?:lessons|classes|training|practice|club|team|sessions)\b",
    re.I,
)
_DIED = re.compile(
    rf"\b(?P<who>{_NAME})\s+(?:has\s+|is\s+|was\s+)?(?:died|passed away|was put down|had to be put down)\b"
)
_KIN_DIED = re.compile(
    rf"^(?:(?:my|our)\s+)?(?P<rel>{RELATIONS})\s+(?:has\s+|sadly\s+)?(?:died|passed away|passed)\b", re.I
)
_FELL_THROUGH = re.compile(
    # "the house purchase fell through", "Update: adoption of greyhound fell through"
    r"(?:\b(?P<object>(?:the|my|our|his|her)\s+[\w'-]+(?:\s+[\w'-]+){0,2}?)|(?:^|[:;]\s*)(?P<bare>[\w'-]+(?:\s+[\w'-]+){0,3}?))"
    r"\s+(?:fell through|didn'?t go through|"
    r"collapsed|got cancelled|was cancelled|is cancelled|is off)\b",
    re.I,
)
_INSTEAD_OF = re.compile(r"\binstead of\s+(?P<old>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)")
_PET_NAMED = re.compile(
    rf"^(?:meet|say hi to|say hello to|introducing|this is)\s+(?P<a>{_NAME})\b|"
    rf"\b(?:her|his|its) name(?:'s|\s+is)\s+(?P<b>{_NAME})\b|"
    rf"(?:\b(?:we|I|they|(?:the\s+|my\s+|our\s+)?(?:kids|children|son|daughter|boys|girls))\s+(?:called|named|call|name)|(?:^|,\s*)named)\s+(?:her|him|it)\s+(?P<d>{_NAME})\b|"
    rf"\b(?:{_DOG_BREEDS}|{_CAT_BREEDS}|{_PET})\s+(?:called|named)\s+(?P<c>{_NAME})\b"
)


def pet_breed(clause: str) -> tuple[str, str] | None:
    """(species, breed) of a pet the clause says the speaker has: "our whippet puppy" -> ("dog", "whippet")."""
    match = _breed_frame(clause)
    return _species_and_breed(match) if match is not None else None


def _breed_frame(clause: str) -> re.Match[str] | None:
    """Where the clause says the speaker has a pet of a breed; None in a hedge or about a second animal."""
    if HEDGE.search(clause) or _ANOTHER.search(clause):
        return None
    return _BREED_FRAMES.search(clause)


def _species_and_breed(match: re.Match[str]) -> tuple[str, str]:
    breed = (match.group("breed") or match.group("ambiguous")).lower()
    noun = match.group("noun") or match.group("anoun")
    if noun:
        return _PET_NOUNS[noun.lower()], breed
    return ("cat" if re.fullmatch(_CAT_BREEDS, breed) else "dog"), breed


def turn_pet(turn: str) -> str | None:
    """The species of the one pet a turn is about, read once a turn; None in a turn about no pet, a
    second one, or one only thought of."""
    if HEDGE.search(turn) or _ANOTHER.search(turn):
        return None
    bred = pet_breed(turn)
    if bred is not None:
        return bred[0]
    noun = re.search(rf"\b({_PET})\b", turn, re.I)
    return _PET_NOUNS[noun.group(1).lower()] if noun else None


# A pet taken in beside the one there was: "adopted a second cat!!! his name is churro".
_ADDED_PET = re.compile(
    r"\b(?:adopted|got|bought|rescued|brought home|picked up|welcomed|took in)\s+(?:a|an|our|my)\s+"
    rf"(?:(?:new|second|third|another|little|baby|rescue)\s+)*(?P<pet>{_PET})\b",
    re.I,
)


_NAMING = re.compile(
    r"(?P<cue>\b(?:name(?:'s|\s+is)|named|called|call)\s+(?:(?:her|him|it)\s+)?)(?!(?:her|him|it)\b)(?P<first>[a-z])"
)


def added_pet(turn: str) -> str | None:
    """The species of a pet a turn says was taken in besides another (turn_pet reads none there)."""
    if HEDGE.search(turn) or not _ANOTHER.search(turn):
        return None
    found = _ADDED_PET.search(turn)
    return _PET_NOUNS[found.group("pet").lower()] if found else None


def pet_named(clause: str, species: str | None) -> tuple[str, str] | None:
    """(species, name) where a clause names the pet its turn is about (`species`, from turn_pet):
    "meet Olive!!! our whippet puppy", "we adopted a greyhound!! her name is Pip"."""
    if species is None:
        return None
    # "his name is churro": the name after a word that names, in a turn typed in lower case
    clause = _NAMING.sub(lambda m: m.group("cue") + m.group("first").upper(), clause)
    match = _PET_NAMED.search(clause)
    if match is None:
        return None
    name = match.group("a") or match.group("b") or match.group("c") or match.group("d")
    return None if name in _NOT_NAMES else (species, name)


# How the speaker wants to be answered ("pls keep answers short, bullet points", "I want longer
# explanations with worked examples now"): a request about the assistant's answers that names a
# style. The value is the styles in a fixed order, so "detailed" restates "detailed, examples" and
# "short" against "detailed" is a change.
_ANSWER_NOUN = re.compile(r"\b(?:answers?|responses?|replies|explanations?|summaries)\b", re.I)
_ANSWER_REQUEST = re.compile(
    r"\b(?:keep|make|give|want|wants|prefer|prefers|like|need|needs|please|pls|plz|rather|write|use|stick to)\b", re.I
)
_ANSWER_STYLES = (
    ("short", r"short|shorter|brief|briefer|concise|to the point|one-liners?|tl;?dr"),
    ("detailed", r"long|longer|detailed|in-depth|in depth|more depth|thorough|more detail"),
    ("bullet points", r"bullet(?:ed)?(?: points)?|bullets|lists"),
    ("examples", r"(?:worked )?examples?"),
    ("step by step", r"step[- ]by[- ]step"),
    ("simple", r"simple|simpler|plain english|eli5|no jargon"),
    ("technical", r"technical|jargon is fine"),
    ("formal", r"formal"),
    ("casual", r"casual|informal|relaxed"),
)
_ANSWER_STYLES_COMPILED = tuple((name, re.compile(rf"\b(?:{words})\b", re.I)) for name, words in _ANSWER_STYLES)


def answer_style(clause: str) -> str | None:
    """The styles a request about the assistant's answers asks for, or None."""
    if not (_ANSWER_NOUN.search(clause) and _ANSWER_REQUEST.search(clause)):
        return None
    styles = [name for name, pattern in _ANSWER_STYLES_COMPILED if pattern.search(clause)]
    return ", ".join(styles) or None


# The speaker's usual drink ("flat white, always, two sugars", "it's oat cortados for me now"): a
# drink named with a word that makes it theirs, not one they only mention or turn down.
_DRINKS = (
    r"flat whites?|lattes?|cappuccinos?|espressos?|americanos?|cortados?|macchiatos?|mochas?|long blacks?|"
    r"black coffee|filter coffee|cold brews?|iced coffees?|decaf(?: coffee)?|matcha(?: lattes?)?|chai(?: lattes?)?|"
    r"english breakfast|earl grey|green tea|herbal tea|builder'?s tea|black tea|mint tea|hot chocolate|rooibos|"
    r"oolong|chamomile|peppermint tea|yerba mate|kombucha|coffee|tea"
)
_DRINK = re.compile(
    rf"\b(?P<v>(?:(?:oat|oat milk|soy|almond|skim|skimmed|whole milk|coconut|lactose-free|iced|double|single|"
    rf"decaf|extra-hot|large|small)\s+){{0,2}}(?:{_DRINKS}))\b",
    re.I,
)
_MY_DRINK = re.compile(
    r"\b(?:always|usually|usual|every (?:morning|day)|my (?:order|go-to|drink)|for me|the only|I drink|"
    r"I only drink|I have|I get|switched to|now|these days|go-to|been having)\b",
    re.I,
)
_NOT_MY_DRINK = re.compile(
    r"\b(?:not|never|no more|hate|hates|can't stand|instead of|rather than|than|gave up|quit|off)\b|"
    r"\bcut(?:ting)?\s+(?:out\s+)?$|\?",  # "I've cut coffee out", not "cut back to one coffee a day"
    re.I,
)


def drink(clause: str) -> str | None:
    """The speaker's usual drink as the clause says it, or None: "switched to green tea, no more coffee"
    is green tea (what the clause says no to comes after it)."""
    if not _MY_DRINK.search(clause) or "?" in clause:
        return None
    for match in _DRINK.finditer(clause):  # "cut coffee out ... having rooibos instead": the one not given up
        if not _NOT_MY_DRINK.search(clause[max(0, match.start() - 30) : match.start()]):
            return " ".join(stem(word) for word in match.group("v").lower().split())
    return None


# People type names in lower case ("just got a flat in leeds", "new job at spotify", "my sister layla
# lives in boston"). The frames below read a name by its capital, so before them a word where a name
# must stand (after "live in", "moved to", "job at", "my sister" ...) is given one, unless it is a
# common word ("live in a tiny flat", "at home", "moved to the suburbs").
_NAME_SLOT = re.compile(
    r"\b(?:moved in (?:with|w/?)\s+(?:my|our|his|her)\s+\w+\s+in|"  # "moved in w my cousin in cardiff"
    r"(?:live|lives|living|lived|based|settled|staying|stay|born|raised|grew up|moved|moving|move|relocat\w*|"
    r"back|home is)\s+(?:back\s+)?(?:in|to|out in|near)|"  # not "into": "move into product management"
    r"(?:work|works|working|worked|job|role|position|teach|teaches|teaching|intern|interning)\s+(?:\w+\s+)?"
    r"(?:at|for|with)|"
    r"transferr(?:ed|ing) (?:me|us|him|her|them) to(?: the)?|cross(?:ed|ing) (?:the (?:ditch|pond)|over) to|"
    r"(?:joined|joining|join|started at|starting at|start at|hired by|hired at|poached by|headhunted by|transferred to|"
    r"first (?:day|week|month|shift) at|job over at|"
    r"promoted at|"
    r"i'm at|im at|he's at|she's at)|"
    r"(?:flat|place|house|apartment|room|condo|studio|bedsit|wg|flatshare|\w+-bed(?:room)?|\dbhk|job|position|role)\s+"
    r"(?:in|near)|"
    r"(?:i'm|im|i am|we're|were|we are)\s+(?:now\s+)?in|(?:'s|is)\s+off\s+to|"
    r"keys to (?:my|our|the|a) (?:own |new )?[\w-]+ in|"  # "got the keys to my own depa in guadalajara"
    r"(?:her|his|its|their) name(?:'s| is)|"  # "GOT A LEOPARD GECKO!!! her name is noodle"
    r"(?:i'm|im|i am|he's|she's|he is|she is)\s+(?:now\s+)?(?:a|an)\s+(?:[a-z-]+\s+){0,3}?(?:at|for)|"
    r"\b(?:manager|engineer|eng|developer|dev|designer|analyst|nurse|teacher|lead|consultant|chef|cook)\s+(?:at|for)|"
    rf"(?P<relation>(?:my|our)\s+(?:new\s+)?(?:{RELATIONS}|gf|bf|bestie|mate|best mate)))\s+"
    r"(?=(?P<name>[a-z][\w'&.-]*(?:\s+[a-z][\w'&.-]*){0,2}))",  # looked at, not consumed: slots may follow
    re.I,
)
_PLACE_PREFIX = frozenset(
    re.findall(r"\S+", "new san los las st saint santa cape port fort hong kuala buenos rio tel abu el la")
)
_COMMON = frozenset(
    re.findall(
        r"\S+",
        """a an the my our your his her their this that these those here there home work town city area flat place
    house apartment suburbs country countryside village office school uni university college hospital clinic
    bed part nights days weekends weekdays night day week month year least last next now soon today tomorrow
    tmrw tmr tmw tonight yesterday again too also still just really so and or but for with as of on in at to
    finally already nicely properly fine okay ok quickly slowly yet near
    from by about after
    before since until lol haha btw tho though because cause cuz i im i'm me we us you u it its it's they them
    new old big small little tiny nice good great same other another one two three some all both each every
    few many much more most lots lot bit couple while time times way gonna wanna got get gets getting be been
    being is are was were am do does did have has had will would can could should may might must said says
    told tells keeps kept lives lived works worked wants wanted thinks thought loves loved hates hated went goes
    came comes asked asks called calls texted texts left moved got started quit lunch dinner breakfast brunch
    church gym party weekend weekends games practice together w w/ wth""",
    )
)


# Words that follow a verb, never a name: "signed up", "moved to", "started a".
_PARTICLES = frozenset(
    re.findall(
        r"\S+",
        "up out off in on to for at from a an the my his her their our me him them us with into over back down away "
        "last this yesterday today",
    )
)


_GIGS = r"doordash|uber(?: eats)?|deliveroo|lyft|instacart|just eat|grubhub|glovo|postmates"


def _truecase(clause: str) -> str:
    """The clause with a capital on each lower-case word where a name must stand."""
    out = list(clause)
    for match in _NAME_SLOT.finditer(clause):
        words = match.group("name").split()
        kept: list[str] = []
        for i, word in enumerate(words[: 1 if match.group("relation") else 3]):  # a person: one name
            bare = word.rstrip(".,!?;:'").lower()
            prefix = not kept and bare in _PLACE_PREFIX and i + 1 < len(words)
            if prefix and words[i + 1].rstrip(".,!?;:'").lower() in _COMMON:
                break  # "moved to new place"
            if (bare in _COMMON and not prefix) or not bare[:1].isalpha() or word[:1].isupper():
                break
            after = words[i + 1] if i + 1 < len(words) else next(iter(clause[match.end("name") :].split()), "")
            if re.fullmatch(r"[a-z]{3,}(?:ed|ing)", bare) and after.lower() in _PARTICLES:
                break  # "my mom signed up for pottery": a verb, not her name
            kept.append(word)
            if word[-1] in ".,!?;:" and not prefix:  # "st. mary's" goes on
                break
        at = match.start("name")
        for word in kept:
            at = clause.index(word, at)
            out[at] = word[0].upper()
            at += len(word)
    lead = _LEADING_NAME.match(clause)  # "layla took a job in denver", "tamsin got into vet school"
    if lead and lead.group("name").lower() not in _NO_NAMES and not RESCHEDULE.search(clause):
        out[lead.start("name")] = out[lead.start("name")].upper()
    return "".join(out)


_LEADING_NAME = re.compile(
    r"^(?P<name>[a-z][a-z-]{2,})(?:'s\s+(?:off|back|moving|moved|just|finally|officially|started|starting|"
    r"got|getting)\b|\s+(?:(?:just|finally|also|still|now|officially)\s+)?(?:took|takes|got|gets|"
    r"quit|quits|moved|moves|lives|lived|works|worked|started|starts|joined|left|retired|graduated|"
    r"became|passed|died|married|proposed|broke up|split|found|landed|accepted)\b)"
)
# Lower-case words that start a clause as often as a name does: "mum's", "dad's" are relations (read by
# subject_of), and these never name a person.
_NOT_SUBJECTS = frozenset(
    re.findall(
        r"\S+",
        "mum mom dad mother father sister brother wife husband partner boyfriend girlfriend son daughter kids "
        "baby dog cat puppy kitten boss manager everyone everything nothing someone something nobody life "
        "work job rent money dinner lunch breakfast coffee weather traffic school class uni college training "
        "salary pay mortgage loan income budget bills",
    )
)
_NO_NAMES = _COMMON | _NOT_SUBJECTS


def number(text: str) -> str | None:
    """'48k' -> '48000', '$2,150' -> '2150', 'three' -> '3', '4-0' -> '40'."""
    text = text.lower().strip()
    if text in _NUMBER_WORDS:
        return str(_NUMBER_WORDS[text])
    text = text.replace("4-0", "40").replace(",", "")
    match = re.fullmatch(r"(\d{1,15}(?:\.\d{1,6})?)(k|grand)?", text)
    if not match:
        return None  # not a number, or one longer than any amount said in chat
    value = float(match.group(1)) * (1000 if match.group(2) else 1)
    return str(int(value)) if value == int(value) else str(value)


def value_tokens(value: str) -> frozenset[str]:
    """What a value says, with numbers, months and weekdays normalised and filler dropped."""
    out = set()
    for word in re.findall(r"[\w'.,-]+", value.lower()):
        word = word.strip(".,'")
        if not word or word in ("the", "a", "an", "of", "in", "at", "for", "my", "our", "now", "to", "and", "as"):
            continue
        n = number(word) or number(re.sub(r"(?:st|nd|rd|th)$", "", word))
        if n is not None:
            out.add(n)
        elif word in _SAME_JOB:
            out.add(_SAME_JOB[word])  # "developer" says what "software engineer" says
        elif any(month.startswith(word) if len(word) == 3 else word.startswith(month) for month in MONTHS):
            out.add(word[:3])
        elif word.rstrip("s") in WEEKDAYS:
            out.add(word.rstrip("s"))
        else:
            out.add(stem(word))
    return frozenset(out)


_SAME_JOB = {"developer": "engineer", "dev": "engineer", "programmer": "engineer", "coder": "engineer",
             "eng": "engineer", "swe": "engineer", "mgr": "manager"}  # fmt: skip


# Nouns counted under one name: "2 children" and "two kids" are one count.
_SAME_NOUN = {"children": "kid", "child": "kid", "kiddos": "kid", "kiddo": "kid", "kids": "kid"}


def stem(word: str) -> str:
    """A plural's singular, roughly: "cities" -> "city", "boxes" -> "box", "dates" -> "date"."""
    if word.lower() in _SAME_NOUN:
        return _SAME_NOUN[word.lower()]
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")) and len(word) >= 5:
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def same_value(a: str, b: str) -> bool:
    """Two values say the same when one's tokens contain the other's ("data analyst" and "analyst")."""
    ta, tb = value_tokens(a), value_tokens(b)
    return bool(ta and tb) and (ta <= tb or tb <= ta)


# An amount of money: a currency sign and a number, or a number of thousands ("48k", "2 grand").
# A currency after the number, as most of the world writes it: "2.850 €", "6450 euros", "18 million VND".
_CURRENCY_AFTER = (
    r"€|euros?\b|eur\b|dollars?\b|usd\b|pounds?\b|quid\b|bucks\b|gbp\b|yen\b|rupees?\b|inr\b|naira\b|"
    r"rand\b|reais\b|pesos?\b|zł|zloty\b|pln\b|vnd\b|dong\b|dirhams?\b|aed\b|francs?\b|chf\b|kr\b|sek\b|nok\b"
)
_MILLION = r"million\b|mil\b|m\b|triệu|tr\b"
# A currency's code or short name written before the number: "CHF 2,450", "KES 45,000", "R$ 3.000", "Rs 50k".
_CURRENCY_BEFORE = (
    r"\b(?:chf|usd|us\$|eur|gbp|inr|rs\.?|ngn|kes|ksh|zar|brl|r\$|mxn|aud|a\$|cad|c\$|nzd|sgd|s\$|hkd|hk\$|"
    r"sek|nok|dkk|pln|czk|huf|try|aed|sar|qar|egp|mad|ghs|ugx|tzs|php|idr|rp|myr|rm|thb|vnd|krw|jpy|cny|rmb|"
    r"cop|clp|ars|pen)"
)
_AMOUNT_PATTERN = (
    rf"(?:(?P<cur>[$€£₹¥₦₩₱])|{_CURRENCY_BEFORE})\s?(?P<n>\d[\d,.]*k?)(?:\s?(?P<mil>million\b|m\b|bn\b))?|"
    r"\b(?P<m>\d[\d,.]*)\s*(?:k\b|grand\b)|"
    rf"\b(?P<a>\d[\d,.]*)\s?(?P<scale>{_MILLION})?\s?(?:{_CURRENCY_AFTER})|"
    # "12 millones", "3 milhões", "2 Millionen": the word for million in other languages
    r"\b(?P<s>\d[\d,.]*)\s?(?P<big>millions?\b|millones\b|milh(?:ão|ões)\b|millionen\b|milioni?\b|triệu|"
    r"lakhs?\b|lacs?\b|crores?\b)|"
    r"\b(?P<t>\d{1,3}(?:\.\d{1,2})?)(?P<short>[mM])\b(?![\w-])"  # "2.5M pesos", "3.1M now"
)


def amount_value(match: re.Match[str]) -> str | None:
    """The number an _AMOUNT_PATTERN match says: "£47,500" -> "47500", "2.850 €" -> "2850", "25m VND" ->
    "25000000", "84k" -> "84000"."""
    found = match.groupdict()
    raw = found.get("n") or found.get("a") or found.get("s") or found.get("b") or found.get("t")
    raw = (raw or f"{found.get('m')}k").rstrip(".,")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
        raw = raw.replace(".", "")  # "14.200 €": a dot between thousands
    value = number(raw)
    scale = found.get("mil") or found.get("scale") or found.get("big") or found.get("short")
    if value is None or not scale:
        return value
    unit = scale.lower().rstrip("s")
    scaled = {"bn": 1_000_000_000, "lakh": 100_000, "lac": 100_000, "crore": 10_000_000}.get(unit, 1_000_000)
    millions = float(value) * scaled
    return str(int(millions)) if millions == int(millions) else str(millions)


_EARNS = re.compile(
    r"\b(?:on|make|makes|making|earn|earns|earning|paid|take home|bring in)\s+(?:about\s+|around\s+)?[$€£]?\d"
)


_PAYS_ME = re.compile(r"\b(?:pays|gives|owes|sends)\s+(?:me|us|(?-i:[A-Z][\w'-]*))\s+(?:about\s+|around\s+)?$", re.I)
# A clause about a job, and an amount said per month or year in it: what the job pays.
_A_JOB = re.compile(r"\b(?:offer|job|role|position|hired|promoted|contract)\b", re.I)
_PER_PERIOD = re.compile(r"\s*(?:/|a\s+|per\s+)(?:month|mo|year|yr|annum)\b", re.I)
_EARNS_BEFORE = re.compile(
    r"\b(?:make|makes|making|earn|earns|earning|take home|bring in)\s+(?:about\s+|around\s+|like\s+|roughly\s+)?$",
    re.I,
)

JOB_NOUN = (
    r"(?:designer|engineer|eng|developer|dev|manager|analyst|scientist|lead|director|nurse|doctor|teacher|lecturer|"
    r"consultant|architect|officer|specialist|coordinator|assistant|associate|intern|administrator|accountant|"
    r"lawyer|solicitor|editor|writer|producer|technician|tech|chef|cook|baker|barista|paralegal|pharmacist|"
    r"therapist|electrician|plumber|mechanic|recruiter|planner|strategist|researcher|professor|principal|dentist|"
    r"hygienist|surgeon|midwife|physio|physiotherapist|journalist|photographer|musician|hairdresser|stylist|"
    r"artist|tutor|pilot|firefighter|paramedic|carer|caregiver|driver|cleaner|student|vet|veterinarian|tester|"
    r"programmer|copywriter|translator|receptionist|cashier|clerk|banker|economist|auditor|carpenter|builder|welder|"
    r"farmer|librarian|psychologist|counsell?or|optometrist|optician)"
)


def _clean_value(value: str) -> str:
    value = re.split(
        r"\s+(?:now|lol|haha|instead|too|btw|anymore|these days|from here on|though|tho|rn|atm|tbh|ngl|done|again)\b",
        value,
        flags=re.I,
    )[0]
    value = re.split(r"\s+(?:and|but|so|because)\s+(?:I|we|it|they|he|she|i)\b", value)[0]
    value = re.split(r"\s+(?:last|this|next|since|starting|today|yesterday|tonight)\b", value)[0]
    return value.strip(" ,.;:!?'\"").strip()


def subject_of(clause: str, speaker: str, last_other: str | None) -> tuple[str, str]:
    """(subject key, clause with the subject phrase kept) for one clause said by `speaker`."""
    return _subject_of(_truecase(clause), speaker, last_other)


_LEAD_IN = re.compile(r"(?:(?:and|but|so|also|oh|now|then|finally|anyway)\b,?\s+){0,3}", re.I)


# A clause that goes on about the one just named, without naming them: a verb first, then what is theirs.
THEIR_OWN = re.compile(
    r"^(?:(?:just|finally|now|also|then)\s+)?"
    r"(?:[a-z]+(?:ed|t)\s+(?:up\s+)?(?:his|her)\s+own\b|(?:quit|left|lost|sold|closed)\s+(?:his|her)\b)",
    re.I,
)


def _subject_of(clause: str, speaker: str, last_other: str | None) -> tuple[str, str]:
    """subject_of for a clause whose names already have their capitals (_truecase)."""
    me = speaker.lower()
    relation = re.match(rf"^(?:my|our)\s+(?:new\s+|little\s+|older\s+|younger\s+|big\s+)?({RELATIONS})\b", clause, re.I)
    if relation and not re.match(r"^(?:my|our)\s+\w+(?:\s+\w+)?\s+(?:and I|&\s*I)\b", clause, re.I):
        rest = clause[relation.end() :]
        if re.match(r"^\s+(?:is|'s)\s+[A-Z][\w-]+\s*(?:[,.;!?]|$)", rest):
            return me, clause  # "my partner is Ren, ...": who the partner is, the speaker's fact
        if re.match(r"^,?\s*(?:[A-Z]\w+,?\s+)?" + _PERSON_VERBS, rest) or re.match(r"^'s\b", rest):
            return f"{me}'s {kin(relation.group(1))}", clause
    # not "mum of two"; "mom signed up for pottery" is hers
    lead = re.match(rf"^(Mum|Mom|Dad|Mother|Father)(?:'s\b|\s+{_PERSON_VERBS}|\s+[a-z]{{2,}}ed\b)", clause, re.I)
    if lead:
        return f"{me}'s {kin(lead.group(1))}", clause
    joint = re.match(
        rf"^([A-Z][\w-]+)\s+(?:and|&)\s+[A-Z][\w-]+\s+{_PERSON_VERBS}", clause
    )  # "Amani and Tom got married"
    if joint and joint.group(1) not in _NOT_NAMES and joint.group(1).lower() not in (me, *_NOT_SUBJECTS):
        return joint.group(1).lower(), clause
    theirs = re.match(rf"^([A-Z][\w-]+)'s\s+({RELATIONS})\b", clause)  # "Magda's husband got a job in Wrocław"
    if (
        theirs
        and theirs.group(1) not in _NOT_NAMES
        and theirs.group(1).lower() not in (me, *_NOT_SUBJECTS)
        and re.match(r"^,?\s*(?:[A-Z]\w+,?\s+)?" + _PERSON_VERBS, clause[theirs.end() :])
    ):
        return f"{theirs.group(1).lower()}'s {kin(theirs.group(2))}", clause
    if last_other and last_other not in (me, "he", "she") and THEIR_OWN.match(clause):
        return last_other, clause  # "sipho finally quit the bank!!! opened his own braai spot": Sipho's spot
    pronoun = re.match(r"^(she|he)(?:'s)?\b", clause, re.I)
    if pronoun and not re.search(r"\b[A-Z][\w-]+\s+(?:and|&)\s+I\b", clause):  # "SHE SAID YES, Neha and I are ..."
        # Someone the speaker spoke of, never the speaker: with no one named before, "she" stays "she".
        return last_other or pronoun.group(1).lower(), clause
    # "and now Mateo switched from football to swimming": the name after the words that lead into it
    lead = _LEAD_IN.match(clause)
    start = lead.end() if lead else 0
    name = re.match(rf"^([A-Z][\w-]+)(?:'s)?(?:\s+\([^)]{{1,12}}\))?\s+{_PERSON_VERBS}", clause[start:])
    if (
        name
        and name.group(1) not in _NOT_NAMES
        and name.group(1).lower() not in _NOT_SUBJECTS  # "Rent went up", "Work is mad"
        and name.group(1).lower() != me
        and not _FIRST_PERSON.search(clause)
        and not re.match(r"^[A-Z][\w-]+\s+(?:is|'s)\s+(?:now\s+|still\s+)?(?:home|my|our)\b", clause)
    ):
        return name.group(1).lower(), clause
    return me, clause


_INTRODUCED = re.compile(
    rf"\b(?:someone|somebody|a (?:guy|girl|woman|man|lad|lass)|"
    rf"(?i:my|our) (?:new |younger |older |little |big |baby |twin |elder )?(?:{RELATIONS}|bf|gf|hubby))"
    r",?\s+(?:called\s+|named\s+)?(?P<name>[A-Z][\w-]+)\b|"
    r"\b(?i:separated|split up|broke up|divorced|married|engaged|dating|seeing|moved in)\s+(?i:from|with|to)?\s*"
    r"(?P<partner>[A-Z][\w-]+)\b"
)


def introduced(clause: str) -> str | None:
    """The person a clause introduces ("seeing someone called Julia", "my girlfriend Ewa"), lowercased:
    whom a following "she" or "he" means."""
    found = [m.group("name") or m.group("partner") for m in _INTRODUCED.finditer(_truecase(clause))]
    return found[-1].lower() if found and found[-1] not in _NOT_NAMES else None


_PRONOUNS = frozenset(
    ["me", "myself", "us", "him", "her", "them", "you", "it", "this", "that", "everyone", "both", "all", "anyone"]
)


_PARENT_OF = re.compile(r"(?:mum|mom|mother|dad|father|parent|grandma|grandmother|grandpa|grandfather)\s+of\b", re.I)


def _add(props: dict[str, str], key: str, value: str | None) -> None:
    if value:
        value = _clean_value(value)
        if value and key not in props and value.lower() not in _PRONOUNS:  # "draft work emails for me": no employer
            if key == "title" and _PARENT_OF.match(value):
                return  # "I'm a mum of two" counts children; it is no job
            props[key] = value


_USING = (
    r"\b(?:on|use|using|got|have|bought|switched to|moved to|upgraded to)\s+(?:an?\s+|my\s+|the\s+)?"
    r"(?:(?:new|used|secondhand|second-hand|refurbished)\s+)?"
)
_DEVICES = (
    (
        "handset",
        r"iPhone(?:\s+\d+\w*)?|Pixel(?:\s+\d+\w*)?|Samsung(?:\s+Galaxy)?(?:\s+[A-Z]?\d+\w*)?|Galaxy\s+[A-Z]?\d+\w*|"
        r"OnePlus(?:\s+\d+)?|Xiaomi|Huawei|Motorola|Nokia",
    ),
    # a model's name is read case-sensitively: "ThinkPad P52 with Premiere" is "ThinkPad P52"
    ("laptop", r"(?:MacBook|ThinkPad|Chromebook|iMac|Mac (?:Mini|Studio)|Surface|Dell XPS|XPS|Framework)"
               r"(?-i:\s+[A-Z0-9][\w-]*){0,3}"),
)  # fmt: skip


_DOSE_UNIT = r"(?P<u>mg|mcg|ml|units)"
_DOSE_FRAMES = tuple(
    re.compile(frame.replace("UNIT", _DOSE_UNIT).replace("DRUG", r"(?P<drug>[a-z][a-z-]{3,})"), re.I)
    for frame in (
        r"\b(?P<n>\d+(?:\.\d+)?)\s?UNIT\s+(?:of\s+)?DRUG\b",  # "20mg of lisinopril"
        r"\bDRUG\s+(?:(?:up|down|back)\s+)?(?:to|at|is|of|dose(?: is)?|now)\s+(?P<n>\d+(?:\.\d+)?)\s?UNIT\b",
        r"\bDRUG\s+(?P<n>\d+(?:\.\d+)?)\s?UNIT\b",  # "on metformin 500mg twice a day"
        r"\b(?P<n>\d+(?:\.\d+)?)\s?UNIT\s+(?:now\s+)?on\s+(?:the\s+)?DRUG\b",  # "up to 1mg now on the semaglutide"
        r"\bDRUG,?\s+(?:starting|started|beginning)\s+(?:on|at|with)\s+(?P<n>\d+(?:\.\d+)?)\s?UNIT\b",
    )
)
_NOT_DRUGS = frozenset(["dose", "daily", "twice", "each", "every", "tablet", "tablets", "pill", "pills", "the", "a",
                        "take", "takes", "taking", "about", "around", "only", "just", "from", "down", "back",
                        "with"])  # fmt: skip


def _dose(clause: str, props: dict[str, str]) -> None:
    """A medicine's dose, however the clause orders the drug and the amount."""
    for frame in _DOSE_FRAMES:
        dose = frame.search(clause)
        if dose and dose.group("drug").lower() not in _NOT_DRUGS:
            props[f"dose:{dose.group('drug').lower()}"] = f"{dose.group('n')} {dose.group('u').lower()}"
            return


_DIET = re.compile(
    r"\b(?P<v>vegetarian|veggie|vegan|pescatarian|plant-based|eats? (?:everything|anything)|"
    r"(?:do not|don't|dont) eat meat|no meat|"
    r"(?:strictly\s+|fully\s+|100%\s+)?(?:gluten|dairy|lactose)[- ]free(?!\s+(?:option|version|menu|bread|pasta|"
    r"flour|beer|cake|recipe|place|bakery)s?\b))\b",
    re.I,
)
# The people someone goes to for a service, each the one at a time: a new one replaces the one before.
PROVIDERS = {
    "babysitter": "babysitter", "baby-sitter": "babysitter", "sitter": "babysitter", "nanny": "babysitter",
    "childminder": "babysitter", "landlord": "landlord", "landlady": "landlord", "dentist": "dentist",
    "gp": "doctor", "doctor": "doctor", "vet": "vet", "accountant": "accountant", "hairdresser": "hairdresser",
    "barber": "hairdresser", "cleaner": "cleaner", "tutor": "tutor", "therapist": "therapist",
    "personal trainer": "trainer", "dog walker": "dog walker", "mechanic": "mechanic",
    "main client": "main client", "biggest client": "main client", "main customer": "main client",
}  # fmt: skip
PROVIDER_WORDS = "|".join(sorted(map(re.escape, PROVIDERS), key=len, reverse=True))  # the longest first
_PROVIDER = re.compile(
    r"(?:\b(?:my|our|the|new|a new)\s+(?:new\s+)?|^)(?P<role>"
    + PROVIDER_WORDS
    + r")(?:\s+(?:rn|atm|currently))?\s+(?:is\s+(?:now\s+)?(?:an?\s+(?:[\w-]+\s+){0,2}called\s+|called\s+)?|now\s+)?"
    r"(?:(?:mr|mrs|ms|dr)\.?\s+(?P<t>[a-z][\w'-]+)|(?P<v>(?-i:[A-Z][\w'-]+)(?:\s+(?-i:[A-Z][\w'-]+)){0,2}))",
    re.I,
)


_INSURER = re.compile(
    r"\b(?:insurance(?:\s+for\s+(?:the\s+|my\s+|our\s+)?[\w-]+)?\s+is\s+(?:now\s+)?with|insured\s+(?:with|by)|"
    r"insurer\s+is(?:\s+now)?)\s+(?P<v>(?-i:[A-Z][\w'&-]*)(?:\s+(?-i:[A-Z][\w'&-]*)){0,2})",
    re.I,
)
_SWITCHED_PROVIDER = re.compile(
    r"\b(?:switched|changed|new)\s+(?P<role>"
    + PROVIDER_WORDS
    + r")s?\b,?\s+(?:now\s+)?(?:going to|seeing|with|at|using)\s+(?:the\s+)?"
    r"(?P<v>(?-i:[A-Z][\w'-]*)(?:\s+(?-i:[A-Z][\w'-]*)){0,4})",
    re.I,
)


def properties(clause: str) -> dict[str, str]:
    """The properties a clause sets, by the frames below, first match per property."""
    props: dict[str, str] = {}
    c = clause
    # Where someone lives.
    for pattern in (
        rf"\b(?:live|lives|living|based|settled|staying|stay)\s+(?:together\s+|now\s+|still\s+)?(?:in|out in)\s+"
        rf"(?:the\s+)?(?P<v>{_NAME})",
        rf"\b(?:moved|moving|move|relocat\w*|made it|are back|'re back|back(?: home)?)\s+"
        rf"(?:back\s+|over\s+|out\s+|down\s+|up\s+|away\s+)?(?:to|in|into)\s+"
        rf"(?!(?i:with|together)\b)(?:[a-z0-9][\w-]*\s+){{0,5}}?(?:in\s+)?(?P<v>{_NAME})",
        rf"(?:^|[,;:]\s*|\b(?:and|so)\s+)(?P<v>{_NAME})\s+is\s+(?:now\s+|still\s+)?(?:home|where (?:I|we) live)\b",
        # "living in a WG in connewitz", "staying in a tiny studio in Gràcia"
        rf"\b(?:live|lives|living|staying)\s+in\s+(?:a|an|the|my|our)\s+(?:[\w-]+\s+){{0,2}}?(?i:flat|flatshare|"
        rf"flat-share|wg|house|houseshare|apartment|studio|place|room|dorm|hostel|bedsit|condo)\s+in\s+(?P<v>{_NAME})",
        rf"\b(?:[Bb]een|[Ll]ived|[Ll]iving)\s+(?:here\s+)?in\s+(?P<v>{_NAME})\s+(?:for\s+)?"
        rf"(?:{_NUM}|a few|many|some)\s+(?:years?|yrs|months?|decades?)\b",
        r"\bhome is (?:now\s+)?(?P<v>" + _NAME + ")",
        rf"(?:^|[,;:]\s*)(?P<v>{_NAME})\s+born and (?:bred|raised)\b",
        rf"\b(?:I'm|I am|im|we're|we are)\s+(?:now\s+|still\s+)?in\s+(?P<v>{_NAME})",
        rf"\bhere in (?P<v>{_NAME})",  # "a data analyst at Access Bank here in Lagos"
        rf"\b(?:moved|relocated|moving|relocating)\s+again,?\s+(?:this time\s+)?to\s+(?P<v>{_NAME})",
        # Where the job is, the home is: "manual tester at Comarch in Kraków"
        rf"\b(?:{JOB_NOUN}|work|works|working)\b[^.,;]{{0,30}}?\bat\s+(?:{_NAME}|(?:an?|the)\s+(?:[\w-]+\s+){{0,3}}?"
        rf"{_WORKPLACES})\s+in\s+(?P<v>{_NAME})",
        # Said of someone else: "my mom is 71 and still in Cebu", "moved in with my brother Paolo in Manila"
        rf"\b(?:is|'s|are)\b[^.;]{{0,20}}?\b(?:still|now)\s+in\s+(?P<v>{_NAME})",
        rf"\bmoved in (?:with|w/?)\s+(?:[\w']+\s+){{1,6}}?(?:[\w']+,\s+)?in\s+(?P<v>{_NAME})",
        rf"\b(?:live|lives|living|staying)\s+with\s+(?:[\w'-]+\s+){{1,3}}?in\s+(?P<v>{_NAME})",
        # "I'm a pharmacist in Cardiff", "working as an ICU nurse in Dubai": where the job is, the home is
        rf"(?:\b(?:I'm|I am|im)|{_AS_A_JOB}|{_PERSON_IS})\s+(?:an?\s+)?(?:[\w-]+\s+){{0,2}}{JOB_NOUN}\s+in\s+"
        rf"(?P<v>{_NAME})\b(?!\s+\d)",
        # not a home looked for: "help me find a one-bedroom in San Salvario"
        rf"^(?!.*\b(?:find|finding|looking (?:for|at)|search\w*|hunting|view\w*)\b).*?"
        # not "my old flat in Porto is now rented to my cousin": a home left
        rf"(?<!\bold )(?<!\bformer )(?<!\bprevious )"
        rf"\b(?:moved in together|place|flat|house|apartment|studio|bedsit|lease|\w+-bed(?:room)?|\dbhk)\b[^.]*?"
        rf"\bin\s+(?P<v>{_NAME})",
        rf"\bgot the keys to (?:my|our|the|a) (?:own |new )?[\w-]+ in\s+(?P<v>{_NAME})",
        # "took a job in Denver and moved", "Kemi's off to Toronto for a job": a new job's city is the new home.
        rf"\b(?:job|position|role|work)\s+in\s+(?P<v>{_NAME})\b[^.]{{0,40}}\b(?:moved|moving|relocat\w*)\b",
        rf"(?:'s|\bis)\s+off\s+to\s+(?P<v>{_NAME})\s+for\s+(?:a|the|her|his|their)?\s*(?:new\s+)?job\b",
        # "crossed the ditch to Brisbane", "crossed the pond to Boston": a move over the sea (not the road)
        rf"\bcross(?:ed|ing)\s+(?:the\s+(?:ditch|pond|channel|Tasman|Atlantic)\s+|over\s+)to\s+(?P<v>{_NAME})",
        # "the company transferred me to the Fukuoka branch": where the work moved, the home moved
        rf"\btransferr(?:ed|ing)\s+(?:me|us|him|her|them)\s+to\s+(?:the\s+)?(?P<v>{_NAME})\s+"
        rf"(?i:branch|office|site|store|plant|campus|hospital|team)\b",
    ):
        match = re.search(pattern, c)
        if match and match.group("v").split()[0] not in _NOT_NAMES and not value_tokens(match.group("v")) & _CALENDAR:
            _add(props, "residence", match.group("v"))
            break
    # Where someone is from: "I'm Chloé, from Lyon", "I'm originally from Accra". Not where they live:
    # "from Lagos, living in London" says both, and a move does not change it. "I'm 44, from Porto" too.
    hometown = re.search(
        rf"\b(?:I'm|I am|im|[Ww]e're|[Ww]e are)\s+(?:originally\s+|also\s+|\d{{1,2}}(?:,|\s+and)\s+)?from\s+"
        rf"(?:the\s+)?(?P<v>{_NAME})",
        c,
    )
    if hometown and hometown.group("v").split()[0] not in _NOT_NAMES:
        _add(props, "hometown", hometown.group("v"))
    # Where someone works, and as what.
    titled = re.search(
        rf"(?:^|(?:\b(?:[Ii]'m|[Ii] am|im)|{_NOT_A_PERSON}(?:'s|\bis)|,)\s+)(?:an?\s+|the\s+)?"
        r"(?P<t>(?:[A-Z]{2,4}\s+)?(?:^[A-Z]|[a-z])[a-z][\w -]{0,39}?)"  # "UX researcher", "an IT consultant"
        r"\s+(?:at|for)\s+"
        rf"(?:the\s+)?(?P<v>{_NAME})",
        c,
    ) or re.search(  # "backend dev at a small agency": a workplace named by what it is
        rf"(?:^|(?:\b(?:[Ii]'m|[Ii] am|im)|{_NOT_A_PERSON}(?:'s|\bis)|,)\s+)(?:an?\s+|the\s+)?"
        r"(?P<t>(?:[A-Z]{2,4}\s+)?(?:^[A-Z]|[a-z])[a-z][\w -]{0,39}?)\s+at\s+"
        rf"(?P<v>(?:an?|the)\s+(?:[\w-]+\s+){{0,3}}?{_WORKPLACES})\b",
        c,
    )
    if titled and (
        c.rstrip().endswith("?")  # "And for me, chemistry demos safe for JSS1?" asks; it says no job
        or re.match(r"^\w+(?:ing|ed)\b", titled.group("t"))  # "planning a wedding for May", "obsessed with"
        or value_tokens(titled.group("v")) & _CALENDAR
    ):
        titled = None
    if titled and not re.search(
        r"\b(?:work|working|works|job|time|home|team|office|dinner|trip|still|now|back|here|there|just|currently|"
        r"based|been|going|staying|living|on|off|in|out|up|down|looking|moving|starting|started|done|also|got|"
        r"ever|never|always|usually|week|day|month|year|weekend|is|are|was|were|am|im|i'm|he's|she's|he|she|"
        r"but|if|than|as|because|question|same|before|after|shift)\b",
        titled.group("t"),
        re.I,
    ):
        _add(props, "title", titled.group("t"))
        _add(props, "employer", titled.group("v"))
    # "accepted the role of General Counsel at MTN Nigeria", "took a job as a nurse with the NHS"
    role = re.search(
        r"\b(?:accept(?:ed|ing)|t(?:aken|ook|aking)|land(?:ed|ing)|start(?:ed|ing))\s+(?:the|a|an|my)\s+(?:new\s+)?"
        r"(?:role|position|post|job)\s+(?:of|as)\s+(?:an?\s+|the\s+)?(?P<t>[\w -]{2,40}?)\s+(?:at|with)\s+"
        rf"(?:the\s+)?(?P<v>{_NAME})",
        c,
    )
    if role:
        _add(props, "title", role.group("t"))
        _add(props, "employer", role.group("v"))
    for pattern in (
        r"\b(?:work|works|working|teach|teaches|teaching)\s+(?:\w+\s+)?(?:at|for)\s+(?P<v>(?:the\s+|an?\s+)?"
        r"[\w'&. -]+?)(?=,|\.|;|!|\?| and | but | so | in | on (?:the )?(?:weekends?|weekdays|\w+days)\b|$)",
        rf"\b(?:I'm|I am|im|I've been|been|[Hh]e's|[Ss]he's|[Hh]e is|[Ss]he is)\s+(?:now\s+|still\s+)?at\s+"
        rf"(?P<v>{_NAME})",
        rf"\bwork(?:s|ed|ing)?\s+as\s+(?:an?\s+)?[\w -]{{2,40}}?\s+(?:at|for)\s+(?P<v>(?:the\s+)?{_NAME})",
        # "I work as an electrician for a contractor": a workplace named by the kind of business it is
        rf"\bwork(?:s|ed|ing)?\s+as\s+(?:an?\s+)?[\w -]{{2,40}}?\s+(?:at|for)\s+"
        rf"(?P<v>(?:an?|the)\s+(?:[\w-]+\s+){{0,3}}?"
        rf"(?:{_WORKPLACES}|contractor|builder|developer|retailer|supplier|manufacturer|distributor|wholesaler))\b",
        r"\b(?:joining|joined|signed (?:for|with)|"
        r"start(?:ed|ing|s)?\s+(?:(?:nights|days|shifts|work|working|a (?:new )?job|my (?:new )?(?:job|postdoc|"
        r"phd|residency|internship|apprenticeship|placement|fellowship))\s+)?at|left\s+\S+\s+(?:to go|to move) to|"
        rf"job\s+(?:over\s+)?at|first\s+(?:day|week|month|shift)\s+at|hired\s+(?:by|at)|"
        rf"(?:poached|headhunted|snapped up)\s+by|transfer(?:red)?\s+to(?:\s+the)?)\s+"
        r"(?P<v>(?:an?\s+|the\s+)?(?:(?!for\b|of\b|in\b|with\b|to\b|on\b|at\b|and\b)[a-z-]+\s+){0,3}?"
        rf"(?:(?:{_NAME}\s+)?{_WORKPLACES}\b(?:\s+in\s+{_NAME})?|{_NAME}(?:\s+office)?))",
        # "Starting Monday as a senior PM at Tamarind Health": the job's name, then where
        rf"(?i:{_AS_A_JOB})\s+(?:an?\s+|the\s+)?[\w -]{{2,40}}?\s+at\s+(?:the\s+)?(?P<v>{_NAME})",
        # "I'm running the pastry section at The Kitchin now": where the speaker is now, by name
        rf"\b(?:I'm|I am|im)\b[^.;,]{{0,40}}?\bat\s+(?:[Tt]he\s+)?(?P<v>{_NAME})\s+now\b",
        # "got a job on the front desk at a bouldering gym", "signed a full-time offer from Delivery Hero"
        rf"\b(?:got|landed|found|started)\s+a\s+(?:new\s+)?(?:job|gig|position)\b[^.;,]{{0,30}}?\bat\s+"
        rf"(?P<v>(?:an?\s+|the\s+)?(?:[\w-]+\s+){{0,3}}?{_WORKPLACES}\b|{_NAME})",
        rf"\b(?:signed|accepted|took)\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?:job\s+)?offer\s+(?:from|at|with)\s+"
        rf"(?P<v>{_NAME})",
        # "a staff nurse in the cardiac ICU at Apollo Hospitals": a job's name, then where
        rf"\b{JOB_NOUN}s?\b[^.,;!?]{{0,40}}?\bat\s+(?:the\s+)?(?P<v>{_NAME})",
        # "I'm still nursing, now at the Royal Infirmary": the same work somewhere new
        rf"\b(?:still|now)\s+(?:{JOB_NOUN}|[a-z]+ing)\b[^.;]{{0,20}}?\bnow at\s+(?:the\s+)?(?P<v>{_NAME})",
        r"\b(?:job|role|position)\s+(?:at|with)\s+(?P<v>(?:an?\s+|the\s+)?[\w'&. -]+?)"
        r"(?=,|\.|;|!|\?| in | and | so | but | because | which |$)",
    ):
        match = re.search(pattern, c, re.I if pattern.startswith(r"\b(?:work|") else 0)
        if match:
            _add(props, "employer", match.group("v"))
            break
    # Gig work between jobs: "doing doordash for now", "driving for uber till I find something"
    gig = re.search(
        rf"\b(?:doing|driving for|delivering for|riding for|working for|on)\s+(?P<v>{_GIGS})\b|"
        rf"(?:^|,\s*)(?P<w>{_GIGS})\s+(?:for now|now|till|until|these days)\b",
        c,
        re.I,
    )
    if gig and "employer" not in props:
        props["employer"] = (gig.group("v") or gig.group("w")).title()
    if re.search(
        r"\b(?:gone|went|going) freelance\b|\bworking for myself\b|\bself-employed\b|"
        r"\b(?:I'm|im|I am|been|now|currently)\s+(?:just\s+)?freelancing\b",
        c,
        re.I,
    ):
        props["employer"] = "freelance"
    elif re.search(
        r"\b(?:gone|went|going|struck) out on (?:my|his|her|their) own\b|"
        r"\b(?:started|starting|set up|registered|running|run|opened|opening|launched) (?:my|his|her|their) own "
        r"(?:[\w-]+\s+){0,2}(?:business|company|firm|practice|shop|place|spot|restaurant|caf[eé]|bakery|salon|studio|"
        r"bar|clinic|agency|thing|venture|brand|label)\b|\bregistered (?:my|his|her) business\b|"
        r"\b(?:contracting|freelancing|consulting)\b[^.]{0,20}\bown (?:company|business|firm)\b|"
        r"\b(?:back to|going|gone|went)\s+(?:doing my own thing|freelanc\w*|self-employed)\b",
        c,
        re.I,
    ):
        props["employer"] = "own business"
    for pattern in (
        # "admitted to the partnership", "made partner", "became an equity partner"
        r"\b(?:admitted to the |made |became (?:an?\s+)?(?:equity |salaried |full )?)(?P<v>partner)(?:ship)?\b",
        r"\b(?:promoted|bumped up|moved up)\s+to\s+(?P<v>[\w -]+?)(?=,|\.|;|!|\?| last | this | today|$)",
        rf"(?:\b(?:I'm|I am|im|now)|{_PERSON_IS}|{_AS_A_JOB})\s+(?:now\s+|still\s+)?(?:an?\s+|the\s+)"
        r"(?P<v>[a-z][\w -]{2,30}?)"
        r"(?=\s+(?:at|in|for|on|so|and|but|from|here|there)\b|,|\.|;|!|\?|$)",
        r"\b(?P<v>head of [\w ]+?)(?=\s+now|,|\.|!|$)",
        # "Now I am QA team lead": a job's name said without its article
        rf"\b(?:I'm|I am|im)\s+(?:now\s+)?(?P<v>(?:[A-Za-z-]+\s+){{0,3}}{JOB_NOUN})\b"
        r"(?=\s*(?:[,.;!]|$|now\b|at\b|for\b|in\b))",
        # "they made me tech lead", "going over as head chef", "officially Engineering Manager now"
        rf"\b(?:made|named|appointed)\s+(?:me|him|her|them)\s+(?:the\s+|an?\s+)?(?P<v>(?:[a-z-]+\s+){{0,3}}{JOB_NOUN})\b",
        rf"\b(?:going|moving|coming|start(?:ed|ing)?|hired|joining|joined|back)\s+(?:over\s+|in\s+|on\s+)?as\s+"
        rf"(?:an?\s+|the\s+)?(?P<v>(?:[a-z-]+\s+){{0,3}}{JOB_NOUN})\b",
        rf"\bofficially\s+(?:an?\s+|the\s+)?(?P<v>(?:[a-z-]+\s+){{0,3}}{JOB_NOUN})\b",
        # "senior product designer now", "team lead now": a job's name, said as what the speaker is now.
        rf"(?:^|\bpromoted\b[\s,!.]*)(?:(?:a|an)\s+)?(?P<v>(?:[a-z-]+\s+){{0,3}}{JOB_NOUN})\s+now\b",
        # A terse introduction: "raj, accountant.", "solicitor, manchester.", "remote backend dev."
        # "maria here, dental hygienist in san antonio", "graphic designer in seattle", "grad student btw, marine bio"
        rf"^(?:(?:(?:yo|hey|hi|hello)\s+)?(?:i'?m|im|i am|this is)\s+)?(?:[\w-]+(?:\s+here)?[,!]\s+)?(?:(?:a|an)\s+)?"
        r"(?!(?:my|his|her|their|our|your|the|this|that)\b)"
        rf"(?P<v>(?:[a-z-]+\s+){{0,3}}{JOB_NOUN})(?:\s+(?:btw|tbh|lol))?"
        r"(?:\s+(?:in|at|from|based in)\s+[\w -]+)?\s*(?:,[^.!?]*)?[.!]?$",
        r"\bdoing the (?P<v>[\w -]+?) job\b",
        # "studying medicine in Kigali": a student of it, until the job that follows
        r"\b(?P<study>studying|studies|study|doing a degree in|reading)\s+"
        r"(?P<v>medicine|law|nursing|engineering|pharmacy|"
        r"dentistry|architecture|accounting|economics|computer science|psychology|physiotherapy)\b",
        # "being a pharmacist, I know ...", "as a nurse I ...", "teacher here (Lagos)": what the speaker is
        rf"^(?:being|as)\s+an?\s+(?P<v>(?:[a-z-]+\s+){{0,2}}{JOB_NOUN})\b",
        rf"^(?P<v>(?:[a-z-]+\s+){{0,2}}{JOB_NOUN})\s+here\b",
        r"\b(?:moved|moving|stepped|stepping|promoted|transferred)\s+(?:up\s+)?into\s+(?:an?|the|my new)\s+"
        r"(?P<v>[\w -]{3,40}?)\s+(?:role|position|job)\b",
        # "got into vet school at UC Davis": a student now, whatever the speaker was
        r"\b(?:got into|got accepted (?:to|into)|starting|started|enrolled (?:at|in))\s+(?P<v>(?:[a-z]+\s+)?"
        r"(?:school|grad school|med school|law school|uni|university|college|a (?:phd|masters?|master's)))\b",
        # "I work nights as taxi driver": the article left out
        rf"{_AS_A_JOB}\s+(?P<v>(?:[a-z-]+\s+){{0,2}}{JOB_NOUN})\b",
        r"\bI do (?P<v>\w+(?: \w+)?) for\b",
        r"\b(?P<v>retired)\b",
    ):
        match = re.search(pattern, c, re.I)
        if match and not re.search(
            r"\b(?:fan|lot|bit|mess|pain|nightmare|start|way|one|person|place|best|worst|key|main|only|first|last|"
            r"part|thing|reason|point|journey|feeling|decision|chance|idea|pic|photo|picture|guy|girl|gal|dude|"
            r"lady|type|kind)\b",
            match["v"],
        ):
            studying = match.groupdict().get("study")
            _add(props, "title", f"{match.group('v')} student" if studying else match.group("v"))
            break
    # The seat someone takes on a plane: "I always want window seat", then "From now I need aisle".
    seats = [
        m
        for m in re.finditer(
            r"\b(?P<v>window|aisle|middle)\s+seats?\b|"
            r"(?:^|[,;.!]\s*|\b(?:want|wants|need|needs|prefer|prefers|book|take|takes|always|give me|get|go|goes|"
            r"sit|sits|pick|picks|must have|have to have)\s+"
            r"(?:an?\s+|the\s+)?)"
            r"(?P<w>aisle|window)\b(?!\s+(?:cleaner|frame|box|shopping))",
            c,
            re.I,
        )
        if not re.match(r"\s*(?:seats?\s+)?(?:is|are|'s|'re)\s+(?:over|out|done|a no)\b", c[m.end() :], re.I)
    ]
    if seats:
        seat = (
            seats[0] if re.match(r"\s*(?:over|to|rather than|instead of)\b", c[seats[0].end() :], re.I) else seats[-1]
        )
        props["seat"] = (seat.group("v") or seat.group("w")).lower()
    # Which of two the speaker prefers: "I prefer texts to calls", then "I prefer calls now". The key names
    # both options, or the one said with "now", so either change finds the other (rules_reconcile).
    prefer = re.search(
        r"\bprefers?\s+(?P<v>[a-z][\w-]{2,})\s+(?:to|over|rather than)\s+(?P<o>[a-z][\w-]{2,})\b|"
        r"\bprefers?\s+(?P<w>[a-z][\w-]{2,})\s+(?:now|these days|nowadays|instead)\b",
        c,
        re.I,
    )
    if prefer:
        chosen = (prefer.group("v") or prefer.group("w")).lower()
        options = sorted({stem(chosen), *([stem(prefer.group("o").lower())] if prefer.group("o") else [])})
        props[f"prefer:{'|'.join(options)}"] = chosen
    # Which school or nursery a child goes to: "goes to Little Acorns nursery", "started Reception at Greenhill"
    school = re.search(
        rf"\b(?:goes|go|going|started|starts|starting|moved|moving|switched)\s+(?:to|at)\s+(?:the\s+)?(?P<v>{_NAME})\s+"
        rf"(?i:nursery|primary|school|academy|kindergarten|preschool|pre-school|high school|elementary)\b|"
        rf"\b(?i:year\s+\d{{1,2}}|grade\s+\d{{1,2}}|reception|nursery|kindergarten|preschool|primary|secondary)\s+at\s+"
        rf"(?:the\s+)?(?P<w>{_NAME})",
        c,
    )
    if school:
        _add(props, "school", school.group("v") or school.group("w"))
    team = re.search(r"\b(?:the|their|our|my)\s+(?P<v>[\w -]+?)\s+team\b", c, re.I)
    if team:
        _add(props, "team", team.group("v"))
    # Partners and relationship status.
    partner = re.search(rf"\b[Mm]y\s+(?:new\s+)?(?:{'|'.join(PARTNERS)}|bf|gf|hubby)\s+(?:is\s+)?(?P<v>{_NAME})", c)
    partner = partner or re.search(
        rf"\b(?:am|'m|[Ii]m|are|'re|is|'s|been|started|start|was|were|now|officially)\s+(?:now\s+|officially\s+)?"
        r"(?:dating|seeing)\s+"
        r"(?:someone[\w ,]*?[,:]\s*(?:(?:her|his|their) name(?:'s| is)\s+|(?:she|he)(?:'s| is) (?:called|named)\s+)?|"
        r"(?:someone|somebody|a (?:guy|girl|woman|man)) (?:called|named)\s+)?"
        rf"(?P<v>{_NAME})",
        c,
    )
    partner = partner or re.search(rf"^(?P<v>{_NAME})\s+(?:and|&)\s+I\s+(?:are|have been|got)\b", c)
    # A terse "Seeing someone new: Mikkel, carpenter." (not "Seeing Tom for lunch")
    partner = partner or re.search(rf"^(?i:seeing|dating)\s+(?:someone|somebody)[\w ]{{0,12}}?[,:]\s*(?P<v>{_NAME})", c)
    if partner and partner.group("v") not in _NOT_NAMES:
        _add(props, "partner", re.sub(r"'s$", "", partner.group("v")))  # "my wife Katrin's birthday": Katrin
        called = re.match(r"\w+\s+(?:new\s+)?(\w+)", partner.group(0))  # "my boyfriend Tom": they are dating
        word = called.group(1).lower() if called else ""
        implied = _PARTNER_STATUS.get("fianc" if word.startswith("fianc") else word)  # fiancé, fiancée, fiance
    status = re.search(  # a status said of someone: "I'm single", "we got married", "are officially together"
        r"\b(?:am|'m|im|are|'re|is|'s|be|been|being|got|get|getting|was|were|now|still|happily|just)\s+"
        r"(?:now\s+|officially\s+|still\s+|happily\s+|just\s+|recently\s+)?"
        r"(?P<v>single|dating|seeing someone|engaged|proposed|married|divorced|separated|widowed|"
        r"(?:officially\s+)?together|official)\b(?!\s+(?:parent|mum|mom|dad|father|mother|life))",
        c,
        re.I,
    ) or re.search(
        r"\b(?P<v>proposed|divorced|separated)\b|\b(?P<d>divorce)\s+(?:is\s+|was\s+|went\s+|came\s+)?(?:final|through)\b|"
        r"(?:^|[,;:!]\s*)(?:just\s+|finally\s+|officially\s+)?"  # "we did it, married as of saturday"
        r"(?P<w>married|engaged)\b(?!\s+(?:couples?|life|people|friends|to\s+(?:the|my|his|her)\s+(?:job|work)))",
        c,
        re.I,
    )
    if status:
        word = "divorced" if status.groupdict().get("d") else (status.group("v") or status.group("w")).lower()
        word = word.replace("officially ", "")
        word = {"proposed": "engaged", "official": "together", "seeing someone": "dating"}.get(word, word)
        if word == "married" and re.match(r"(?:get|getting|be)\s", status.group(0), re.I):
            word = "engaged"  # "we're getting married in November": not yet
        props.setdefault("relationship", word)
    elif partner and partner.group("v") not in _NOT_NAMES and implied:
        props.setdefault("relationship", implied)
    if "relationship" not in props and re.search(
        r"\b(?:has|have|got|found)\s+(?:a\s+)?(?:new\s+)?(?:girlfriend|boyfriend|gf|bf)\b", c, re.I
    ):
        props["relationship"] = "dating"  # "Leo has a girlfriend now"
    if "relationship" not in props and re.search(r"\bi (?:have|got) a (?:husband|wife)\b", c, re.I):
        props["relationship"] = "married"  # "still can't believe i have a husband"
    if "relationship" not in props and re.search(
        r"\b(?:back from|home from|on|after)\s+(?:the|our|my)\s+honeymoon\b|"
        r"\b(?:the|our|my)\s+wedding\s+(?:was|went)\b",
        c,
        re.I,
    ):
        props["relationship"] = "married"  # "back from the honeymoon in Bali!", "the wedding was chaos but perfect"
    if re.search(r"\bas (?:husband and wife|man and wife|a married couple|newlyweds)\b|\bnewlyweds?\b", c, re.I):
        props["relationship"] = "married"  # "first anniversary as husband and wife"
    if re.search(
        r"\bpregnan|\bdue in\b|\bexpecting (?:a|our|my|their|her)?\s*(?:first |second |third )?(?:baby|child)\b",
        c,
        re.I,
    ):
        props["pregnancy"] = "pregnant"
    if re.search(r"\bhad the baby\b|\bgave birth\b|(?<!\bI )(?<!\bi )\bwas born\b|"
                 r"\bborn (?:on )?(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday|last|this)",
                 c, re.I):  # fmt: skip
        props["pregnancy"] = "had the baby"
    # Diet, smoking, allergies, cars.
    diet = _DIET.search(c)
    lapsed = re.search(
        r"\b(?:not|no longer|isn't|am not|'m not|stopped being|quit being|gave up being)\s+(?:a\s+)?"
        r"(?P<v>vegetarian|veggie|vegan|pescatarian)\b",
        c,
        re.I,
    )
    eats_again = re.search(
        r"\b(?:started|start|starting|began|begun|back to|gone back to|went back to)\s+eating\s+"
        r"(?P<v>(?:(?:meat|fish|seafood|chicken|eggs|dairy|cheese|pork|beef)(?:,\s*|\s+and\s+|\s+&\s+)?)+)",
        c,
        re.I,
    )
    # "i'm not vegan anymore, went back to eggs & dairy. vegetarian now": the diet now is the one said after
    now = _DIET.search(c, lapsed.end()) if lapsed else None
    if lapsed and now and now.group("v").lower() != lapsed.group("v").lower():
        lapsed, diet = None, now
    if eats_again:  # "I've started eating fish and eggs again": the diet that excluded them is over
        props["diet"] = "eats " + eats_again.group("v").strip(" ,&").lower()
    elif lapsed:  # "I'm not vegetarian anymore": a diet that ended, not the diet said again
        word = lapsed.group("v").lower()
        props["diet"] = "ex-" + ("vegetarian" if word == "veggie" else word)
    elif diet:
        word = diet.group("v").lower()
        props["diet"] = (
            "vegetarian" if word in ("veggie", "no meat") or "eat meat" in word
            else "everything" if "everything" in word or "anything" in word
            else re.sub(r"^(?:strictly|fully|100%)\s+|[- ]free$", "", word) + "-free" if "free" in word
            else word
        )  # fmt: skip
    if re.search(
        r"\bsmoke[- ]?free\b|\bnon-?smoker\b|"
        r"\b(?:quit|stopped|gave up|giving up|off the) (?:smoking|cigarettes|cigs)\b|"
        r"\bwithout (?:a )?(?:single )?(?:cigarettes?|cigs?|smoking)\b|"
        r"\bno (?:cigarettes|cigs)\b|\b(?:not|stopped) smoking\b|"
        r"\bhaven'?t (?:had|smoked) a (?:single )?(?:cigarette|cig)\b",
        c,
        re.I,
    ):
        props["smoking"] = "no"
    elif re.search(
        r"\bI smoke\b|\bsmoke (?:about |like |around |maybe )?\w+ a day\b|(?<!non-)(?<!non)(?<!ex-)\bsmoker\b|"
        r"\b(?:a |half a |two |2 )?packs? a day\b",
        c,
        re.I,
    ):
        props["smoking"] = "yes"
    allergies = (
        r"\b(?P<i>lactose|gluten|dairy|wheat|fructose|histamine|egg|soy)[- ]intoleran(?:t|ce)\b|"
        r"\ballerg(?:ic to|y to|ies:?|y:)\s*(?P<v>(?:tree )?[\w-]+)|\bno (?P<w>[\w-]+) for me,? allergy|"
        r"\b(?:it's|its|it is)\s+(?P<x>(?:tree )?[\w-]+)\s+(?:I'm|im|I am)\s+allergic to|"  # "it's tree nuts i'm ..."
        # "a severe peanut allergy", "the peanut-allergic guy": the allergen before the word
        r"\b(?!(?:severe|bad|mild|serious|food|seasonal|skin|nasty|deadly|terrible|an|the|my|his|her|their|our|a|"
        r"no|any|some|new|real|life|hay|dust|drug|known|weird|slight|major|minor)\b)"
        r"(?P<y>(?:tree )?[a-z]{3,})[- ]allerg(?:y|ic)\b"
    )
    for allergy in re.finditer(allergies, c, re.I):
        allergen = stem(
            str(
                allergy.group("v")
                or allergy.group("w")
                or allergy.group("x")
                or allergy.group("i")
                or allergy.group("y")
            ).lower()
        )
        props[f"allergy:{allergen}"] = allergen
    car = re.search(rf"\b(?:drive|drives|driving)\s+an?\s+(?P<v>(?:\d{{4}}\s+)?{_NAME})", c) or re.search(
        rf"\b(?:bought|got|picked up|leased|leasing|traded (?:it )?in for)\s+(?:a|an|my|our)\s+"
        rf"(?:(?:new|used|second-hand|secondhand|old|brand new|little)\s+)?(?P<v>(?:\d{{4}}\s+)?(?:{_CAR_MAKES})\d*\b"
        r"(?-i:\s+[A-Z0-9][\w-]*){0,2})",
        c,
        re.I,
    )
    if car:
        _add(props, "car", car.group("v"))
    hobby = (
        re.search(r"\bhobby(?:\s+is|\s*:)\s*(?P<v>[^,.!?;]+)", c, re.I)
        or re.search(
            r"(?:^|[,;]\s*)(?P<v>[\w' -]+?)\s+is\s+(?:now\s+)?my\s+(?:new\s+|main\s+)?(?:hobby|thing)\b", c, re.I
        )
        or re.search(  # "into film photography now"
            r"\b(?:I'm\s+|im\s+|I am\s+)?(?:really\s+|super\s+|so\s+)?into\s+(?P<v>[\w -]+?)\s+"
            r"(?:now|lately|these days)\b",
            c,
            re.I,
        )
    )
    if hobby:
        _add(props, "hobby", hobby.group("v"))
    # What someone plays and which sport they do: "Sofia started violin lessons", "wants to play drums now",
    # "Mateo does football on Saturdays", "switched from football to swimming".
    played = _PLAYED.search(c)
    said_of = (played.group("v") or played.group("w")) if played else ""
    if played and not re.search(rf"\b(?:quit|stopped|gave up|given up|dropped)\s+(?:the\s+)?{said_of}", c, re.I):
        props["instrument"] = said_of.lower()
    sport = _SPORT.search(c)
    if sport:
        props["sport"] = (sport.group("x") or sport.group("v") or sport.group("w")).lower()
    born = re.search(
        r"\b(?:birth ?year|year of birth)\s*(?:is|was|=|:)?\s*(?P<v>(?:19|20)\d\d)\b|\bborn in (?P<w>(?:19|20)\d\d)\b",
        c,
        re.I,
    )
    if born:
        props["birth_year"] = born.group("v") or born.group("w")
    style = answer_style(c)
    if style:
        props["answer_style"] = style
    usual = drink(c)
    if usual:
        props["drink"] = usual
    # Pronouns: "she/her", "I use they/them now".
    pronouns = re.search(r"\b(?:she|he|they|xe|ze)/(?:her|hers|him|his|them|they|she|he|xem|zir)\b", c, re.I)
    if pronouns:
        props["pronouns"] = pronouns.group(0).lower()
    # The phone and the computer someone uses: "switched to a Pixel", "I edit on a ThinkPad P52".
    for key, names in _DEVICES:
        device = re.search(rf"{_USING}(?P<v>{names})\b", c, re.I)
        if device:
            props[key] = device.group("v")
    # A pet named in passing: "living in cardiff w my cat biscuit".
    pet = re.search(rf"\b(?:my|our)\s+(?:little\s+|old\s+|new\s+)?(?P<species>cat|dog)\s+(?P<v>{_NAME})", c)
    if pet and pet.start() > 0 and pet.group("v") not in _NOT_NAMES:  # at the start, the clause is about the pet
        props.setdefault(pet.group("species"), pet.group("v"))
    # Contact details: "my number is 07700 900123", "new email: ana@example.org".
    email = re.search(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", c)
    if email and re.search(r"\b(?:my|new|use|email|e-mail|mail|reach me|contact)\b", c, re.I):
        props["email"] = email.group(0).lower()
    phone = re.search(r"(?<![\w+])(?:\+?\d[\d ()-]{6,}\d)\b", c)
    if phone and re.search(r"\b(?:number|phone|mobile|cell|whatsapp|call me|text me)\b", c, re.I):
        digits = re.sub(r"\D", "", phone.group(0))
        if 7 <= len(digits) <= 15:
            props["phone"] = digits
    # Body weight, a medicine's dose, the language replies should be in, the team someone supports.
    weight = re.search(
        r"\b(?:weigh(?:s|ing)?|weight is|(?:down|up) to|at)\s+(?:about\s+|around\s+)?"
        r"(?P<v>\d{2,3}(?:\.\d)?)\s?(?P<u>kg|kilos?|lbs?|pounds|stone)\b",
        c,
        re.I,
    )
    if weight and (weight.group("u").lower() != "pounds" or re.search(r"\bweigh", c, re.I)):
        props["weight"] = f"{weight.group('v')} {weight.group('u').lower().rstrip('s')}"
    _dose(c, props)
    language = re.search(
        r"\b(?:reply|replies|answer|answers|respond|write|talk|speak)\s+(?:to me\s+)?in\s+(?P<v>English|Spanish|French|"
        r"German|Italian|Portuguese|Dutch|Polish|Turkish|Arabic|Hindi|Urdu|Bengali|Chinese|Mandarin|Cantonese|"
        r"Japanese|Korean|Vietnamese|Thai|Indonesian|Malay|Swahili|Russian|Ukrainian|Greek|Hebrew|Persian|Tagalog)\b",
        c,
        re.I,
    )
    if language and not re.search(r"\b(?:can'?t|cannot|don'?t|never)\b", c[: language.start()], re.I):
        props["reply_language"] = language.group("v").title()
    team = re.search(
        rf"\b(?:I|we)\s+support\s+(?P<v>{_NAME})|(?:\b(?:a|an)\s+|^)(?:big |huge |massive |lifelong |die-hard )?"
        rf"(?P<w>{_NAME})\s+(?:fan|supporter)\b|(?P<x>{_NAME})\s+(?:is|are)\s+my\s+team\b",
        c,
    )
    if team and (found := team.group("v") or team.group("w") or team.group("x")) not in _NOT_NAMES:
        _add(props, "favourite:team", found)
    # Names, birthdays, ages.
    called = re.search(rf"\b(?:calls? me|go by|goes by|known as|address me as)\s+(?P<v>{_NAME})", c)
    if called:
        _add(props, "name", called.group("v"))
    birthday = re.search(
        r"\b(?:birthday|bday|born)\b(?:\s+is)?[\s,]*(?:actually\s+)?(?:on\s+)?(?:next week,?\s*)?"
        r"(?P<v>[^,.!?;]*\d[^,.!?;]*)",
        c,
        re.I,
    )
    if birthday and not re.search(r"\b(?:had the baby|was born \w+day)\b", c, re.I):
        props["birthday"] = _clean_value(birthday.group("v"))
    age = re.search(
        r"(?:\bturned|\bturning|\bI'm|\bI am|,)\s+(?:the big\s+)?(?P<v>\d-\d|\d{1,2})(?![,.]\d)(?:\s+years old)?\b"
        r"(?!\s*(?:%|k\b|am\b|pm\b|min|people|to\b|\w+s\b))",
        c,
    )
    if age is None:
        aged = re.search(
            rf"(?:{_PERSON_IS}|\b(?:[Mm]y|[Oo]ur)\s+(?:{RELATIONS})\s+[A-Z][\w-]+\s+is)\s+(?P<v>\d{{1,2}}|"
            r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?:\s+years?\s+old)?"
            r"(?=\s*(?:[,.!?;]|$|and\b|now\b))",
            c,
        )
        if aged:
            props["age"] = number(aged.group("v")) or aged.group("v")
    if age and (
        re.search(r"\bturn|years old|big|birthday", c, re.I)
        or re.match(r",|\s+and\s+(?!a half\b)", c[age.end() :])  # "I'm 44, from Porto", "I'm 44 and from Porto"
        or age.end() == len(c)
    ):
        props["age"] = number(age.group("v")) or age.group("v")
    elif self_aged := re.search(r"\b(?:I'm|I am|im)\s+an?\s+(?P<v>\d{1,2})[- ]year[- ]old\b", c, re.I):
        props["age"] = self_aged.group("v")  # "I'm a 29-year-old teacher": not "my 6-year-old"
    elif bare_age := re.match(r"(?P<v>[1-9]\d)\s+now\b(?!\s+(?:\w+s|people|staff)\b)", c, re.I):
        props["age"] = bare_age.group("v")  # "32 now lol. still nursing": an age said alone
    # Favourites: "my favourite band is X", "X is still my number one band", "my new favourite thing".
    favourite = re.search(
        r"(?P<v>[\w' -]+?)\s+(?:is|are)\s+(?:still\s+|now\s+)?(?:my|our)\s+(?:new\s+)?(?:all-time\s+)?"
        r"(?:favou?rite|fave|number one|no\.? ?1)\s+(?P<noun>[a-z]+)",
        c,
        re.I,
    ) or re.search(
        r"\b(?:favou?rite|fave|number one|no\.? ?1)\s+(?P<noun>[a-z]+)(?:\s+(?:ever|these days|of all time|now))?"
        r"\s*(?:(?:is|are|=|:|and it'?s|it'?s)\s*|,\s*(?=[A-Z]))(?P<v>[^,.!?;]+)",
        c,
        re.I,
    )
    if favourite:
        _add(props, f"favourite:{stem(favourite.group('noun').lower())}", favourite.group("v"))
    # Who someone goes to for a service: "our babysitter is Niamh", "new sitter is Brigid", "my landlord mr. patel"
    provider = next((m for m in reversed(list(_PROVIDER.finditer(c)))), None)  # the last: "..., new landlord is X"
    if provider:
        props.setdefault(
            PROVIDERS[provider.group("role").lower()], (provider.group("v") or provider.group("t")).removesuffix("'s")
        )
    insurer = _INSURER.search(c)  # "insurance for the tesla is with Geico", "she's insured with State Farm"
    if insurer:
        props.setdefault("insurer", insurer.group("v"))
    switched = _SWITCHED_PROVIDER.search(c)  # "switched vets, now going to Clínica Veterinária Casa Forte"
    if switched:
        props.setdefault(PROVIDERS[switched.group("role").lower()], switched.group("v"))
    # Money: rent, salary, prices.
    # Each amount goes with the money noun nearest to it: "budget check: 2400 rent, take home 5.8k".
    amounts = list(re.finditer(rf"{_AMOUNT_PATTERN}|\b(?P<b>\d{{3,}}[\d,]*)(?=\s+(?:rent|salary|mortgage)\b)", c, re.I))
    nouns = list(
        re.finditer(r"\b(rent|renting|salary|pay|income|mortgage|loan|budget|price|cost|fee|raise)\b", c, re.I)
    )
    for money in amounts:
        amount = amount_value(money)
        near = [n for n in nouns if abs(n.start() - money.start()) <= 40]
        if _PAYS_ME.search(c[max(0, money.start() - 30) : money.start()]):
            continue  # "my mate Femi, he pays me £600": what someone else pays, not the speaker's rent
        if _EARNS_BEFORE.search(c[max(0, money.start() - 30) : money.start()]):
            noun = "salary"  # "making 18 million VND a month, rent is 5 million": what is made is pay
        elif near:
            noun = min(near, key=lambda n: abs(n.start() - money.start())).group(1).lower().removesuffix("ing")
        elif _PRICED_HOME.search(c):
            noun = "rent"  # "got a studio in plagwitz for 480€"
        elif _EARNS.search(c) or (_A_JOB.search(c) and _PER_PERIOD.match(c, money.end())):
            noun = "salary"  # "on 95k", "i make 84k as a civil engineer", "an offer at Grab, 35 million/month"
        elif money.group("n") or money.group("a") or money.group("s"):
            noun = "amount"
        else:
            continue  # "run about 10k", "40k a week": a bare "k" is money only beside a money word
        if amount and amount not in props.values():  # "25 triệu per month (25m VND)": one amount said twice
            props.setdefault(f"money:{'salary' if noun in ('pay', 'raise', 'income') else noun}", amount)
    if not any(key.startswith("money:") for key in props):  # "my rent is 1200 a month", "rent up to 1350"
        bare = re.search(
            r"\b(?P<noun>rent|salary|mortgage)(?:'s)?\b[^.!?;\d]{0,30}?\b(?:is|of|to|at|now|still|=)\s+"
            r"(?:about\s+|around\s+|the same\s+|still\s+)?"
            r"(?P<v>\d{3,}(?:,\d{3})*)(?![\d,.]*\s*(?:%|am\b|pm\b|people|sq|m2|km|miles))",
            c,
            re.I,
        )
        if bare and not re.fullmatch(r"(?:19|20)\d\d", bare.group("v")):
            props[f"money:{bare.group('noun').lower()}"] = number(bare.group("v")) or bare.group("v")
    # Counts: "two cats", "team of 35", "48 people now", "we've got six now".
    counted = [
        (m.group("n"), m.group("noun"))
        for m in re.finditer(
            # not "Type 2 diabetes", "Year 6 pupils", "stage 3 cancers"
            rf"(?<!\btype )(?<!\byear )(?<!\bstage )(?<!\bgrade )(?<!\blevel )(?<![:/.\d])"
            rf"\b(?P<n>{_NUM})\s+(?!(?:more|extra|additional)\b)(?:[a-z-]+\s+)?(?P<noun>[a-z]{{3,}}s|people|children|staff)\b",
            c,
            re.I,
        )
        if m.group("noun").lower() not in _UNITS
        and not m.group("noun")[:1].isupper()  # "a pastry chef at Twelve Triangles": a name, not a count
        and m.group("noun").lower()
        not in ("this", "thus", "is", "was", "has", "does", "goes", "yes", "plus", "across", "less")
        and number(m.group("n")) is not None
        and not any(money.start() <= m.start() < money.end() for money in amounts)
    ]
    team_of = re.search(
        rf"\bteam of (?P<n>{_NUM})\b|\bteam(?:'s|\s+is)\s+(?:now\s+|at\s+)?(?P<m>{_NUM})\b(?!\s*(?:%|am|pm))|"
        # "team grew to 11", "team down to 9 after the reorg"
        rf"\bteam(?:'s|\s+is|\s+has)?\s+(?:grew|grown|went|got|shrank|shrunk|dropped|fell|now|up|down)\s+"
        rf"(?:up\s+|down\s+)?to\s+(?P<o>{_NUM})\b(?!\s*(?:%|am|pm))",
        c,
        re.I,
    )
    if team_of:
        counted.append((team_of.group("n") or team_of.group("m") or team_of.group("o"), "people"))
    # "now we are six, me not counting", "ten of us now": a business or a team counted as people
    us = re.search(
        rf"\b(?:we are|we're|we r)\s+(?:now\s+)?(?P<n>{_NUM})\b(?!\s*(?:%|am\b|pm\b|[a-z]))|"
        rf"\b(?P<m>{_NUM}) of us\b(?!\s+(?:went|are going|will|were))",
        c,
        re.I,
    )
    if us and not team_of and float(number(us.group("n") or us.group("m")) or 0) > 2:
        counted.append((us.group("n") or us.group("m"), "people"))
    reports = re.search(rf"\b(?P<n>{_NUM})\s+(?:direct\s+)?(?:reports|engineers|devs|developers)\b", c, re.I)
    if reports and not team_of:
        counted.append((reports.group("n"), "people"))  # "down to 5 reports": the team the speaker manages
    parent_of = re.search(
        rf"\b(?:mum|mom|mother|dad|father|parent)\s+of\s+(?P<n>{_NUM})\b(?!\s+(?!kids|children|boys|girls)[a-z]{{3,}})",
        c,
        re.I,
    )
    if parent_of:
        counted.append((parent_of.group("n"), "kids"))  # "mum of two"
    # "3 under 7", "two under two": how parents count their children by the eldest's age
    under = re.search(
        rf"(?:^|[,;.!]\s*|\b(?:now|have|got|with)\s+)(?P<n>{_NUM})\s+under\s+(?:\d{{1,2}}|{_NUM})(?:s)?\b(?!\s*(?:%|kg|k\b))",
        c,
        re.I,
    )
    if under and not parent_of:
        counted.append((under.group("n"), "kids"))
    bare_now = re.search(rf"\b(?:got|have|at|to)\s+(?P<n>{_NUM})\s+(?:now|left)\b", c, re.I)
    nth = re.search(
        r"\b(?:a|our|my|the|baby)\s+(?:#|number\s+)?(?P<n>second|third|fourth|fifth|sixth|[2-9](?:nd|rd|th)?)\b"
        r"(?:\s+(?P<noun>cats?|dogs?|kids?|child|baby|puppy|kitten|grandchild))?",
        c,
        re.I,
    )
    born = re.search(r"\b(?:was|is) born\b|\barrived\b|\bgave birth\b", c, re.I)
    expecting = props.get("pregnancy") == "pregnant"  # "expecting our second baby": one child so far
    if nth and not expecting and (nth.group("noun") or nth.group(0).lower().startswith("baby") or born):
        ordinal = {"second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6"}
        noun = (nth.group("noun") or "kid").lower()
        noun = "kids" if noun in ("child", "baby", "kid", "kids", "grandchild") else noun
        counted.append((ordinal.get(nth.group("n").lower(), re.sub(r"\D", "", nth.group("n"))), noun))  # "a third cat"
    if counted:
        how_many, noun = counted[-1]
        if bare_now:
            how_many = bare_now.group("n")
        noun = stem(noun.lower())
        noun = "people" if noun in _STAFF else noun  # "4 staff", then "8 employees": one count of people
        props[f"count:{noun}"] = number(how_many) or how_many
    return props


_STAFF = frozenset(["staff", "employee", "worker", "person", "people", "hire"])


# A review or a rise is about pay: "annual review today, bumped up to £47,500", "another rise: I'm on 51k".
_TURN_MONEY = re.compile(
    r"\b(rent|renting|landlord|lease|salary|raise|pay ?rise|rise|hike|increment|appraisal|pay|income|mortgage|loan|"
    r"(?:annual |pay |salary )?review|base|package|compensation|ctc|wages?|earn(?:s|ing|ings)?|take[- ]home|"
    r"paycheck|paycheque|stipend|"
    r"(?:changed|switched|changing|switching|new|got a new)\s+(?:jobs?|roles?)|job offer)\b",  # "changed jobs, 60M now"
    re.I,
)
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WORD_AMOUNT = re.compile(
    rf"\b(?P<tens>{'|'.join(_TENS)})(?:[- ](?P<ones>{'|'.join(_ONES)}))?\s+(?:thousand|grand|k)\b", re.I
)


def _word_amount(clause: str) -> str | None:
    """ "fifty-one thousand" as "51000"; None when the clause says no such amount."""
    said = _WORD_AMOUNT.search(clause)
    if said is None:
        return None
    ones = _ONES.index(said.group("ones").lower()) + 1 if said.group("ones") else 0
    return str(((_TENS.index(said.group("tens").lower()) + 2) * 10 + ones) * 1000)


AMOUNT = re.compile(_AMOUNT_PATTERN, re.I)


_JOB_SWITCH = re.compile(r"\b(?:switched|changed|new|started a new|got a new)\s+jobs?\b", re.I)
_JOBS_CHANGED = re.compile(r"\b(?:switched|changed)\s+jobs?\b", re.I)  # not "moved to Dubai for a new job"
_NAME_NOW = re.compile(r"^(?:at\s+)?(?P<v>[A-Za-z][\w&.-]+)\s+now\b")


_MOVED = re.compile(r"\b(?:moved|moving|relocated|new (?:place|flat|house|home)|got the keys)\b", re.I)


def named_now(clause: str, turn: str, props: dict[str, str]) -> dict[str, str] | None:
    """In a turn that says the job changed ("switched jobs. spotify now, platform team."), a name said
    with "now", or moved to ("changed jobs, moved to Nexon"), is the new employer; in one that says a move
    ("Moved! Fishponds now, bigger place"), the new home; None otherwise."""
    home = props.get("residence")
    if (
        home
        and "employer" not in props
        and _JOBS_CHANGED.search(turn)
        and re.search(rf"\bmoved\s+(?:over\s+)?to\s+{re.escape(home)}\b", clause, re.I)
    ):  # "I changed jobs too - moved to Nexon, 60 million now": the new employer, not a town
        return {**{k: v for k, v in props.items() if k != "residence"}, "employer": home}
    named = _NAME_NOW.match(clause)
    if named is None:
        return None
    value = named.group("v")
    if value.lower() in _NO_NAMES or value in _NOT_NAMES or value.lower() == "now":
        return None
    if "employer" not in props and _JOB_SWITCH.search(turn):
        return {**props, "employer": value[:1].upper() + value[1:]}
    if "residence" not in props and not named.group(0).lower().startswith("at ") and _MOVED.search(turn):
        return {**props, "residence": value[:1].upper() + value[1:]}
    return None


_PRICED_HOME = re.compile(
    r"\b(?:place|flat|house|apartment|studio|bedsit|room|one-bed|two-bed|\w+-bed(?:room)?)\b[^.;]{0,40}?"
    r"\b(?:for|at)\s+(?:[£$€]\s?\d|\d[\d,.]*\s?(?:[£$€]|k\b|a month|per month|/month|pcm|pw|a week))",
    re.I,
)


def turn_money(turn: str) -> str | None:
    """The money a turn names ("lease renewed" -> rent), read once a turn."""
    noun = _TURN_MONEY.search(turn)
    return noun.group(1).lower() if noun else None


def turn_amount(clause: str, word: str | None, props: dict[str, str]) -> dict[str, str] | None:
    """The clause's properties with an amount it gives without naming what for ("they bumped it to
    $1,620", "112k starting this month") read as the money its turn names (`word`, from turn_money:
    "lease renewed", "raise came through"); None when there is no such amount or the clause names its
    own money already."""
    money = [k for k in props if k.startswith("money:")]
    # A home the clause prices is rent ("bigger place with a garden for £1,150"), though the turn goes on to
    # a pay rise. Reading the clause's own money word before the turn's lost a never-read story set 2 checks.
    word = "rent" if _PRICED_HOME.search(clause) else word
    if word is None or (money and money != ["money:amount"]):
        return None
    amount = AMOUNT.search(clause)
    if amount is not None and _PAYS_ME.search(clause[max(0, amount.start() - 30) : amount.start()]):
        return None  # "got a lodger to help w rent, he pays me £600"
    value = _word_amount(clause) if amount is None else amount_value(amount)
    if value is None:
        return None
    rent = {"rent": "money:rent", "renting": "money:rent", "landlord": "money:rent", "lease": "money:rent"}
    key = {**rent, "mortgage": "money:mortgage", "loan": "money:loan"}.get(word, "money:salary")
    return {**{k: v for k, v in props.items() if k != "money:amount"}, key: value}


_AMOUNT_LOST = re.compile(
    rf"\s+(?:about\s+|almost\s+|nearly\s+|over\s+)?(?:\d[\d.,]*|{_NUM})\s?"
    r"(?:kg|kilos?|lbs?|pounds|stone|dress sizes?|sizes?)\b",
    re.I,
)


def _ends_something(clause: str, ending: re.Match[str]) -> bool:
    """Whether an ENDING match ends something: not "I won't quit on my dreams", "lost 9kg", "left back"."""
    if re.search(
        r"\b(?:won'?t|will not|not gonna|not going to|never|don'?t|do not|didn'?t|can'?t|cannot|wouldn'?t|"
        r"refuse to|not about to)\s+(?:ever\s+)?$",
        clause[: ending.start("verb")],
        re.I,
    ):
        return False
    if ending.group("verb").lower() in ("lost", "dropped") and _AMOUNT_LOST.match(clause[ending.end("verb") :]):
        return False  # "lost 9kg since September", "dropped two dress sizes": weight, not an ending
    # "they've moved me to left back", "my left foot": a side, not a leaving
    return not re.match(
        r"left\s+(?:back|wing|winger|side|midfield|field|foot|hand|knee|leg|arm|eye|ear)\b", ending.group(0), re.I
    )


def claim(clause: str, speaker: str, last_other: str | None = None) -> Claim:
    """The claim one clause makes, said by `speaker` (a name, or "the user")."""
    subject, clause = _subject_of(_truecase(clause), speaker, last_other)
    props = properties(clause)
    if clause[:1].isupper():  # "Relocated to Singapore": the frames read verbs in lower case
        for key, value in properties(clause[:1].lower() + clause[1:]).items():
            props.setdefault(key, value)
    newborn = re.search(r"\b(?P<who>[A-Z][\w-]+),?\s+(?:was|is)\s+born\b", clause)
    if props.get("pregnancy") == "had the baby" and newborn and subject in (newborn.group("who").lower(), "she", "he"):
        subject = speaker.lower()  # "Ada was born on the 18th": the speaker's news, not Ada's
        props.pop("birthday", None)  # and the day is Ada's birthday, not the speaker's
    named_pet = None
    frame = _breed_frame(clause)
    if frame is not None and (
        subject == speaker.lower()
        or subject.removeprefix(f"{speaker.lower()}'s ") in PET_SPECIES
        or re.match(r"^(?:he|she|it)\b", clause, re.I)  # "he's a beagle": the pet just talked about
    ):
        species, breed = _species_and_breed(frame)
        if "title" in props and props["title"].lower() in frame.group(0).lower():
            del props["title"]  # "a retired racing greyhound" is no one's job
        if subject != speaker.lower() and "'s " not in subject:
            named_pet = subject  # "he's a beagle" of Rufus: losing Rufus ends it
        subject = speaker.lower()
        props[f"breed:{species}"] = breed
    if subject != speaker.lower():
        # "my manager Greta is amazing" is the speaker's manager as much as Greta's.
        owner = re.match(rf"^(?:[Mm]y|[Oo]ur)\s+(?:new\s+)?({RELATIONS})\s*,?\s*(?P<v>{_NAME})", clause)
        if owner and owner.group(1).lower() not in PARTNERS and set(props) <= {"age"}:  # "my dog Rufus is 12"
            return Claim(speaker.lower(), {kin(owner.group(1)): owner.group("v")})
    new_role = re.search(rf"\b(?:[Mm]y\s+)?(?:[Nn]ew|[Oo]ur new)\s+({RELATIONS})\s+(?:is|=)\s+(?P<v>{_NAME})", clause)
    new_role = new_role or re.match(rf"^[Mm]y\s+({RELATIONS})\s+is\s+(?P<v>{_NAME})\s*$", clause)  # "my partner is Jun"
    new_role = new_role or re.search(  # "new boss started today, his name is Dev"
        rf"\b[Nn]ew\s+({RELATIONS})\b[^.;]{{0,40}}?\b(?:(?:his|her|their) name(?:'s|\s+is)|called|named)\s+"
        rf"(?P<v>{_NAME})",
        clause,
    )
    if new_role:
        props[new_role.group(1).lower()] = new_role.group("v")
        subject = speaker.lower()
    own = re.match(rf"^(?:[Mm]y|[Oo]ur)\s+(?:{RELATIONS})\s*,?\s*(?P<v>{_NAME})\b", clause)
    if own and subject == speaker.lower():
        kind = re.match(rf"^(?:[Mm]y|[Oo]ur)\s+({RELATIONS})", clause)
        if kind:
            props.setdefault(kin(kind.group(1)), own.group("v"))
    aka = None
    if "'s " in subject:
        named = re.match(rf"^(?:[Mm]y|[Oo]ur)\s+(?:\w+\s+)?(?:{RELATIONS})\s*,?\s*(?P<v>[A-Z][\w-]+)\b", clause)
        aka = named.group("v").lower() if named and named.group("v") not in _NOT_NAMES else None
    # The first ending the clause says: "a stress fracture in my left foot ... I've pulled out of Berlin"
    ending = next((m for m in ENDING.finditer(clause) if _ends_something(clause, m)), None)
    ending = ending or _SPLIT_ENDING.search(clause)
    ends = None
    if ending:
        verb, obj = ending.group("verb").lower(), (ending.group("object") or "").strip()
        obj = re.sub(r"^(?:on|with|from|at|of)\s+", "", obj, flags=re.I)
        obj = re.sub(r"^(?:the|my|our|a|an|his|her)\s+", "", obj, flags=re.I).strip().lower()
        obj = re.split(r"\s+(?:on|in|at|last|this|yesterday|today|for|after|to|from|with|and|but|was|is)\b", obj)[0]
        if verb in ("called it quits", "broke up", "split up") or "together" in verb:
            ends = "partner"
            # What a break-up leaves, until someone new: "my girlfriend Anu and I broke up" is no girlfriend now.
            props["relationship"] = "single"
            for partner in ("partner", "bf", "gf", *PARTNERS):
                props.pop(partner, None)
        elif "eat" in verb:
            ends = re.sub(r".*\beat\s+(\w+).*", r"\1", verb)
        elif obj in ("smoking", "cigarettes", "smokes"):
            ends = "smoking"
        elif obj in ("", "for", "to", "at", "on", "in", "and", "with", "today", "yesterday", "last", "this"):
            ends = verb if verb == "quit" else None
        else:
            ends = obj
    switched = _SWITCHED.search(clause) if ends is None else None
    if switched:  # "switched from football to swimming", "swapped Notion for Obsidian": the old one ends
        old = switched.group("old") or switched.group("old2")
        ends = re.sub(r"^(?:the|my|our)\s+", "", old.strip(), flags=re.I).lower()
    died = _DIED.search(_truecase(clause)) if ends is None else None
    if died and died.group("who") not in _NOT_NAMES:
        ends = died.group("who").lower()  # "Simsim died last week": what was said of Simsim ends
        if re.fullmatch(RELATIONS, ends):
            ends = subject = f"{speaker.lower()}'s {ends}"  # "Grandad passed away": what was said of him
    died_kin = _KIN_DIED.search(clause) if ends is None else None
    if died_kin:
        ends = f"{speaker.lower()}'s {kin(died_kin.group('rel'))}"  # "grandad passed away": what was said of him
    cut = _CUT_OUT.search(clause) if ends is None else None
    if cut and (cut.group("a") or cut.group("b")).lower() not in ("the", "my", "it", "that", "this", "all"):
        ends = (cut.group("a") or cut.group("b")).lower()
    through = _FELL_THROUGH.search(clause) if ends is None else None
    if through:  # "the house purchase fell through": the purchase plan ends
        ends = re.sub(r"^(?:the|my|our|his|her)\s+", "", through.group("object") or through.group("bare"), flags=re.I)
        ends = ends.lower()
    instead = _INSTEAD_OF.search(clause) if ends is None else None
    if instead:
        ends = instead.group("old").lower()  # "going to Taipei instead of Seoul": the Seoul plan ends
    return Claim(
        subject=subject,
        properties=props,
        # "Cleared to run again. New target: the Lisbon half": news, however much it shares with before
        still=bool(STILL.search(clause)) and not re.search(r"\bnew (?:target|goal|plan)\b", clause, re.I),
        ends=ends,
        reschedule=bool(RESCHEDULE.search(clause)),
        correction=correction_in(clause),
        aka=aka,
        pet=named_pet,
    )


def correction_in(clause: str, cued: bool = False) -> tuple[str | None, str] | None:
    """What a clause corrects, as (what was wrong or None, what is right); `cued` when an earlier clause of the
    turn said it is a correction ("wait sorry i'm dumb. it's tree nuts i'm allergic to, not peanuts")."""
    cues = {m.group(0).lower() for m in CORRECTION.finditer(clause)}
    old = _NOT.search(clause)
    if cued and old is None and not cues and len(clause.split()) <= 8:
        # "wait no, sorry, that's her sister's. Katrin's is 12 May.": the date the apology goes on to give
        dated = re.search(
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH_WORD}|\b{MONTH_WORD}\s+\d{{1,2}}\b", clause, re.I
        )
        if dated:
            return None, dated.group(0)
    if not ((cues and (cues - _WEAK_CORRECTION or old)) or (cued and old)):
        return None
    new = _MEANT.search(clause)
    right = new.group("new") if new else None
    if right is None and old is not None:
        right = clause[: old.start()].strip(" ,!.")
        # "Correction: pistachios, not cashews": the cue is not the value
        right = re.sub(
            r"^(?:(?:sorry|oops|correction|typo|wait|actually|no|my bad)\b[\s,:!.-]*)+", "", right, flags=re.I
        )
    # "its actually tree nuts (cashew + pistachio especially)": the value, without the aside or the cue
    right = re.sub(r"\s*\([^)]*\)", "", re.sub(r"^(?:actually|really)\s+", "", right or "", flags=re.I))
    if not right:
        return None
    # "it's cashews I'm allergic to, not peanuts": the value is what comes before the speaker's own words
    right = re.split(r",|\bnot\b|\s+(?:I'm|I am|im|I)\s", right, flags=re.I)[0]
    return ((old.group("old") or old.group("cleared")) if old else None, _clean_value(right))
