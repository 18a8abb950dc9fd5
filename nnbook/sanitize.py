"""Feedback pages that reach no other host: nbgrader's HTML rebuilt through an allow-list.

A feedback page is nbgrader's full HTML page: a ``<head>`` written by its template (the
stylesheets of Bootstrap, nbconvert and nbgrader, a MathJax loader from a CDN) and a ``<body>``
holding the rendered notebook, whose Markdown cells are the student's and may contain any HTML.
The page is mailed to students or put on a course site, so nothing in it may make a browser
contact a host: no script, frame, form, ``<base>``, ``<meta refresh>``, remote image (``<img>``,
``<svg><image>``, ``<use>``, ``<feImage>``, ``<video poster>``, ``srcset``), and no CSS ``url()``.

The page is rebuilt, not patched:

- first the body is reshaped in one linear pass (:func:`bounded_html`): well-nested tags no
  deeper than ``MAX_DEPTH``, text escaped, the content of scripts and style blocks dropped.
  HTML5 tree building (html5ever inside nh3, as in every browser) costs time in proportion to
  the depth of open elements and of misnested formatting elements at every tag: 10,000 nested
  ``<div>`` took seconds and 10,000 unclosed ``<b title=N>`` took 44 s, unreshaped. The pass
  only bounds the shape; it decides nothing about safety, which is nh3's job on its output;

- the body goes through nh3 (the ammonia HTML sanitizer, a real HTML5 parser, linear time) with
  an allow-list of text and structure tags and their classes; links keep in-page targets
  (``#...``) and web addresses (followed only when clicked, without referrer), images only
  ``data:image/png|jpeg|gif|webp`` (a PNG plot); inline ``style`` keeps only properties that
  cannot load anything;
- the head is replaced by a new one holding the title and the grader's own stylesheets (the
  ``<style>`` elements the template put before ``<body>``) with every ``url()`` and ``@import``
  removed. nh3 does not parse CSS, so no ``<style>`` of the body (the student's Markdown) is kept.

Formulas show as their TeX source (the MathJax loader is a script from a CDN).
"""

from __future__ import annotations

import html
import re

import nh3

MAX_DEPTH = 100  # open elements; nbconvert's page nests about 15 deep

TEXT_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "ol", "p", "pre", "q", "s",
    "samp", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}  # fmt: skip
