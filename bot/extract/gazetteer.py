"""Data: every 시·군·구 (and the provinces' own names) mapped to its 시·도 short name."""

from __future__ import annotations

PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "서울": ("서울특별시", "서울시", "서울"),
    "부산": ("부산광역시", "부산시", "부산"),
    "대구": ("대구광역시", "대구시", "대구"),
    "인천": ("인천광역시", "인천시", "인천"),
    "광주": ("광주광역시", "광주시", "광주"),
    "대전": ("대전광역시", "대전시", "대전"),
    "울산": ("울산광역시", "울산시", "울산"),
    "세종": ("세종특별자치시", "세종시", "세종"),
    "경기": ("경기도", "경기"),
    "강원": ("강원특별자치도", "강원도", "강원"),
    "충북": ("충청북도", "충북도", "충북"),
    "충남": ("충청남도", "충남도", "충남"),
    "전북": ("전북특별자치도", "전라북도", "전북도", "전북"),
    "전남": ("전라남도", "전남도", "전남"),
    "경북": ("경상북도", "경북도", "경북"),
    "경남": ("경상남도", "경남도", "경남"),
    "제주": ("제주특별자치도", "제주도", "제주시", "제주"),
}

_DISTRICTS = {
    "서울": "종로구 중구 용산구 성동구 광진구 동대문구 중랑구 성북구 강북구 도봉구 노원구 은평구 서대문구 마포구 "
    "양천구 강서구 구로구 금천구 영등포구 동작구 관악구 서초구 강남구 송파구 강동구",
    "부산": "중구 서구 동구 영도구 부산진구 동래구 남구 북구 해운대구 사하구 금정구 강서구 연제구 수영구 사상구 기장군",
    "대구": "중구 동구 서구 남구 북구 수성구 달서구 달성군 군위군",
    "인천": "중구 동구 미추홀구 연수구 남동구 부평구 계양구 서구 강화군 옹진군",
    "광주": "동구 서구 남구 북구 광산구",
    "대전": "동구 중구 서구 유성구 대덕구",
    "울산": "중구 남구 동구 북구 울주군",
    "세종": "",
    "경기": "수원시 성남시 의정부시 안양시 부천시 광명시 평택시 동두천시 안산시 고양시 과천시 구리시 남양주시 오산시 "
    "광주시 시흥시 군포시 의왕시 하남시 용인시 파주시 이천시 안성시 김포시 화성시 양주시 포천시 여주시 연천군 가평군 "
    "양평군 장안구 권선구 팔달구 영통구 수정구 중원구 분당구 만안구 동안구 상록구 단원구 덕양구 일산동구 "
    "일산서구 처인구 기흥구 수지구 원미구 소사구 오정구",
    "강원": "춘천시 원주시 강릉시 동해시 태백시 속초시 삼척시 홍천군 횡성군 영월군 평창군 정선군 철원군 화천군 양구군 "
    "인제군 고성군 양양군",
    "충북": "청주시 충주시 제천시 보은군 옥천군 영동군 증평군 진천군 괴산군 음성군 단양군 상당구 서원구 흥덕구 청원구",
    "충남": "천안시 공주시 보령시 아산시 서산시 논산시 계룡시 당진시 금산군 부여군 서천군 청양군 홍성군 예산군 태안군 "
    "동남구 서북구",
    "전북": "전주시 군산시 익산시 정읍시 남원시 김제시 완주군 진안군 무주군 장수군 임실군 순창군 고창군 부안군 "
    "완산구 덕진구",
    "전남": "목포시 여수시 순천시 나주시 광양시 담양군 곡성군 구례군 고흥군 보성군 화순군 장흥군 강진군 해남군 "
    "영암군 무안군 함평군 영광군 장성군 완도군 진도군 신안군",
    "경북": "포항시 경주시 김천시 안동시 구미시 영주시 영천시 상주시 문경시 경산시 의성군 청송군 영양군 영덕군 청도군 "
    "고령군 성주군 칠곡군 예천군 봉화군 울진군 울릉군",
    "경남": "창원시 진주시 통영시 사천시 김해시 밀양시 거제시 양산시 의령군 함안군 창녕군 고성군 남해군 하동군 산청군 "
    "함양군 거창군 합천군 의창구 성산구 마산합포구 마산회원구 진해구",
    "제주": "서귀포시",
}


# Stems that are also everyday words (예산 "budget", 음성 "voice", 경주 "race"): matched only with 시/군.
_COMMON_WORD_STEMS = frozenset(
    [
        "예산",
        "음성",
        "영양",
        "고령",
        "장수",
        "구리",
        "화성",
        "영광",
        "동해",
        "남해",
        "진도",
        "보은",
        "상주",
        "부여",
        "공주",
        "경주",
        "광명",
        "영주",
        "청도",
        "고성",
        "양구",
        "정선",
        "인제",
        "안성",
        "오산",
        "이천",
        "여주",
    ]
)


def _build() -> tuple[dict[str, str], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    unique: dict[str, str] = {}
    seen: dict[str, set[str]] = {}
    shadowed: dict[str, frozenset[str]] = {}
    for province, names in _DISTRICTS.items():
        for name in names.split():
            seen.setdefault(name, set()).add(province)
            stem = name[:-1]
            # A bare city/county stem (아산, 평창) is a name on its own; district stems (수성, 동작) are not.
            if len(stem) >= 2 and name[-1] in "시군" and stem not in _COMMON_WORD_STEMS:
                seen.setdefault(stem, set()).add(province)
    for province, aliases in PROVINCE_ALIASES.items():
        for alias in aliases:
            others = seen.get(alias, set()) - {province}
            if others:
                shadowed[alias] = frozenset(others)
            seen[alias] = {province}
    ambiguous: dict[str, frozenset[str]] = {}
    for name, provinces in seen.items():
        if len(provinces) == 1:
            unique[name] = next(iter(provinces))
        else:
            ambiguous[name] = frozenset(provinces)
    return unique, ambiguous, shadowed


PLACES, AMBIGUOUS, SHADOWED = _build()
"""PLACES: name -> 시·도 for unambiguous names; AMBIGUOUS: name -> possible 시·도 (중구, 고성군, …);
SHADOWED: a metropolitan city's own name that is also a city of another province (광주시 of 경기) ->
those other provinces: read as the metropolitan city unless the page writes the other province before it."""

PROVINCE_OF_ALIAS = {alias: province for province, aliases in PROVINCE_ALIASES.items() for alias in aliases}
