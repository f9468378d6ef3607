#!/usr/bin/env python3
"""Checks that BENCHMARKS.md's table of current figures is current in every way that needs no
benchmark run: each row names a script of this repository that exists, a commit that git knows
and that HEAD contains, a date that parses (YYYY-MM-DD), is not in the future and is not more than
a day after its commit's date (a figure is recorded after it is measured), a machine the page
defines (**A** = ...), and links the history section it comes from.
Prints one line per problem (row: what) and exits 1 if there is any.
    benchmarks/check-table.py [ROOT]     (default: the repository this script is in)
Python 3 standard library only; CI runs it from scripts/test.sh.
"""
import datetime
import re
import subprocess
import sys
from pathlib import Path

COLUMNS = ["comparison", "procsys", "baseline, same run", "ratio", "machine", "date", "commit", "reproduce"]
SCRIPT = re.compile(r"\b((?:benchmarks|scripts)/[\w./-]+\.(?:sh|py))\b")
MACHINE_DEFINED = re.compile(r"\*\*([A-Z])\*\* =")
HISTORY_LINK = re.compile(r"\]\((docs/benchmarks/history\.md#[^)]+|#[^)]+|docs/[^)]+)\)")


def cells(line):
    """The cells of one markdown table row."""
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table(text):
    """(line number, cells) of each row of the table whose header is COLUMNS."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and cells(line) == COLUMNS:
            rows = []
            for number in range(i + 2, len(lines)):
                if not lines[number].startswith("|"):
                    break
                rows.append((number + 1, cells(lines[number])))
            return rows
    return None


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def commit_date(root, commit):
    """The commit's date, or None with the reason."""
    shown = git(root, "show", "-s", "--format=%cs", commit + "^{commit}")
    if shown.returncode != 0:
        return None, f"commit {commit} is not in this repository"
    if git(root, "merge-base", "--is-ancestor", commit, "HEAD").returncode != 0:
        return None, f"commit {commit} is not an ancestor of HEAD"
    return datetime.date.fromisoformat(shown.stdout.strip()), None


def history_known(root):
    """None if git knows this checkout's whole history, else why the commits cannot be checked."""
    inside = git(root, "rev-parse", "--is-shallow-repository")
    if inside.returncode != 0:
        return "not a git checkout"
    if inside.stdout.strip() == "true":
        return "a shallow clone"
    return None


def problems(root, row, machines, check_commits=True):
    """What is wrong with one row (empty if nothing)."""
    if len(row) != len(COLUMNS):
        return [f"{len(row)} cells, not {len(COLUMNS)}"]
    found = []
    entry = dict(zip(COLUMNS, row))
    if not HISTORY_LINK.search(entry["comparison"]):
        found.append("the comparison links no history section")
    if entry["machine"] not in machines:
        found.append(f"machine {entry['machine']!r} is not defined on the page (**X** = ...)")
    scripts = SCRIPT.findall(entry["reproduce"])
    if not scripts:
        found.append("the reproduce column names no benchmarks/ or scripts/ file")
    found += [f"no file {s}" for s in scripts if not (root / s).is_file()]
    try:
        date = datetime.date.fromisoformat(entry["date"])
    except ValueError:
        return found + [f"date {entry['date']!r} is not YYYY-MM-DD"]
    if date > datetime.date.today():
        found.append(f"date {date} is in the future")
    if not check_commits:
        return found
    committed, why = commit_date(root, entry["commit"])
    if why:
        found.append(why)
    elif date > committed + datetime.timedelta(days=1):
        found.append(f"date {date} is after its commit ({committed}): the commit cannot record that run")
    return found


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent).resolve()
    text = (root / "BENCHMARKS.md").read_text(encoding="utf-8")
    rows = table(text)
    if not rows:
        print("check-table: BENCHMARKS.md has no table with the columns " + " | ".join(COLUMNS))
        return 1
    machines = set(MACHINE_DEFINED.findall(text))
    unknown = history_known(root)
    if unknown:
        print(f"check-table: {unknown}: the rows' commits are not checked")
    bad = 0
    for number, row in rows:
        for why in problems(root, row, machines, check_commits=not unknown):
            bad += 1
            print(f"BENCHMARKS.md:{number}: {why}")
    print(f"check-table: {len(rows)} rows, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
