"""In Chromium: text a student controls (link values, file names) is shown as text, never as Markdown or HTML.

A shared link of the class's own server must not put a live link or an image from a foreign host into a
page (phishing from a trusted address, or a tracking pixel). The payloads are generated: each Markdown
and HTML construct that can carry an address, in each place the page shows text from outside.
"""

import itertools
import urllib.parse

import pytest
from chromium import CHROMIUM, settle

from mnistcore import models

pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

HOST = "evil.example"
CARRIERS = [  # every way Markdown or HTML could turn text into a link or a fetched image
    "[Sign in]({url})", "![pixel]({url}/p.png)", "<{url}>", "{url}/login", "www.{host}/login",
    "<a href='{url}'>Sign in</a>", "<img src='{url}/p.png'>", "[Sign in][1]\n\n[1]: {url}",
    "[x](javascript:fetch('{url}'))", "<iframe src='{url}'></iframe>",
]
BREAKOUTS = ["", "1, 2` ", "\\"]  # what comes first: nothing, the end of a code span, a stray escape


def payloads() -> list[str]:
    """Each carrier after each breakout, with the foreign host in it."""
    return [b + c.format(url=f"http://{HOST}", host=HOST) for b, c in itertools.product(BREAKOUTS, CARRIERS)]


def foreign(pg) -> list[str]:
    """Links, images and frames in the page that point at the foreign host."""
    return pg.evaluate("""host => [...document.querySelectorAll('a[href], img[src], iframe[src], source[src]')]
        .map(e => e.getAttribute('href') || e.getAttribute('src') || '').filter(u => u.includes(host))""", HOST)


# Every toast's text as it appears: a toast is gone after a few seconds, sooner than a busy page settles.
TOAST_LOG = """window.__toasts = [];
new MutationObserver(() => document.querySelectorAll('[data-testid="stToast"]').forEach(t => {
  if (!window.__toasts.includes(t.innerText)) window.__toasts.push(t.innerText);
})).observe(document, {subtree: true, childList: true, characterData: true});"""


@pytest.fixture(scope="module")
def hostile(browser):  # noqa: F811
    """A page that records every request the browser makes to the foreign host."""
    context = browser.new_context(viewport={"width": 1400, "height": 3000})
    asked: list[str] = []
    context.route(lambda url: urllib.parse.urlparse(url).hostname == HOST,  # the host, not a query that names it
                  lambda route: (asked.append(route.request.url), route.abort()))
    context.add_init_script(TOAST_LOG)
    pg = context.new_page()
    yield pg, asked
    context.close()


def visit(pg, url: str) -> list[str]:
    """Open `url`, wait for the page to settle, and return the page's text and every toast it showed."""
    pg.goto(url)
    settle(pg)
    return [*pg.locator('[data-testid="stMain"]').all_inner_texts(), *pg.evaluate("window.__toasts")]


def test_link_values_are_shown_as_text(server, hostile):  # noqa: F811
    pg, asked = hostile
    keys, every = ["shape", "bc_a", "bc_b", "slice"], payloads()
    for at in range(0, len(every), len(keys)):  # four payloads a visit, one in each of the reshape page's text settings
        batch = dict(zip(keys, every[at:at + len(keys)]))
        query = "&".join(f"{key}={urllib.parse.quote(payload)}" for key, payload in batch.items())
        shown = visit(pg, f"{server.url}/reshape?size=sample&{query}")
        assert foreign(pg) == [], batch
        assert sum(text.count(HOST) for text in shown) >= len(batch), f"{batch} were not all shown"  # shown, as text
    for payload in every[:len(CARRIERS)]:  # a refused value is named in a toast
        shown = visit(pg, f"{server.url}/tensors?size=sample&rank={urllib.parse.quote(payload)}")
        assert foreign(pg) == [], payload
        assert any(HOST in text for text in shown), f"{payload!r} was not named in the toast"
    assert asked == []


def test_a_file_name_with_markup_is_shown_as_text(server, hostile):  # noqa: F811
    pg, asked = hostile
    weights = models.to_file(models.build("linear"))  # a real weights file; only its name is hostile
    for payload in [payloads()[i] for i in (0, 1, 5, 6)]:  # a Markdown link and image, an HTML link and image
        name = payload.replace("/", "_").replace("\n", " ") + ".pt"  # a file name holds no slash
        pg.goto(f"{server.url}/training?size=sample")
        settle(pg)
        pg.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(
            {"name": name, "mimeType": "application/octet-stream", "buffer": weights})
        pg.wait_for_selector("text=Loaded:", timeout=60_000)
        pg.locator('[data-testid="stSidebarNav"]').get_by_text("The model's mistakes").click()
        settle(pg)
        assert "Using the weights you uploaded" in pg.locator('[data-testid="stMain"]').inner_text()
        assert foreign(pg) == [], name
    assert asked == []


CODES = [":material/skull: :skull: :streamlit:", ":red[RED] :material/home:", ":blue-background[B] :+1: :tada:",
         "12:30 :small[s]"]


def test_streamlit_shortcodes_in_link_values_are_shown_as_typed(server, hostile):  # noqa: F811
    pg, _ = hostile
    for code in CODES:  # the reshape page says "<the shape typed> does not fit"
        shown = "".join(visit(pg, f"{server.url}/reshape?size=sample&shape={urllib.parse.quote(code)}"))
        assert code in shown.replace("\u200b", ""), f"{code!r} was not shown as typed"  # no emoji, icon or colour instead
        main = pg.locator('[data-testid="stMain"]')
        assert not {"💀", "🎉", "👍"} & set(shown)
        icons = main.locator('[data-testid="stIconMaterial"]').all_inner_texts()
        assert "skull" not in icons and "home" not in icons
        assert main.locator('span[style*="color"]', has_text="RED").count() == 0
