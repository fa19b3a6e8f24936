"""Synthetic Korean press-release feeds and article pages for the poll benchmark, and their server.

Content is deterministic per (feed, item): a feed at version v lists its newest ITEMS items, the
newest numbered FIRST_SEQ + v, so bumping a feed's version publishes exactly one new item.
Every third feed is EUC-KR (declared only in the XML prolog and the page's meta, as old servers
do); even feeds date items without a zone (`2024-11-22 17:05:00`, Korea time), odd ones in
RFC 822; even feeds are gzipped when the client accepts it.

`python -m bench.feedgen --feeds 1000 --hosts 100` serves them on `hosts` loopback ports and
prints one JSON line ({"ports": [...]}) once every feed is built. Feed n is served at
`/f{n}/rss.xml` on port n % hosts, with an ETag (304 to If-None-Match) and Last-Modified.
Control: POST /_control/advance {"feeds": [n, ...]} publishes one new item in each listed feed
(builds the feeds and their new article pages before answering) and closes idle keep-alive
connections, so a measured cycle starts cold like a poll minutes after the last; GET
/_control/stats gives request counts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import hashlib
import html
import json
import random
import socket
import sys
from collections import Counter
from datetime import datetime, timedelta
from email.utils import format_datetime

from aiohttp import web

from bot.model import KST

ITEMS = 50
FEED_BYTES = 100_000
FIRST_SEQ = 10_000
_EPOCH = datetime(2024, 11, 25, 18, 0, tzinfo=KST)

_PLACES = (
    ("경기", "수원시"),
    ("경기", "고양시"),
    ("경기", "화성시"),
    ("강원", "춘천시"),
    ("강원", "강릉시"),
    ("충북", "청주시"),
    ("충북", "제천시"),
    ("충남", "천안시"),
    ("충남", "공주시"),
    ("충남", "서산시"),
    ("전북", "전주시"),
    ("전북", "군산시"),
    ("전남", "여수시"),
    ("전남", "순천시"),
    ("전남", "영암군"),
    ("경북", "포항시"),
    ("경북", "안동시"),
    ("경북", "울진군"),
    ("경남", "창원시"),
    ("경남", "진주시"),
    ("제주", "서귀포시"),
    ("부산", "해운대구"),
    ("대구", "수성구"),
    ("인천", "연수구"),
    ("광주", "광산구"),
    ("대전", "유성구"),
    ("울산", "남구"),
    ("세종", "세종특별자치시"),
    ("서울", "마포구"),
    ("서울", "노원구"),
)
_PROGRAMS = (
    "청년 창업기업 성장 펀드",
    "섬마을 찾아가는 이동진료",
    "전세사기 피해 임차인 긴급 주거비",
    "출생아 첫만남 축하금",
    "아열대 작물 시범단지",
    "해양레저관광 벨트",
    "탄소중립 전환 지원센터",
    "어르신 스마트 돌봄",
    "공공 자전거 무료 이용",
    "소상공인 경영안정자금",
    "농산물 공동 물류센터",
    "도심 하천 생태 복원",
    "지역화폐 할인 판매",
    "청소년 문화패스",
    "스마트팜 혁신밸리",
    "야간 관광 특화 거리",
    "수소버스 충전소",
    "전통시장 주차환경 개선",
    "외국인 계절근로자 숙소",
)
_ACTIONS = ("추진한다", "확대한다", "본격 시행한다", "조성한다", "첫 운영에 들어간다", "지원한다")
_SHORT = ("추진", "확대", "시행", "조성", "첫 운영", "지원")
_TITLES = {"시": "시장", "군": "군수", "구": "구청장"}
_FAMILY = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = "민서준영현우지수예도하윤성태희재연경호진석"
_SENTENCES = (
    "{place}는 지난해 시범사업 결과를 바탕으로 대상과 지원 규모를 단계적으로 늘릴 계획이다.",
    "이번 사업에는 국비와 지방비를 합쳐 모두 {amount}원이 투입되며, 내년 상반기 중 세부 실행계획을 확정한다.",
    "신청은 다음 달 {day}일부터 읍·면·동 행정복지센터와 온라인으로 할 수 있다.",
    "{place}는 관계 기관과 협의체를 꾸려 추진 상황을 분기마다 점검하기로 했다.",
    "지원 대상은 공고일 기준 {place}에 주민등록을 둔 주민으로, 소득 기준은 따로 두지 않는다.",
    "한편 {place}는 지난 {day}일 시청 회의실에서 관련 기관·단체와 업무협약을 체결했다.",
    "사업 기간은 2025년부터 2027년까지 3년이며, 성과 평가를 거쳐 연장 여부를 결정한다.",
    "자세한 내용은 {place} 누리집 고시·공고란이나 담당 부서로 문의하면 된다.",
)
_QUOTES = (
    "주민이 체감할 수 있는 변화를 만들어 내겠다",
    "현장의 목소리를 끝까지 듣고 제도를 보완하겠다",
    "지역의 미래를 여는 첫걸음이 될 것",
    "누구도 소외되지 않도록 꼼꼼히 챙기겠다",
    "관계 기관과 긴밀히 협력해 사업을 앞당기겠다",
)


def is_euckr(feed: int) -> bool:
    return feed % 3 == 2


def codec(feed: int) -> str:
    return "euc-kr" if is_euckr(feed) else "utf-8"


def _encode(text: str, feed: int) -> bytes:
    return text.encode("cp949" if is_euckr(feed) else "utf-8")


def _person(rng: random.Random) -> str:
    return rng.choice(_FAMILY) + rng.choice(_GIVEN) + rng.choice(_GIVEN)


class _Item:
    """One release: the same text in its feed item and on its article page."""

    def __init__(self, feed: int, seq: int) -> None:
        rng = random.Random(f"{feed}:{seq}")
        self.region, self.place = rng.choice(_PLACES)
        program, i = rng.choice(_PROGRAMS), rng.randrange(len(_ACTIONS))
        amount = f"{rng.randrange(5, 900) * 10:,}억"
        self.title = f"{self.place}, {program} {amount}원 규모 {_SHORT[i]}"
        self.deck = (
            f"{rng.randrange(1, 13)}월부터 {self.place} 전역 대상…시군 매칭으로 재원 분담",
            f"{program} 참여 기관 {rng.randrange(3, 40)}곳으로 늘려",
        )
        day = rng.randrange(1, 28)
        self.lead = f"{self.place}는 {program} 사업에 {amount}원을 투입해 올해부터 {_ACTIONS[i]}고 {day}일 밝혔다."
        self.paragraphs = [
            s.format(place=self.place, amount=amount, day=rng.randrange(1, 28))
            for s in rng.sample(_SENTENCES, len(_SENTENCES))
        ]
        self.speaker = f"{_person(rng)} {self.place[:-1]}{_TITLES.get(self.place[-1], '시장')}"
        self.quote = rng.choice(_QUOTES)
        self.quote_paragraph = f"{self.speaker}은 “{self.quote}”며 “많은 관심과 참여를 바란다”고 말했다."
        self.reporter = f"{_person(rng)} 기자"
        self.published = _EPOCH + timedelta(minutes=37 * (seq - FIRST_SEQ) - feed % 60)


def article_path(feed: int, seq: int) -> str:
    return f"/f{feed}/news/articleView.html?idxno={seq}"


def _pub_date(feed: int, when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") if feed % 2 == 0 else format_datetime(when)


def _feed_item(feed: int, seq: int, base: str, budget: int) -> str:
    item = _Item(feed, seq)
    link = html.escape(base + article_path(feed, seq))
    guid = f'<guid isPermaLink="true">{link}</guid>' if feed % 4 != 1 else ""
    head = (
        f"<item>\n<title><![CDATA[{item.title}]]></title>\n<link>{link}</link>\n{guid}\n"
        f"<category><![CDATA[보도자료]]></category>\n<author><![CDATA[{item.reporter}]]></author>\n"
        f"<pubDate>{_pub_date(feed, item.published)}</pubDate>\n<description><![CDATA["
    )
    paragraphs = [f"<p>- {item.deck[0]} -</p>", f"<p>□ {item.lead}</p>", f"<p>{item.quote_paragraph}</p>"]
    body = item.paragraphs * 4
    size = len(_encode(head + "".join(paragraphs), feed)) + 40
    while body and size < budget:
        text = f"<p>○ {body.pop(0)}</p>"
        paragraphs.append(text)
        size += len(_encode(text, feed))
    return head + "".join(paragraphs) + "]]></description>\n</item>\n"


def feed_xml(feed: int, version: int, base: str) -> bytes:
    """The RSS 2.0 document of `feed` at `version`: ITEMS items, about FEED_BYTES bytes."""
    newest = FIRST_SEQ + version
    channel = (
        f'<?xml version="1.0" encoding="{codec(feed)}"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{_Item(feed, 0).place} 보도자료 {feed}</title>\n<link>{base}/f{feed}/</link>\n"
        f"<description>보도자료 게시판 RSS</description>\n<language>ko-KR</language>\n"
    )
    items = "".join(_feed_item(feed, seq, base, FEED_BYTES // ITEMS) for seq in range(newest, newest - ITEMS, -1))
    return _encode(channel + items + "</channel>\n</rss>\n", feed)


_HEADLINES = [_Item(-1, n).title for n in range(200)]


def _boilerplate(rng: random.Random, base: str, count: int) -> str:
    links = "".join(
        f'<li class="item"><a href="{base}/news/articleView.html?idxno={rng.randrange(10**5)}" class="links">'
        f"{rng.choice(_HEADLINES)}</a></li>\n"
        for _ in range(count)
    )
    return f'<section class="auto-article box-skin"><h2 class="title">많이 본 뉴스</h2><ol>{links}</ol></section>\n'


def article_html(feed: int, seq: int, base: str) -> bytes:
    """A news-CMS article page of 20-40 KB: title, deck, byline, photo with caption, quote."""
    item, rng = _Item(feed, seq), random.Random(f"page:{feed}:{seq}")
    site = f"{item.place}인터넷뉴스"
    url = html.escape(base + article_path(feed, seq))
    photo = f"/news/photo/202411/{seq}_{feed}_1.jpg"
    stamp = item.published.strftime("%Y.%m.%d %H:%M")
    paragraphs = [
        f"<p>[{site} {item.reporter}] {item.lead}</p>",
        *(f"<p>{p}</p>" for p in item.paragraphs[:3]),
        f"<p>{item.quote_paragraph}</p>",
        *(f"<p>{p}</p>" for p in item.paragraphs[3:6]),
    ]
    main = (
        f'<section id="article-view"><header class="article-view-header">\n<h1 class="heading">{item.title}</h1>\n'
        f'<ul class="infomation"><li>{item.reporter}</li><li>입력 {stamp}</li></ul></header>\n'
        f'<article id="article-view-content-div" itemprop="articleBody">\n'
        f'<h2 class="subheading">- {item.deck[0]}<br /> - {item.deck[1]}</h2>\n'
        f'<figure class="photo-layout"><img src="{photo}" alt="{item.title}" width="700" height="467">'
        f"<figcaption>▲ {item.speaker}이 {item.place} 행사에서 인사말을 하고 있다. (사진={item.place} 제공)"
        f"</figcaption></figure>\n" + "\n".join(paragraphs) + "\n</article></section>\n"
    )
    head = (
        f'<!DOCTYPE html>\n<html lang="ko"><head><meta charset="{codec(feed)}">\n<title>{item.title} - {site}</title>\n'
        f'<meta property="og:site_name" content="{site}"><meta property="og:url" content="{url}">\n'
        f'<meta property="og:title" content="{item.title}"><meta property="og:image" content="{base}{photo}">\n'
        f'<meta property="article:published_time" content="{item.published.isoformat()}">\n'
        f'<script src="{base}/js/user.js"></script></head>\n<body><header><nav><ul>'
        + "".join(f'<li><a href="{base}/news/list.html?sc={s}">{s}</a></li>' for s in ("정치", "경제", "사회", "지역"))
        + "</ul></nav></header>\n"
    )
    target, aside = rng.randrange(20_000, 40_000), ""
    while len(_encode(head + main + aside, feed)) < target:
        aside += _boilerplate(rng, base, 20)
    footer = f"<footer><address>{site} · 등록번호 아00{feed % 1000:03d}</address></footer></body></html>\n"
    return _encode(head + main + f"<aside>{aside}</aside>" + footer, feed)


class _Feed:
    __slots__ = ("body", "etag", "gzipped", "modified")

    def __init__(self, body: bytes, gzipped: bytes | None, modified: str) -> None:
        self.body, self.gzipped, self.modified = body, gzipped, modified
        self.etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


class FeedServer:
    """Every feed prebuilt, so the server spends almost nothing per request during a measured cycle."""

    def __init__(self, feeds: int, ports: list[int]) -> None:
        self.ports = ports
        self.versions = [0] * feeds
        self.feeds = [self._build(n) for n in range(feeds)]
        self.pages: dict[tuple[int, int], bytes] = {}
        self.counts: Counter[str] = Counter()
        self.runner: web.AppRunner | None = None

    def base(self, feed: int) -> str:
        return f"http://127.0.0.1:{self.ports[feed % len(self.ports)]}"

    def _build(self, feed: int) -> _Feed:
        body = feed_xml(feed, self.versions[feed], self.base(feed))
        modified = format_datetime(_EPOCH + timedelta(minutes=self.versions[feed]), usegmt=False)
        return _Feed(body, gzip.compress(body, 6) if feed % 2 == 0 else None, modified)

    async def feed(self, request: web.Request) -> web.StreamResponse:
        n = int(request.match_info["n"])
        current = self.feeds[n]
        if request.headers.get("If-None-Match") == current.etag:
            self.counts["304"] += 1
            return web.Response(status=304, headers={"ETag": current.etag})
        self.counts["200"] += 1
        headers = {
            "ETag": current.etag,
            "Last-Modified": current.modified,
            "Content-Type": "text/xml" if is_euckr(n) else "application/rss+xml; charset=UTF-8",
        }
        body = current.body
        if current.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = current.gzipped, "gzip"
        return web.Response(body=body, headers=headers)

    async def article(self, request: web.Request) -> web.StreamResponse:
        n, seq = int(request.match_info["n"]), int(request.query.get("idxno", "0"))
        self.counts["article"] += 1
        page = self.pages.get((n, seq)) or article_html(n, seq, self.base(n))
        charset = "" if is_euckr(n) else "; charset=utf-8"
        return web.Response(body=page, headers={"Content-Type": "text/html" + charset})

    async def advance(self, request: web.Request) -> web.StreamResponse:
        for n in (await request.json())["feeds"]:
            self.versions[n] += 1
            self.feeds[n] = self._build(n)
            seq = FIRST_SEQ + self.versions[n]
            self.pages[(n, seq)] = article_html(n, seq, self.base(n))
        if self.runner is not None and self.runner.server is not None:
            for handler in self.runner.server.connections:
                if handler is not request.protocol:  # the control client does not keep its connection
                    handler.force_close()
        self.counts.clear()
        return web.json_response({"versions": sum(self.versions)})

    async def stats(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(dict(self.counts))


async def serve(feeds: int, hosts: int) -> None:
    sockets = []
    for _ in range(hosts):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    server = FeedServer(feeds, [s.getsockname()[1] for s in sockets])
    app = web.Application()
    app.router.add_get(r"/f{n:\d+}/rss.xml", server.feed)
    app.router.add_get(r"/f{n:\d+}/news/articleView.html", server.article)
    app.router.add_post("/_control/advance", server.advance)
    app.router.add_get("/_control/stats", server.stats)
    server.runner = web.AppRunner(app, access_log=None, handle_signals=True)
    await server.runner.setup()
    for sock in sockets:
        await web.SockSite(server.runner, sock, backlog=1024).start()
    print(json.dumps({"ports": server.ports}), flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feedgen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100, help="distinct host:port origins (default 100)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.feeds, max(1, min(args.hosts, args.feeds))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
