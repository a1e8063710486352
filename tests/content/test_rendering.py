"""Every HTML that leaves the platform is sanitized: known XSS payloads never survive, whether
written as HTML or hidden in markdown."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser

import pytest

from rustok.content import rendering
from rustok.content.rendering import render, sanitize

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<img src=x OnErRoR=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href="&#x6A;avascript&#58;alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<details open ontoggle="alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<base href="javascript:alert(1)//">',
    '<video><source onerror="alert(1)"></video>',
    '<input autofocus onfocus="alert(1)">',
]
MARKDOWN_PAYLOADS = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n\n[y][x]",
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    "# Title\n\n<div onmouseover=alert(1)>hover</div>",
]
FORBIDDEN_TAGS = frozenset(
    {
        "script",
        "iframe",
        "object",
        "embed",
        "style",
        "link",
        "meta",
        "base",
        "form",
        "svg",
        "math",
        "input",
        "button",
        "noscript",
        "body",
        "video",
        "source",
    }
)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcset"})
SAFE_SCHEME = re.compile(r"^(https?|mailto|tel):|^[^:]*$", re.IGNORECASE)


class _Audit(HTMLParser):
    """What a browser would find dangerous in the markup: tags, handlers, styles, URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc"}:
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value is not None:
                url = re.sub(r"[\x00-\x20]", "", value)
                if not SAFE_SCHEME.match(url):
                    self.found.append(f"{tag}[{name}={value}]")


def dangers(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.found


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_xss_payload_survives_an_html_body(payload: str) -> None:
    html = render(payload, "html")

    assert html is not None
    assert dangers(html) == [], html


@pytest.mark.parametrize("payload", XSS_PAYLOADS + MARKDOWN_PAYLOADS)
def test_no_xss_payload_survives_a_markdown_body(payload: str) -> None:
    html = render(payload, "markdown")

    assert html is not None
    assert dangers(html) == [], html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_a_plain_body_is_escaped_text(payload: str) -> None:
    html = render(payload, "plain")

    assert html is not None
    assert "<" not in html.replace("<p>", "").replace("</p>", "").replace("<br>", "")


def test_markdown_keeps_what_editors_write() -> None:
    html = render(
        "# Title\n\nSome **bold**, a [link](https://example.com/a?b=1) and `code`.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n![pic](/media/x.png)",
        "markdown",
    )

    assert html == (
        "<h1>Title</h1>\n<p>Some <strong>bold</strong>, a "
        '<a href="https://example.com/a?b=1" rel="noopener noreferrer nofollow">link</a> and '
        "<code>code</code>.</p>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n"
        "</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"
        '<p><img src="/media/x.png" alt="pic"></p>\n'
    )


def test_the_audit_would_see_each_danger() -> None:
    assert dangers('<a href="JavaScript:x" onclick="y" style="z">a</a><script></script>') == [
        "a[href=JavaScript:x]",
        "a[onclick]",
        "a[style]",
        "<script>",
    ]


def test_json_bodies_have_no_html_and_safe_links_stay() -> None:
    assert render('{"blocks": []}', "json") is None
    assert sanitize('<a href="mailto:ada@example.com">mail</a>') == (
        '<a href="mailto:ada@example.com" rel="noopener noreferrer nofollow">mail</a>'
    )


def test_short_bodies_are_rendered_once_and_long_ones_every_time() -> None:
    short = "Cached *once* " + uuid.uuid4().hex
    long = "x" * (rendering.CACHED_BODY_CHARS + 1)
    before = rendering._render_cached.cache_info()

    first, second = render(short, "markdown"), render(short, "markdown")
    render(long, "plain")
    after = rendering._render_cached.cache_info()

    assert first == second == f"<p>Cached <em>once</em> {short.split()[-1]}</p>\n"
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
