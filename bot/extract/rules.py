"""Named markup and text conventions of Korean press pages that the extractor relies on."""

from __future__ import annotations

import re

# --- page chrome -----------------------------------------------------------------------------
# class/id words (split on - _ space) of blocks that are never article content: site navigation,
# widgets, share bars, ads, reporter boxes, related/popular lists, prev/next links, footers.
CHROME_WORDS = frozenset(
    [
        "nav",
        "gnb",
        "lnb",
        "snb",
        "menu",
        "breadcrumb",
        "breadcrumbs",
        "location",
        "loc",
        "skip",
        "skipnav",
        "footer",
        "foot",
        "ft",
        "copyright",
        "copy",
        "aside",
        "sidebar",
        "side",
        "widget",
        "weather",
        "ticker",
        "rolling",
        "share",
        "sns",
        "social",
        "scrap",
        "print",
        "tools",
        "tool",
        "util",
        "ad",
        "ads",
        "adv",
        "advert",
        "advertisement",
        "adsbygoogle",
        "banner",
        "sponsor",
        "promotion",
        "popup",
        "modal",
        "related",
        "relation",
        "relate",
        "recommend",
        "popular",
        "best",
        "hot",
        "rank",
        "ranking",
        "most",
        "photonews",
        "prev",
        "next",
        "prevnext",
        "prev_next",
        "pagination",
        "paging",
        "comment",
        "comments",
        "reply",
        "respond",
        "writer",
        "reporter",
        "author",
        "authorbox",
        "avatar",
        "editors",
        "email",
        "tag",
        "tags",
        "keyword",
        "keywords",
        "kogl",
        "opentype",
        "satisfaction",
        "rating",
        "survey",
        "btn",
        "button",
        "search",
        "login",
        "logo",
        "sticky",
        "subscribe",
        "newsletter",
        "navi",
    ]
)
# Of the chrome words, those that say what an <img> itself is (a logo, an ad, a reporter's face, a
# share icon). Others on an image's own class say how it behaves: "td-modal-image" opens in a
# lightbox, "sticky-logo" stays on screen. An image's own class is read with these words only.
IMAGE_CHROME_WORDS = frozenset(
    ["logo", "banner", "ad", "ads", "adv", "advert", "advertisement", "adsbygoogle", "sponsor", "promotion",
     "avatar", "writer", "reporter", "author", "editors", "email", "sns", "share", "social", "btn", "button",
     "weather", "kogl", "opentype", "icon", "ico"]
)
# Chrome words that name blocks holding other people's text (comments, related articles, reporter
# boxes, footers): such a block is chrome even when it is full of sentences.
CONTENT_CHROME_WORDS = frozenset(
    [
        "comment", "comments", "reply", "respond", "related", "relation", "relate", "recommend", "popular",
        "best", "hot", "rank", "ranking", "most", "photonews", "footer", "foot", "ft", "copyright", "copy",
        "writer", "reporter", "author", "authorbox", "editors", "tag", "tags", "keyword", "keywords",
        "prev", "next", "prevnext", "kogl", "satisfaction",
    ]
)
# Last words of class values that name an article part; such a class outweighs a generic chrome
# class on the same element (page builders: "elementor-widget elementor-widget-image").
CONTENT_ROLE_WORDS = frozenset(
    ["image", "photo", "picture", "figure", "title", "heading", "headline", "excerpt", "summary", "subtitle",
     "body", "text", "story", "article", "post", "featured"]
)
# A layout block (by name) holding this much prose is the article's wrapper, not chrome.
RESCUE_TAGS = frozenset({"div", "section", "article", "main", "td", "dd"})
RESCUE_MIN_SENTENCES = 3
RESCUE_MIN_HANGUL = 120
# Words of reporter/author boxes: chrome, but the place many sites print the 입력 time.
BYLINE_WORDS = frozenset(["writer", "reporter", "author", "byline", "editors", "authorbox"])
# Generic words that say nothing about a block's role; ignored before reading a class's first/last word.
NEUTRAL_WORDS = frozenset(
    [
        "container",
        "wrapper",
        "wrap",
        "box",
        "area",
        "inner",
        "holder",
        "block",
        "list",
        "module",
        "section",
        "jeg",
        "jnews",
        "td",
        "el",
        "elem",
        "item",
        "items",
        "new",
        "style",
        "clear",
        "fl",
        "fr",
        "cont",
        "con",
        "contents",
        "content",
        "group",
    ]
)
# Whole class/id values that mark chrome even though their words are innocent.
CHROME_PHRASES = (
    "article-copy",
    "view-copyright",
    "view_copy",
    "photo-news",
    "auto-article",
    "inline_related",
    "related_post",
    "info-options",
    "page_manager",
    "page_admin",
    "release_notice",
    "org_releases",
    "source_txt",
    "filedown",
    "file_down",
    "vattach",
    "contact_tbl",
    "content_manager",
    "codeview",
    "reporter",
    "rd_sign",
    "top_bar",
)
# Whole class/id values of site headers (the word "header" alone would also hit article headers).
CHROME_EXACT = frozenset(
    {
        "header",
        "hd",
        "user-header",
        "site-header",
        "masthead",
        "top_menu",
        "header-top",
        "hd_top",
        "jeg_header_wrapper",
        "jeg_topbar",
        "topbar",
        "top-bar",
        "gov_info",
        "govinfo",
        "gov-banner",
        "sub_visual",
        "sub-top",
        "sub_top",
        "title_sec",
    }
)
# Elements that are chrome by their tag alone.
CHROME_TAGS = frozenset(
    {
        "nav",
        "footer",
        "aside",
        "form",
        "button",
        "select",
        "textarea",
        "input",
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "object",
        "embed",
    }
)
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
        "center",
    ]
)
BOLD_TAGS = frozenset({"b", "strong"})

