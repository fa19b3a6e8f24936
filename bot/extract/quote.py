"""The key quote: the first direct quote of the most senior named speaker, and that speaker."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.extract.gazetteer import PLACES, PROVINCE_ALIASES, PROVINCE_OF_ALIAS
from bot.extract.titles import issuer_head, title_class

# Quote pairs, nested marks allowed inside the outer pair; mixed straight/curly closings accepted.
_PAIR = re.compile(
    r"“(?P<a>[^“”]{2,400}?)[”\"]|\"(?P<b>[^\"“”]{2,400}?)[”\"]|‘(?P<c>[^‘’]{2,400}?)’|「(?P<d>[^「」]{2,400}?)」"
)
# What follows a quote that is speech: 며 / 라며 / 면서 / 고 / 라고 … (not 라는 / 를 / 에: names and titles).
_CONNECTOR = re.compile(r"^\s*(?:이?라?며|면서|이?라면서|이?라?고|하고|하며|라\s?고)(?=[\s,“\"‘「]|$)")
_VERB = re.compile(
    r"(?:말|밝|강조|당부|전|설명|덧붙|평가|약속|다짐|호소|언급|답|주문|역설|피력|제안|요청|기대|소감을 밝|인사|격려|"
    r"촉구|건의|주장|응답|표현|해명|반박|지적|말씀|당부|경고|전망|자신|토로|부탁|소개|환영|축하|감사|권고|조언|"
    r"안내|요구|예고|다짐|고백|회고|회상|진단|분석|제언)(?:했|혔|였|하였|해|한다|힌다|인다)|"
    r"내다봤|털어놨|털어놓았|되물었|물었"
)
# `“…”고 했다` / `“…”라고 한다`: the plain verb of saying, right after the connector.
_PLAIN_VERB = re.compile(r"^\s*(?:했|하였|한다)")
_SENTENCE_END = re.compile(r"다\.(?=\s|$)")
_MASK = re.compile(r"“[^“”]*[”\"]|\"[^\"“”]*[”\"]|‘[^‘’]*’|「[^「」]*」")
# How far back from a quote the speaker phrase may stand (`…은 지난 2일 현장 점검에서 “…”`).
_SUBJECT_REACH = 12
_ADVERBIAL = re.compile(
    r"^(?:이날|또|또한|이어|이어서|특히|아울러|끝으로|그러면서|한편|앞서|당시|오늘|\d+일|\d+일에?|"
    r"[가-힣]*에서|[가-힣]*에서는|[가-힣]*통해|[가-힣]*자리에서|[가-힣]*인사말을|[가-힣]*축사를|기념사를|[가-힣]*서면으로)$"
)
_PARTICLE = re.compile(r"(?:은|는|이|가|도)$")
_MARKER = re.compile(r"^[\s□○◦●◎■▶▷►◆◇ㅇ·•*※\-–]+")

_ORG_SUFFIX = re.compile(r"(?:시|군|구|도|청|부|원|과|실|국|처|재단|협회|학회|회|센터|본부|공사|공단|학교|초|중|고|대|"
                         r"은행|기업|그룹|위원회|의회|연구소|조합|동|읍|면|리|팀)$")
_NAME = re.compile(r"^[가-힣]{2,4}(?:\(\d+\))?$")
# Words written before a private person's name to say who they are (`주민 김철수씨`, `관광객 이모씨`).
PERSON_DESCRIPTORS = frozenset(["주민", "시민", "군민", "구민", "도민", "학부모", "학생", "상인", "농민", "어민",
                                "관광객", "방문객", "이용객", "참가자", "수상자", "봉사자", "회원", "입주민", "환자",
                                "보호자", "운전자", "졸업생", "재학생", "선수", "작가", "청년", "어르신", "농업인",
                                "어업인", "소상공인", "대표", "씨"])
# Two-syllable surnames: `남궁 군수` is a back-reference like `박 시장`, not a name `남궁` with a title.
COMPOUND_SURNAMES = frozenset(["남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절", "장곡"])
_INVERSION = re.compile(r"^\s*(?:이?라?고|이?라며)\s+(?P<who>[^“”\"‘’,.]{2,40}?)(?:은|는|이|가)\s")
# A quote set first as its own sentence and attributed after it (`“….” 서민호 서구청장의 말이다.`):
# the speaker is the owner of the words named in the short sentence that follows.
_OWNED_AFTER = re.compile(
    r"^\s*(?P<who>[^“”\"‘’,.]{2,40}?)의\s*(?:말|설명|당부|각오|다짐|얘기|이야기|전언|강조|소감|답변|주문|약속)"
    r"(?:이다|이었다|였다|다)\."
)


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    speaker: str
    rank: int
    order: int



def _speaker_token(tokens: list[str]) -> int | None:
    """Index of the speaker's head word: the nearest word before the quote that carries a subject
    particle and names a title (`시장은`) or a person (`김철수씨는`), skipping adverbial words
    between speaker and quote (`지난 2일 현장 점검에서`)."""
    for back, token in enumerate(reversed(tokens)):
        if back >= _SUBJECT_REACH:
            return None
        if not _PARTICLE.search(token):
            continue
        head = _PARTICLE.sub("", token)
        if title_class(head) is not None or head.endswith("씨"):
            return len(tokens) - 1 - back
        if not _ADVERBIAL.match(token):
            return None  # another subject (`시는`, `그는`) stands nearer the quote: not ours
    return None


def _speaker_from_prefix(prefix: str) -> str | None:
    tokens = _MARKER.sub("", prefix).replace(",", " ").split()
    position = _speaker_token(tokens)
    if position is None:
        return None
    tokens = tokens[: position + 1]
    last = tokens[-1]
    head = _PARTICLE.sub("", last)
    phrase = [head]
    seen_name = bool(re.match(r"^[가-힣]{2,4}(?:\(\d+\))?씨$", head))
    for token in reversed(tokens[:-1]):
        if len(phrase) >= 5:
            break
        if token in ("도", "시", "군", "구") or _ORG_SUFFIX.search(token) or token.startswith(("㈜", "(주)")):
            if title_class(token) is not None:
                break
            phrase.insert(0, token)
            continue
        if not seen_name and len(phrase) == 1 and (re.fullmatch(r"[가-힣]", token) or token in COMPOUND_SURNAMES):
            phrase.insert(0, token)  # a surname alone: the back-reference form `박 시장`
            break
        if not seen_name and _NAME.match(token) and title_class(token) is None:
            phrase.insert(0, token)
            seen_name = True
            if len(phrase) == 2 and position >= 2 and not _surnamed(token):
                # `한승우 셀로드 대표`: a company's own name (no body suffix) stands between the
                # person and the title; the word before it, a surname and a given name, is the name.
                earlier = tokens[position - 2]
                if _NAME.match(earlier) and _surnamed(earlier) and _name_word(earlier, None):
                    phrase.insert(0, earlier)
                    break
            continue
        if seen_name and token in PERSON_DESCRIPTORS and len(phrase) <= 2:
            phrase.insert(0, token)  # `주민 김철수씨`: the descriptor is part of how the person is named
            break
        break
    return " ".join(phrase)


# The common Korean surnames: a word that opens with none of them is seldom a person's name.
COMMON_SURNAMES = frozenset("김이박최정강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진지엄"
                            "채원천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용예경봉사"
                            "부가복태목형피두감음빈동온호범좌갈시계")


def _surnamed(word: str) -> bool:
    return word[:1] in COMMON_SURNAMES or word[:2] in COMPOUND_SURNAMES


def _subject_of(sentence: str) -> str | None:
    """The speaker named as the subject of a sentence without a quote (`한정민 예산군수는 … 점검했다.`),
    for a following sentence that quotes without naming anyone (`이어 “…”라고 말했다.`)."""
    tokens = sentence.split()
    for i, token in enumerate(tokens[:6]):
        if _PARTICLE.search(token):
            head = _PARTICLE.sub("", token)
            if title_class(head) is not None or head.endswith("씨"):
                return _speaker_from_prefix(" ".join(tokens[: i + 1]))
            return None
    return None


def _is_back_reference(speaker: str) -> bool:
    parts = speaker.split()
    surname_only = len(parts) == 2 and (len(parts[0]) == 1 or parts[0] in COMPOUND_SURNAMES)
    return surname_only or (len(parts) == 1 and title_class(parts[0]) is not None
                            and parts[0] == (title_class(parts[0]) or ("",))[0])


# How far before a title its name and body may be written (`대전정보문화산업진흥원 한재민 원장`).
_NAME_REACH = 40
_CASE_ENDING = re.compile(r"(?:에는|에서|에게|께서|은|는|을|를|이라고|라고|라며|이며)$")
_WORD = re.compile(r"[가-힣A-Za-z·]+")
_AFTER_TITLE = frozenset("은는이가과와도의을를,)( \n")
# Two-syllable words that open a sentence and look like a surname and a given name.
_NOT_NAMES = frozenset(["이날", "이번", "이후", "이어", "이제", "이미", "이에", "이를", "이는", "이와", "정작", "정말",
                        "조만간", "한편", "한층", "오늘", "오는", "전날", "지난", "장기", "최근", "최초", "우선"])


def _name_word(word: str, surname: str | None) -> bool:
    longest = 4 if surname is not None and len(surname) == 2 else 3  # 남궁현우
    return (2 <= len(word) <= longest and bool(_WORD.fullmatch(word)) and (surname is None or word.startswith(surname))
            and word != surname
            and word not in _NOT_NAMES and title_class(word) is None and not _CASE_ENDING.search(word))


def resolve_back_reference(speaker: str, body: str) -> str:
    """`박 시장` -> the fullest `박지훈 부산시장` written in the body; unchanged when not found.
    Read word by word before each place the title is written: the nearest name up to three words
    back, the words between naming a body (`부산시`), never carrying a case ending (`이날 개관식에는
    이정우 산림청장`: 이날 is no name, 개관식에는 no part of a title). A bare title with no name
    anywhere takes the first `body + title` word (`산림청장`)."""
    parts = speaker.split()
    title = parts[-1]
    surname = parts[0] if len(parts) == 2 else None
    fallback: str | None = None
    at = body.find(title)
    while at >= 0:
        end = at + len(title)
        if end == len(body) or body[end] in _AFTER_TITLE:
            start = max(body.rfind(" ", 0, at), body.rfind("\n", 0, at)) + 1
            head = body[start:end]
            if _WORD.fullmatch(head):
                words = body[max(0, start - _NAME_REACH):start].split()
                for back in range(1, min(3, len(words)) + 1):
                    word = words[-back]
                    if _name_word(word, surname):
                        return " ".join([*words[-back:], head])
                    if not _WORD.fullmatch(word) or _CASE_ENDING.search(word):
                        break
                if surname is None and fallback is None and head != title:
                    fallback = head
        at = body.find(title, end)
    return fallback or speaker


def _is_named(speaker: str, rank: int) -> bool:
    if rank == 5:
        return False
    return any(_NAME.match(t) or t.endswith("씨") for t in speaker.split()) or len(speaker.split()) == 1


def _rank(speaker: str, base: int, head: tuple[str, str] | None, aliases: tuple[str, ...]) -> int:
    last = speaker.split()[-1]
    if head is not None and base in (3, 4):
        # The head of an issuing association or company (`김도윤 부산관광협회장` on the 협회's own
        # release) is the issuer's head like a mayor on a city release; a deputy never is.
        stem, title = head
        matched = title_class(last)
        if matched is not None and matched[0] == title and (stem in speaker or _bare(speaker)):
            return 1  # also `이성민 의장` on the 시의회's own release: a bare title is the issuer's
    if base != 1:
        return base
    if head is None:
        return 2
    stem, title = head
    if not last.endswith(title) and not (title == "지사" and last.endswith("도지사")):
        return 2
    if last == title or any(a and a in speaker for a in (stem, *aliases)):
        return 1
    return 2


def _bare(speaker: str) -> bool:
    """`이성민 의장`: a name and a title with no body named, read as the issuing body's own."""
    parts = speaker.split()
    return len(parts) == 2 and bool(_NAME.match(parts[0])) and title_class(parts[0]) is None


