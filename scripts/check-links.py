#!/usr/bin/env python3
"""Checks every relative link of the documentation: README.md, BENCHMARKS.md and docs/**/*.md.

A link to a file must name one that exists (relative to the page); a link with an #anchor must
name a heading of its target page, by GitHub's slug rules (lower case, punctuation dropped, spaces
to hyphens, -1, -2, ... for repeats). Links to other sites (http:, https:, mailto:) are not
fetched. Prints one line per broken link (page:line: link: why) and exits 1 if there is any.
    scripts/check-links.py [ROOT]      (default: the repository this script is in)
Python 3 standard library only; CI runs it from scripts/test.sh.
"""
import os
import re
import sys
import unicodedata
from pathlib import Path

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s.*)?$")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"", re.IGNORECASE)
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def pages(root):
    """The pages whose links are checked."""
    found = [root / "README.md", root / "BENCHMARKS.md"]
    found += sorted((root / "docs").rglob("*.md"))
    return [p for p in found if p.is_file()]


def prose_lines(text):
    """(line number, line) of the lines outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m:
            marker = m.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is None:
            yield number, line


def heading_text(raw):
    """A heading's text as GitHub renders it: code spans kept as text, links as their text,
    emphasis and HTML tags dropped."""
    text = CODE_SPAN.sub(lambda m: m.group(2), raw)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return text


def slug(text):
    """GitHub's anchor for a heading: lower case; letters, digits, spaces, hyphens and
    underscores kept (any script); each space becomes a hyphen."""
    out = []
    for ch in heading_text(text).strip().lower():
        category = unicodedata.category(ch)
        if ch in "-_" or category[0] in "LN" or category == "Mn":
            out.append(ch)
        elif ch == " ":
            out.append("-")
    return "".join(out)


def anchors(path, cache={}):
    """Every anchor a page offers: its headings' slugs (repeats numbered) and HTML anchors."""
    if path not in cache:
        seen = {}
        found = set()
        text = path.read_text(encoding="utf-8")
        for _, line in prose_lines(text):
            for name in HTML_ANCHOR.findall(line):
                found.add(name)
            m = HEADING.match(line)
            if not m:
                continue
            base = slug(m.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        cache[path] = found
    return cache[path]


def links(text):
    """(line number, target) of every inline link, image and reference definition in prose."""
    for number, line in prose_lines(text):
        m = REFERENCE_DEF.match(line)
        if m:
            yield number, m.group(1)
            continue
        without_code = CODE_SPAN.sub(lambda c: " " * len(c.group(0)), line)
        for m in INLINE_LINK.finditer(without_code):
            yield number, m.group(1)


def problem(page, target, root):
    """Why a link does not resolve, or None if it does."""
    if EXTERNAL.match(target):
        return None
    file_part, _, anchor = target.partition("#")
    if file_part:
        resolved = (page.parent / file_part).resolve()
        if not resolved.exists():
            return f"no file {os.path.relpath(resolved, root)}"
    else:
        resolved = page
    if not anchor:
        return None
    if resolved.is_dir() or resolved.suffix != ".md":
        return f"an anchor into {os.path.relpath(resolved, root)}, which is not a markdown page"
    if anchor not in anchors(resolved):
        return f"no heading with the anchor #{anchor} in {os.path.relpath(resolved, root)}"
    return None


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent).resolve()
    broken = checked = 0
    checked_pages = pages(root)
    for page in checked_pages:
        for number, target in links(page.read_text(encoding="utf-8")):
            checked += 1
            why = problem(page, target, root)
            if why:
                broken += 1
                print(f"{page.relative_to(root)}:{number}: broken link ({target}): {why}")
    print(f"check-links: {checked} links in {len(checked_pages)} pages, {broken} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