# --- title / subtitle -----------------------------------------------------------------------
# Words of class/id values that name a headline element (ND heading, boards' subject/tit cells).
TITLE_WORDS = frozenset(
    {
        "title",
        "tit",
        "heading",
        "headline",
        "subject",
        "vtitle",
        "headtitle",
        "entry-title",
        "post-title",
        "art_title",
        "view_tit",
        "view_title",
    }
)
# class/id values (as substrings) of a deck/subtitle element placed with the headline.
SUBTITLE_HINTS = (
    "subheading",
    "subtitle",
    "sub_title",
    "sub-title",
    "head-sub",
    "titlesub",
    "title_sub",
    "view_sub",
    "tit_sub",
    "subtit",
    "summary",
    "deck",
    "sub_tit",
    "sub-head",
    "subhead",
    "lead_text",
    "sub_ttl",
    "subttl",
    "sub-ttl",
    "excerpt",
    "standfirst",
)
# A class word "sub" (`news_sub`, `art-sub`) names a deck only right under the headline.
SUBTITLE_NEAR = re.compile(r"(?:^|[\s_-])sub(?:[\s_-]|$)")
SUBTITLE_NEAR_REACH = 12
# Markers that open (and sometimes close) a deck line: "- … -", "– …", "▶ …".
DECK_LINE = re.compile(r"^\s*(?:[-–—―~∼]|▶|▷|►|◆|◇|■|□|△|▲)\s*(?P<text>.+?)\s*(?:[-–—―]\s*)?$")
# A summary box's own label (뉴시스 "기사내용 요약"): the lines under it in the box are the deck.
SUMMARY_LABEL = re.compile(
    r"^\s*[\[【<(]?\s*(?:기사\s*(?:내용\s*)?요약|핵심\s*요약|요약|한눈에\s*보기|주요\s*내용)\s*[\]】>)]?\s*$"
)
# An editor's note opens some articles (뉴스1 "[편집자주] …"): it introduces a series, not this story.
EDITOR_NOTE = re.compile(r"^\s*[\[【<(]?\s*편집자\s*주\s*[\]】>):]?")
# First characters of a line that mark it as a deck line wherever it stands ("■"/"□" open sections).
DECK_OPENERS = "-–—―▶▷►◆◇"
DECK_MARKER_STRIP = re.compile(r"^\s*(?:[-–—―]|▶|▷|►)\s*|\s*[-–—―]\s*$")

