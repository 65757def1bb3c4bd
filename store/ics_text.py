"""What an imported event's text says: its video link, its place, its agenda.

A client's calendar writes the call's link in many places: Teams' and
Google's own properties (``X-MICROSOFT-SKYPETEAMSMEETINGURL``,
``X-GOOGLE-CONFERENCE``), the LOCATION ("Microsoft Teams Meeting; https://…"),
the DESCRIPTION (as text, or as an ``<a href>`` in HTML), or the URL property.
:func:`place_and_video_link` takes them in that order, and only a web address
the model takes (:func:`~clientdesk.store.models.video_link_problem`).

A DESCRIPTION may be HTML (Google's, Outlook's): :func:`description_text`
reads it as a browser shows it, and :func:`agenda_titles` takes a new
meeting's agenda from its first lines, up to the block that says how to join
the call.

No function here writes anything or raises on hostile text: what is left out
is said in a warning line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from html.parser import HTMLParser

from icalendar import Component

from clientdesk.store.ics_reading import text_of
from clientdesk.store.models import video_link_problem

CONFERENCE_PROPERTIES = ("X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-GOOGLE-CONFERENCE")
"""The properties in which Teams and Google write the call's link."""

_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_CONFERENCE_HOSTS = re.compile(
    r"^(?:teams\.microsoft\.com|teams\.live\.com|meet\.google\.com|(?:[\w-]+\.)*zoom\.us"
    r"|(?:[\w-]+\.)*zoomgov\.com|(?:[\w-]+\.)*webex\.com)$",
    re.IGNORECASE,
)
"""The hosts of the meetings' video services: Teams, Google Meet, Zoom, Webex."""
_HTML_MARK = re.compile(
    r"<(?:br|p|div|span|b|i|u|a|li|ul|ol|strong|em|font|html|body|table|tr|td|h[1-6])\b[^>]*>"
    r"|</[a-z][a-z0-9]*\s*>|&(?:nbsp|amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);",
    re.IGNORECASE,
)
"""What tells a DESCRIPTION written in HTML (Google's, Outlook's) from plain text."""
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^agenda:?$", re.IGNORECASE)  # the heading, not an item
_SEPARATOR = re.compile(r"^[\W_]{8,}$")  # "______", "-::~:~::~:~:~" before the call details
_JOIN_HEADING = re.compile(r"^(?:join|click here to join)\b", re.IGNORECASE)  # "Join Zoom Meeting"


def conference_links(text: str) -> list[str]:
    """The links to a Teams, Zoom, Google Meet or Webex call in ``text``, in its order."""
    found = []
    for match in _WEB_ADDRESS.finditer(text):
        link = match.group().rstrip(".,;:!?)]}")
        host = (link.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0]).rpartition("@")[2]
        if _CONFERENCE_HOSTS.match(host.split(":", 1)[0]) and not video_link_problem(link):
            found.append(link)
    return list(dict.fromkeys(found))


class _HtmlText(HTMLParser):
    """The text of a description written in HTML: a line break for each ``<br>``, paragraph,
    list item or row; entities read (``&nbsp;`` a space); scripts and styles left out."""

    _BLOCKS = frozenset({"p", "div", "li", "tr", "ul", "ol", "table", "h1", "h2", "h3", "h4"})
    _HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag == "br" or tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def description_text(text: str) -> tuple[str, list[str]]:
    """A DESCRIPTION as plain text, and the text its links are looked for in.

    Google and Outlook may write it in HTML (``<b>``, ``<br>``, ``&nbsp;``): it is
    then read as a browser shows it, one line per ``<br>``, paragraph or list
    item (its own line ends are kept too: such descriptions mix both). Links are
    looked for in the whole of it, the addresses of ``<a href>`` included.
    """
    if not _HTML_MARK.search(text):
        return text, [text]
    reader = _HtmlText()
    try:
        reader.feed(text)
        reader.close()
    except (AssertionError, ValueError):  # a hostile document the parser gives up on
        return unescape(re.sub(r"<[^>]*>", " ", text)), [unescape(text)]
    plain = "".join(reader.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in plain.splitlines()]
    kept = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", kept).strip("\n"), [unescape(text)]


def place_and_video_link(
    vevent: Component, label: str, links: list[str], warnings: list[str]
) -> tuple[str, str]:
    """The LOCATION of ``vevent`` as a place, and its video link, in this order of preference.

    Teams' and Google's own properties; a Teams, Zoom, Meet or Webex link in
    the LOCATION (taken out of it), then in the DESCRIPTION (``links``, from
    :func:`description_text`); the URL property; a LOCATION that is a web
    address and nothing else.

    Args:
        vevent: the event.
        label: the event's title as a preview line shows it.
        links: the text the DESCRIPTION's links are looked for in.
        warnings: where a link left out (not a web address) is said, one line each.
    """
    location = text_of(vevent, "LOCATION")
    video = _video_link(vevent, label, CONFERENCE_PROPERTIES, warnings)
    in_location = conference_links(location)
    if in_location:
        video = video or in_location[0]
        for link in in_location:
            location = location.replace(link, " ")
        location = " ".join(location.split()).strip(" ,;:-|")
    video = video or next(iter(conference_links(" ".join(links))), "")
    video = video or _video_link(vevent, label, ("URL",), warnings)
    if location and not video_link_problem(location):
        video, location = video or location, ""
    return location, video


def _video_link(vevent: Component, label: str, names: Iterable[str], warnings: list[str]) -> str:
    """The first video link that is a web address; one that is not is left out, and said."""
    for name in names:
        link = text_of(vevent, name)
        problem = video_link_problem(link)
        if not problem:
            if link:
                return link
            continue
        warnings.append(f"{label}: the video link in {name} left out ({problem})")
    return ""


def agenda_titles(description: str, most: int) -> tuple[list[str], int]:
    """The agenda a DESCRIPTION (as plain text) holds: one item per line, at most ``most``.

    List markers are stripped and an "Agenda" heading skipped. It ends at the
    first separator line (the dashes or underscores before the "join the call"
    block Outlook and Google append) or the first line with a call's link; that
    block's heading ("Join Zoom Meeting") goes with it.

    Returns:
        The items' titles, and how many lines with text were left out beyond ``most``.
    """
    titles: list[str] = []
    lines = description.splitlines()
    for number, line in enumerate(lines):
        if _SEPARATOR.match(line.strip()) or conference_links(line):
            # What follows is how to join the call, not what is discussed.
            if titles and _JOIN_HEADING.match(titles[-1]):
                titles.pop()
            break
        title = " ".join(_LIST_MARKER.sub("", line).split())
        if not title or _HEADING.match(title):
            continue
        if len(titles) == most:
            return titles, sum(1 for later in lines[number:] if later.strip())
        titles.append(title)
    return titles, 0