def find_quotes(paragraphs: list[str]) -> list[tuple[str, str, int]]:
    """(quote, speaker as written, paragraph number) for every first quoted segment of a speech sentence."""
    found: list[tuple[str, str, int]] = []
    previous_subject: str | None = None
    for number, paragraph in enumerate(paragraphs):
        masked = _MASK.sub(lambda m: "Q" * len(m.group(0)), paragraph)
        last_end = -1
        for match in _PAIR.finditer(paragraph):
            start, end = match.span()
            if start < last_end:
                continue
            inner = next(g for g in match.groups() if g is not None)
            after = paragraph[end:]
            connector = _CONNECTOR.match(after)
            if connector is None:
                owner = _OWNED_AFTER.match(after)
                if owner is not None and _only_adverbs(paragraph[_sentence_start(masked, start):start]):
                    speaker = _speaker_from_prefix(owner.group("who") + "는")
                    last_end = end
                    if speaker is not None:
                        found.append((inner.strip(), speaker, number))
                continue
            tail = masked[end:]
            stop = _SENTENCE_END.search(tail)
            if not (_VERB.search(tail[: stop.end()] if stop else tail) or _PLAIN_VERB.match(after[connector.end():])):
                continue
            sentence_start = 0
            sentence_before = 0
            for boundary in _SENTENCE_END.finditer(masked[:start]):
                sentence_before, sentence_start = sentence_start, boundary.end()
            prefix = paragraph[sentence_start:start]
            if "Q" in masked[sentence_start:start]:
                last_end = end
                continue  # a later segment of a sentence already quoted: only the first counts
            speaker = _speaker_from_prefix(prefix)
            if speaker is None:
                inverted = _INVERSION.match(after)
                speaker = _speaker_from_prefix(inverted.group("who") + "는") if inverted else None
            if speaker is None and _only_adverbs(prefix):
                # `이어 “…”라고 덧붙였다`: the speaker is the subject of the sentence before.
                before = paragraph[sentence_before:sentence_start] if sentence_start else ""
                speaker = _subject_of(before) if before else previous_subject
            last_end = end
            if speaker is not None:
                found.append((inner.strip(), speaker, number))
        sentences = [s for s in _SENTENCE_END.split(masked) if s.strip()]
        previous_subject = _subject_of(paragraph[masked.rfind(sentences[-1]):]) if sentences else None
    return found