# --- datelines and markers stripped from the lead --------------------------------------------
DATELINES = (
    re.compile(r"^\[[^\[\]]{1,40}\]\s*"),  # [시사픽] / [동해안뉴스 박서연 기자]
    re.compile(r"^【[^【】]{1,40}】\s*"),  # 【강원투데이=정하늘 기자】
    re.compile(
        r"^\([^()]{1,20}=[^()]{1,25}\)\s*(?:[가-힣]{2,4}\s*(?:기자|특파원)\s*=\s*)?"
    ),  # (완주=전북로컬신문) 기자 =
    # 인천--(뉴스와이어)--, 서울--(뉴스와이어) 2024년 12월 16일 --
    re.compile(r"^[가-힣A-Za-z]{1,12}\s*-{2}\s*\(?[^()\-]{1,20}\)?\s*(?:\d{4}년\s*\d{1,2}월\s*\d{1,2}일\s*)?-{2}\s*"),
    re.compile(r"^[가-힣A-Za-z0-9·&\s]{2,30}?(?:기자|팀|특파원|통신원|데스크|편집부)\s*[|｜]\s*"),  # 매체 사회팀 |
    re.compile(r"^[가-힣]{2,4}\s*기자\s*=\s*"),  # 홍길동 기자 =
    re.compile(r"^\([가-힣A-Za-z\s]{2,20}\)\s*-{1,2}\s*"),  # (서울) --
)
LIST_MARKER = re.compile(r"^\s*(?:[□○◦●◎■▶▷►◆◇ㅇ·•*※]|-(?!\d)|–)\s*")
# A sentence ends at a period after 다 (press prose); other Hangul-final periods as a fallback.
SENTENCE_END = re.compile(r"다\.(?=\s|$|[<\"”’)])")
SENTENCE_END_LOOSE = re.compile(r"(?<=[가-힣)])\.(?=\s|$)")
# Prose: Korean running text with a finite sentence ending.
PROSE = re.compile(r"[가-힣][^.]*?(?:다|요|함|음|임)[.”\"’」]")
# Notices a page shows where its text should be: a document viewer still loading, "see the
# attachment", the portal's reprint notice. A body made only of these holds no article.
PLACEHOLDER = re.compile(
    r"불러오(?:는|고 있는) 중|로딩 ?중|loading|뷰어|viewer|본문이 (?:보이지|표시되지) 않|내려받아 확인|"
    r"다운로드(?:하여|해서|받아) 확인|첨부(?:파일|된 파일)을 (?:확인|참고|내려)|첨부\s*(?:파일\s*)?(?:참조|참고)|"
    r"전재하여 제공|자바스크립트|javascript",
    re.I,
)
EMBARGO = re.compile(r"보도할 수 있습니다|보도\s*가능|엠바고|보도시점|보도일시|배포일시|이 보도자료는.*부터"
                     r"|(?:이후|부터)\s*보도(?:하여|해|해서)?\s*주시|보도(?:하여|해)\s*주시기\s*바랍니다")