# Removed together with everything inside them (the others keep their text).
DROPPED_WITH_CONTENT = {
    "script", "style", "svg", "math", "template", "iframe", "object", "embed", "video",
    "audio", "noscript", "title", "textarea", "select", "head",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"class", "id", "title", "style", "lang", "dir"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "details": {"open"},
}
# CSS properties an inline style may keep: none of them takes a url() or an image.
STYLE_PROPERTIES = {
    "color", "background-color", "text-align", "vertical-align", "font-weight", "font-style",
    "font-size", "font-family", "font-variant", "text-decoration", "text-transform",
    "white-space", "word-break", "overflow-wrap", "line-height", "letter-spacing", "width",
    "max-width", "min-width", "height", "max-height", "min-height", "margin", "margin-top",
    "margin-right", "margin-bottom", "margin-left", "padding", "padding-top", "padding-right",
    "padding-bottom", "padding-left", "border", "border-top", "border-right", "border-bottom",
    "border-left", "border-color", "border-style", "border-width", "border-collapse",
    "border-spacing", "border-radius", "display", "overflow", "opacity",
}  # fmt: skip
WEB_LINK = re.compile(r"https?://", re.IGNORECASE)
# An image the page carries itself: base64 data of a raster format (an SVG could load more).
INLINE_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*")
# In a style value that survived the property filter, anything that could still name a resource.
STYLE_RESOURCE = re.compile(r"url|image|@|\\|expression|/", re.IGNORECASE)
# In the grader's own stylesheets.
CSS_URL = re.compile(r"url\([^)]*\)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)


def _attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's per-attribute hook: the value to keep, or None to drop the attribute."""
    if name == "href":  # a link fetches nothing until it is followed
        return value if value.startswith("#") or WEB_LINK.match(value) else None
    if name == "src":
        return value if INLINE_IMAGE.fullmatch(value) else None
    if name == "style":
        return None if STYLE_RESOURCE.search(value) else value
    return value


_CLEANER = nh3.Cleaner(
    tags=TEXT_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ATTRIBUTES,
    attribute_filter=_attribute,
    url_schemes={"http", "https", "data"},
    url_relative=lambda url: url if url.startswith("#") else None,
    filter_style_properties=STYLE_PROPERTIES,
    strip_comments=True,
    link_rel="noopener noreferrer",  # a followed link tells the other site nothing
)


# A tag: "<" and ">" with neither inside (a quoted ">" in an attribute ends it early: the rest
# is text). Matching attempts stop at the next "<" or ">", so the scan is linear.
TAG = re.compile(r"<([^<>]*)>")
TAG_BODY = re.compile(r"(/?)([A-Za-z][A-Za-z0-9:-]*)(.*)", re.DOTALL)
ATTRIBUTE = re.compile(r"""[\s/]([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr",
}  # fmt: skip
RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}


# What a screen reader says for an image whose author gave it no text (without one it may read
# out the image's data).
MISSING_ALT = "an image without a description"


def _start_tag(name: str, rest: str) -> str:
    attrs, names = [], set()
    for m in ATTRIBUTE.finditer(rest):
        value = next((v for v in m.groups()[1:] if v is not None), "")
        attr = m.group(1).lower()
        if attr == "class":  # nbconvert writes class=" highlight hl-python"
            value = " ".join(value.split())
        names.add(attr)
        attrs.append(f' {attr}="{html.escape(html.unescape(value))}"')
    if name == "img" and "alt" not in names:
        attrs.append(f' alt="{MISSING_ALT}"')
    return f"<{name}{''.join(attrs)}>"


def bounded_html(fragment: str, max_depth: int = MAX_DEPTH) -> str:
    """``fragment`` as well-nested HTML, no deeper than ``max_depth``, in one linear pass.

    Every tag is rebuilt from its name and attributes (values re-escaped, class lists spaced
    once; an ``<img>`` without ``alt`` gets ``MISSING_ALT``); a ``<`` that starts no tag becomes
    ``&lt;``; an end tag closes the elements opened after its own (an end tag with no open
    element is dropped); start tags deeper than ``max_depth`` are dropped (their text stays);
    the content of raw-text elements (script, style, ...) is dropped; comments and
    declarations are dropped; whatever is open at the end is closed.
    """
    out: list[str] = []
    stack: list[str] = []
    lower = fragment.lower()
    pos = 0
    while pos < len(fragment):
        m = TAG.search(fragment, pos)
        end = m.start() if m else len(fragment)
        out.append(fragment[pos:end].replace("<", "&lt;").replace(">", "&gt;"))
        if m is None:
            break
        pos = m.end()
        parts = TAG_BODY.fullmatch(m.group(1))
        if parts is None:  # "<!-- -->", "<!DOCTYPE>", "<?xml>", "< b>": nothing of the page
            if not m.group(1).startswith(("!", "?")):
                out.append(html.escape(m.group(0)))
            continue
        closing, name, rest = parts.group(1), parts.group(2).lower(), parts.group(3)
        if closing:
            if name in stack:
                while stack:
                    top = stack.pop()
                    out.append(f"</{top}>")
                    if top == name:
                        break
        elif name in RAW_TEXT:
            close = lower.find(f"</{name}", pos)
            if close < 0:
                break  # never closed: the rest of the page is inside it
            gt = fragment.find(">", close)
            pos = len(fragment) if gt < 0 else gt + 1
        elif name in VOID or rest.rstrip().endswith("/"):
            out.append(_start_tag(name, rest.rstrip().rstrip("/")))
            if name not in VOID:
                out.append(f"</{name}>")
        elif len(stack) < max_depth:
            stack.append(name)
            out.append(_start_tag(name, rest))
    out.extend(f"</{name}>" for name in reversed(stack))
    return "".join(out)


def sanitize_fragment(fragment: str) -> str:
    """Student-origin HTML (a body) through the allow-list; see the module's docstring."""
    return _CLEANER.clean(bounded_html(fragment))


def grader_css(css: str) -> str:
    """One of the grader's own stylesheets without ``url()`` or ``@import`` (fonts and images
    it names are not next to a mailed page; nothing may be fetched)."""
    return CSS_URL.sub("none", CSS_IMPORT.sub("", css)).replace("</", "<\\/")


def _split(page: str) -> tuple[str, str]:
    """(the template's part before the first ``<body``, everything after that tag)."""
    lower = page.lower()
    start = lower.find("<body")
    if start < 0:
        return "", page
    end = page.find(">", start)
    return page[:start], page[end + 1 :] if end >= 0 else ""


def _elements(head: str, tag: str) -> list[str]:
    """The text inside each ``<tag ...>...</tag>`` of ``head``, found in one pass."""
    lower, found, pos = head.lower(), [], 0
    while True:
        start = lower.find(f"<{tag}", pos)
        if start < 0:
            return found
        open_end = lower.find(">", start)
        close = lower.find(f"</{tag}", open_end)
        if open_end < 0 or close < 0:
            return found
        found.append(head[open_end + 1 : close])
        pos = close + len(tag) + 2


def sanitize_feedback(page: str, extra_css: str = "") -> str:
    """A whole feedback page (nbgrader's HTML) rebuilt so that it loads nothing from anywhere:
    the sanitized body, the title, the grader's stylesheets without ``url()``, and
    ``extra_css`` (the grader's own rules, e.g. for wrapping long lines)."""
    head, body = _split(page)
    titles = _elements(head, "title")
    title = html.escape(html.unescape(titles[0]).strip()) if titles else "Feedback"
    styles = [grader_css(css) for css in _elements(head, "style")]
    if extra_css:
        styles.append(grader_css(extra_css))
    style_html = "".join(f"<style>\n{css}\n</style>\n" for css in styles)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n{style_html}</head>\n<body>\n"
        f"{sanitize_fragment(body)}\n</body>\n</html>\n"
    )
