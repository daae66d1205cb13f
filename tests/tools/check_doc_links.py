#!/usr/bin/env python3
"""Checks the relative links of the documentation: every target exists, and
every #anchor names a heading of the target page (GitHub's heading ids).

    check_doc_links.py REPO_ROOT

Checks README.md, docs/*.md and the other READMEs of the repository. Prints
one line per broken link (file:line: link: problem) and exits 1 if there is
any; web links (http:, https:, mailto:) are not followed."""

import pathlib
import re
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def prose_lines(text):
    """(line number, line) outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def slug(heading):
    """GitHub's id for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(path):
    seen = {}
    out = set()
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        m = HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def check(root):
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    for top in sorted(root.iterdir()):  # other READMEs, not in build folders
        if top.is_dir() and top.name not in ("docs", ".git") and not top.name.startswith("build"):
            pages += sorted(top.rglob("README.md"))
    problems = []
    for page in pages:
        for number, line in prose_lines(page.read_text(encoding="utf-8")):
            for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
                if re.match(r"[a-z]+:", target):
                    continue
                path_part, _, anchor = target.partition("#")
                resolved = (page.parent / path_part).resolve() if path_part else page
                where = f"{page.relative_to(root)}:{number}: {target}"
                if not resolved.exists():
                    problems.append(f"{where}: no such file")
                elif anchor and (resolved.suffix != ".md" or anchor not in anchors(resolved)):
                    problems.append(f"{where}: no heading with id '{anchor}'")
    return pages, problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    pages, problems = check(root)
    for p in problems:
        print(p)
    print(f"{len(pages)} pages, {len(problems)} broken links")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
