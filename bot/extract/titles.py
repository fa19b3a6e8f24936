"""Titles of Korean officials and other speakers by seniority class, and the head title of an issuing body."""

from __future__ import annotations

from functools import lru_cache

from bot.extract.gazetteer import PLACES, PROVINCE_OF_ALIAS

# Titles by seniority class, read as suffixes of the speaker's last word (the longest one wins).
UNNAMED_TITLES = ("관계자", "담당자", "관계관", "관계 공무원")
DEPUTY_TITLES = ("부지사", "부시장", "부군수", "부구청장", "부교육감", "부원장", "부청장", "차관", "차장", "부단장",
                 "부위원장", "부의장", "부장관")
HEAD_TITLES = ("도지사", "지사", "구청장", "시장", "군수", "교육감", "교육장", "장관", "청장", "원장", "처장", "총장",
               "이사장", "사장", "본부장관", "경찰서장", "소방서장", "세무서장")
OFFICIAL_TITLES = ("실장", "국장", "본부장", "단장", "과장", "팀장", "부장", "센터장", "소장", "관장", "주무관",
                   "사무관", "서기관", "대변인", "담당관", "정책관", "기획관", "비서관", "위원장", "의장", "의원",
                   "계장", "감사관", "관리관", "조정관", "연구관", "지도관")
OTHER_TITLES = ("대표이사", "대표", "회장", "조합장", "교수", "교사", "씨", "위원", "연구원", "박사", "선수", "감독",
                "작가", "이사", "전무", "상무", "변호사", "주민", "학생", "원장님", "교장", "총무", "간사", "사무국장",
                "사무총장", "관장", "명예교수", "상임대표", "공동대표", "센터장")

HEAD_OF = (("교육지원청", "교육장"), ("경찰서", "경찰서장"), ("소방서", "소방서장"), ("세무서", "세무서장"),
           ("교육청", "교육감"), ("군청", "군수"), ("시청", "시장"), ("구청", "구청장"),
           ("도청", "지사"), ("특별자치도", "지사"), ("구", "구청장"), ("군", "군수"),
           ("시", "시장"), ("도", "지사"), ("부", "장관"), ("처", "처장"), ("청", "청장"), ("원", "원장"),
           ("공사", "사장"), ("공단", "이사장"), ("재단", "이사장"), ("센터", "센터장"), ("위원회", "위원장"),
           ("본부", "본부장"), ("대학교", "총장"), ("의회", "의장"), ("연합회", "회장"), ("협회", "회장"),
           ("상공회의소", "회장"), ("학회", "회장"), ("조합", "조합장"), ("농협", "조합장"))


@lru_cache(maxsize=8192)
def title_class(word: str) -> tuple[str, int] | None:
    """(title, class) for a speaker's last word: 1 head, 3 official, 4 other, 5 unnamed."""
    # The longest title the word ends with is its title (`축제추진위원장` is a 위원장, not a 원장);
    # among titles as long, the list order decides.
    found: tuple[str, int] | None = None
    for titles, rank in ((UNNAMED_TITLES, 5), (DEPUTY_TITLES, 3), (HEAD_TITLES, 1), (OTHER_TITLES, 4),
                         (OFFICIAL_TITLES, 3)):
        for title in titles:
            if word.endswith(title) and (found is None or len(title) > len(found[0])):
                found = (title, rank)
    if found is not None and found[1] == 3 and found[0][0] == "부" and is_place(word[: -len(found[0]) + 1]):
        return found[0][1:], 1  # 의정부시장, 정부청장: a place ending in 부 before the head title
    return found


def is_place(stem: str) -> bool:
    return stem in PLACES or stem in PROVINCE_OF_ALIAS or f"{stem}시" in PLACES or f"{stem}군" in PLACES


def issuer_head(issuer: str | None) -> tuple[str, str] | None:
    """(stem, head title) of the issuing body: 부산시 -> (부산, 시장); 해양수산부 -> (해양수산, 장관)."""
    if not issuer:
        return None
    core = issuer.split()[-1]
    for suffix, head in HEAD_OF:
        if core.endswith(suffix) and len(core) > len(suffix):
            stem = core[: -len(suffix)]
            for extra in ("광역시", "특별시", "특별자치시", "시", "도", "군", "구"):
                if stem.endswith(extra) and len(stem) > len(extra) + 1:
                    stem = stem[: -len(extra)]
            return stem, head
    return None