# --- images and captions ---------------------------------------------------------------------
IMAGE_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-url", "src")
NON_PHOTO_SRC = re.compile(
    r"(?:^|[/_.-])(?:logo|icon|ico|btn|button|banner|bnr|ad|ads|avatar|avatars|profile|weather|"
    r"open_?type|kogl|sns|share|blank|spacer|pixel|emoticon|bullet|arrow)(?:[/_.-]|\d|$)|/ext_img/|/ad/|"
    # A member's face sits right in a member folder (`/photo/member/kim.jpg`); a council's uploads
    # for its members' news are filed deeper (`/upload/member/2024/…`) and are photos.
    r"/members?/[^/]+$|"
    r"\.gif(?:\?|$)|\.svg(?:\?|$)",
    re.I,
)
# class names of caption cells and boxes: photo_text, img-txt, pic_desc, image_caption, photo_exp…
CAPTION_NAME = re.compile(r"(?:photo|img|image|pic|picture|figure)[_-]?(?:text|txt|desc|cap|caption|info|exp|explain)")
# class/id words of a box that holds one photo (`div.photo`, `.img_box`, `.view_pic`): all the text
# set in such a box with its single image is the photo's caption, even a full sentence.
PHOTO_BOX_WORDS = frozenset(["photo", "img", "image", "pic", "picture", "figure", "thumb"])
CAPTION_HINTS = (
    "caption",
    "figcaption",
    "photo_desc",
    "img_desc",
    "imgdesc",
    "photo_txt",
    "img_txt",
    "cap",
    "desc",
    "photo-caption",
    "img_caption",
)
CAPTION_MARKER = re.compile(r"^\s*(?:[▲△▶▷*※]+|\[사진설명\]|사진\s*설명\s*[:：]?|\[사진\]\s*)\s*")
CAPTION_LINE = re.compile(r"^\s*(?:[▲△]|[*※]\s*사진\s*설명|\[사진설명\]|사진\s*설명\s*[:：]|<\s*.+\s*>\s*$)")
CAPTION_ANYWHERE = re.compile(r"^\s*(?:[*※]\s*)?(?:\[사진\s*설명\]|사진\s*설명\s*[:：])\s*")
# A photo credit closing a line (`(사진=보령시 제공)`, `[충남도 제공. 재판매 및 DB 금지]`, `/울산 중구 제공`,
# `사진=원주시`, `ⓒ서울나우`; a bare `… 제공` only after a sentence or a slash, as a deck may end
# `자료 제공`): the line is a caption even when it reads as a sentence (`…하고 있다.`).
PHOTO_CREDIT = re.compile(
    r"(?:[(\[]\s*(?:사진|자료)\s*(?:제공)?\s*[=:]\s*[^()\[\]]{1,30}[)\]]|[(\[][^()\[\]]{1,40}제공[^()\[\]]{0,20}[)\]]"
    r"|(?:[.)]\s*|/\s*)[가-힣A-Za-z ]{1,20}\s제공|사진\s*[=:]\s*[가-힣A-Za-z ]{1,20}|ⓒ\s*\S+)\s*$"
)
# Inline styles that set text smaller or grey (`font-size:13px`, `font-size:0.85em`, `color:#666`): how
# editors set a caption apart from the running text.
SMALL_OR_GREY = re.compile(
    r"font-size\s*:\s*(?:(?:[0-9]|1[0-3])(?:\.\d+)?px|(?:[0-8]?\d|9[0-5])(?:\.\d+)?%|0?\.\d+em|x?-?small(?:er)?)"
    r"|(?<![-\w])color\s*:\s*(?:gr[ae]y|#([5-9a-c])\1\1\b|#([5-9a-c][0-9a-f])\2\2\b)",
    re.I,
)
# Who stands where in the picture (`박지훈 부산시장(왼쪽 네번째)`, `윤석호 총장(앞줄 가운데)`): only captions say so.
PHOTO_POSITION = re.compile(r"\((?:앞줄|뒷줄|맨\s*)?\s*(?:왼쪽|오른쪽|가운데)[^()]{0,12}\)")
ENCLOSED = re.compile(r"^\s*<\s*(?P<text>.+?)\s*>\s*$")

# --- dates -----------------------------------------------------------------------------------
PUBLISHED_LABEL = re.compile(r"(?:기사)?(?:입력|등록|작성|승인|배포|게재|발행|송고)(?:일|일시|시간)?|(?:뉴스|기사)일자")
NOT_PUBLISHED_LABEL = re.compile(r"수정|최종|편집|업데이트|보도일|보도시|엠바고|updated?", re.I)
DATE_IN_TEXT = re.compile(r"(?:\d{4}|\d{2})\s*[-./년]\s*\d{1,2}\s*[-./월]\s*\d{1,2}|\d{4}년\s*\d{1,2}월\s*\d{1,2}일")
TIME_IN_TEXT = re.compile(r"\d{1,2}\s*(?::|시)\s*\d{1,2}")
META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "article.published",
    "dc.date.issued",
    "date",
)