def _written_before(word: str, speaker: str, body: str) -> bool:
    """`word speaker` stands in the body as whole words (not the tail of a longer name)."""
    return re.search(rf"(?<![가-힣A-Za-z0-9]){re.escape(word)}\s+{re.escape(speaker)}(?:은|는|이|가|도)?\s",
                     body) is not None


def _sentence_start(masked: str, start: int) -> int:
    ends = [m.end() for m in _SENTENCE_END.finditer(masked[:start])]
    return ends[-1] if ends else 0


def _only_adverbs(prefix: str) -> bool:
    tokens = _MARKER.sub("", prefix).replace(",", " ").split()
    return all(_ADVERBIAL.match(t) for t in tokens)


def _aliases(issuer: str | None) -> tuple[str, ...]:
    """Other names of the issuing province or city: 경상북도 -> 경북, 경북도."""
    if not issuer:
        return ()
    core = issuer.split()[-1]
    province = PROVINCE_OF_ALIAS.get(core) or PLACES.get(core)
    if province is None or PROVINCE_OF_ALIAS.get(core) is None:
        return ()
    return PROVINCE_ALIASES[province]


def _issuer_person(issuer: str | None) -> str | None:
    """The name of a person whose action the release reports when the lead's subject is that person
    (`정지연 국회의원(인천 남동갑)은 … 발의했다`): a lawmaker's or an official's own release."""
    if not issuer:
        return None
    speaker = _speaker_from_prefix(issuer + "는")
    if speaker is None:
        return None
    names = [t for t in speaker.split() if _NAME.match(t) and title_class(t) is None]
    return names[0] if names else None


def key_quote(paragraphs: list[str], issuer: str | None) -> Quote | None:
    body = "\n".join(paragraphs)
    head = issuer_head(issuer)
    aliases = _aliases(issuer)
    person = _issuer_person(issuer)
    best: Quote | None = None
    seen: set[str] = set()
    for order, (text, speaker, _) in enumerate(find_quotes(paragraphs)):
        if _is_back_reference(speaker):
            speaker = resolve_back_reference(speaker, body)
        elif issuer and _NAME.match(speaker.split()[0]) and _written_before(issuer, speaker, body):
            # `대구테크노파크 김상훈 원장은`: the issuing body's own name written before the person is
            # part of the attribution phrase, whatever its name ends with.
            speaker = f"{issuer} {speaker}"
        title = title_class(speaker.split()[-1])
        base = title[1] if title else 4
        if base != 5 and not _is_named(speaker, base):
            base = 5
        rank = _rank(speaker, base, head, aliases)
        if person is not None and base != 5 and person in speaker.split():
            rank = 1
        if speaker in seen:
            continue
        seen.add(speaker)
        candidate = Quote(text, speaker, rank, order)
        if best is None or (candidate.rank, candidate.order) < (best.rank, best.order):
            best = candidate
    return best
