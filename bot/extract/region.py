"""Region (시·도 short name) of the issuing local government or of the place the story is about."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.extract.gazetteer import AMBIGUOUS, PLACES, PROVINCE_ALIASES, PROVINCE_OF_ALIAS, SHADOWED

_TOKEN = re.compile(r"[가-힣]+")
# Suffixes of local bodies written onto a place name: 광주시교육청, 아산시청, 수성구의회.
_ORG_SUFFIX = re.compile(
    r"(?:교육청|교육지원청|교육감|시청|군청|구청장|구청|도청|의회|소방본부|경찰청|보건소|시장|군수|도지사|지사)$"
)
_PARTICLE = re.compile(r"(?:에서는|에서|으로|에는|에게|이며|와|과|은|는|이|가|을|를|의|에|도|로)$")
# Central-government issuers: ministries (…부), ministries' agencies (…처, national …청) and committees.
_CENTRAL = re.compile(
    r"(?<!본)(?<!지)(?<!학)부$|처$|^(?:국세|관세|조달|통계|검찰|병무|방위사업|경찰|소방|국가유산|문화재|농촌진흥|산림|특허|"
    r"기상|해양경찰|질병관리|재외동포|우주항공|새만금개발|행정중심복합도시건설)청$|^(?:국무조정실|국무총리|대통령)"
)
_CENTRAL_SITES = ("정책브리핑", "korea.kr")


def is_central(issuer: str | None, site: str | None) -> bool:
    if site and any(marker in site for marker in _CENTRAL_SITES):
        return True
    if not issuer:
        return False
    core = issuer.split()[-1] if issuer.split() else issuer
    return bool(_CENTRAL.search(core))


# Local offices of state bodies are named place + district + body (`청주흥덕경찰서`, `여수세무서`), and
# so are the corporations and foundations a city or province owns (`부산도시공사`, `경기관광공사`,
# `충남문화재단`, `대구의료원`): the name's leading place is the body's region.
_BRANCH = re.compile(r"(?:경찰서|소방서|세무서|우체국|교육지원청|지원청|지청|출장소|사업소|보건소|"
                     r"공사|공단|재단|진흥원|의료원|연구원|정보원|테크노파크|산업진흥원|관광공사|도시공사)$")


def _branch_place(token: str) -> str | None:
    core = _BRANCH.sub("", token)
    if core == token:
        return None
    for size in range(len(core), 1, -1):
        province = PLACES.get(core[:size])
        if province is not None:
            return province
    return None


def _lookup(token: str) -> tuple[str | None, frozenset[str] | None, str]:
    """(province, None, name) for a known place, (None, provinces, name) for an ambiguous one."""
    branch = _branch_place(_PARTICLE.sub("", token))
    if branch is not None:
        return branch, None, token
    for candidate in (token, _PARTICLE.sub("", token)):
        for name in (candidate, _ORG_SUFFIX.sub("", candidate)):
            if len(name) < 2:
                continue
            if name in PLACES:
                return PLACES[name], None, name
            if name in AMBIGUOUS:
                return None, AMBIGUOUS[name], name
    return None, None, token


def _written_before(name: str, options: frozenset[str], page_text: str) -> str | None:
    """The one province of `options` written right before `name` anywhere on the page (`경상남도 고성군`)."""
    if not page_text or name not in page_text:
        return None
    stem = re.escape(name)
    written = {
        province for province in options
        for alias in PROVINCE_ALIASES[province]
        if re.search(rf"{re.escape(alias)}\s*{stem}", page_text)
    }
    return next(iter(written)) if len(written) == 1 else None


def page_hint(name: str, options: frozenset[str], page_text: str) -> str | None:
    """Which of `options` an ambiguous place (`고성군`, `강서구`) belongs to, from the whole page: the
    province written right before the name anywhere (an address: `경상남도 고성군 고성읍 …`), else
    the one province among the options that the page names at all (`부산광역시` in the footer)."""
    if not page_text:
        return None
    written_before = _written_before(name, options, page_text)
    if written_before is not None:
        return written_before
    named = {province for province in options
             if any(alias in page_text for alias in PROVINCE_ALIASES[province] if len(alias) >= 3)}
    return next(iter(named)) if len(named) == 1 else None


def region_in(text: str, context: str = "", page_text: str | Callable[[], str] = "") -> str | None:
    """The 시·도 of the first place named in `text`; ambiguous names resolved by a preceding
    province name, by the first province named in `context`, or by the whole page's text (given as
    a callable: it is only needed for an ambiguous name)."""
    previous: str | None = None
    for token in _TOKEN.findall(text):
        found, options, name = _lookup(token)
        if found:
            other = SHADOWED.get(name)
            if other is not None:
                # `광주시` is 광주광역시 unless the page places it in 경기 (`경기도 광주시 역동로` in an address).
                written = _written_before(name, other, page_text() if callable(page_text) else page_text)
                if written is not None:
                    return written
            return found
        if options:
            if previous in options:
                return previous
            wider = region_in(context) if context else None
            if wider in options:
                return wider
            hint = page_hint(name, options, page_text() if callable(page_text) else page_text)
            if hint is not None:
                return hint
        previous = PROVINCE_OF_ALIAS.get(_PARTICLE.sub("", token))
    return None


def find_region(issuer: str | None, site: str | None, texts: list[str],
                page_text: str | Callable[[], str] = "") -> str | None:
    if is_central(issuer, site):
        return None
    context = " ".join(texts)
    for text in ([issuer] if issuer else []) + texts:
        found = region_in(text, context, page_text)
        if found:
            return found
    return None
