"""Do two `grade batch --out` directories hold the same outputs? For a change meant to make grading cheaper
without changing what it writes: grade one class with the old and the new grader, then compare.

    python benchmarks/same_outputs.py OLD_OUT NEW_OUT

Every file must be there in both, byte for byte the same (gradebook.csv, summary.json, summary.md,
report.html...), except for what is a measure of time: in the per-submission documents (<name>.json), the
value of every "seconds" field (each exercise's and the batch record's), which are blanked in both before
comparing; the rest of those documents, their layout included, must still be the same bytes.
Prints the first differences and exits 1 when there are any, 0 (with the count of files compared) when none.
"""
from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

SECONDS = re.compile(rb'^(\s*"seconds": )-?[0-9.eE+-]+(,?)$', re.MULTILINE)  # as json.dumps(indent=2) writes it
CLASS_FILES = frozenset({"summary.json"})  # JSON files of the class, not of a submission: compared as they are


def comparable(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".json" and path.name not in CLASS_FILES:
        data = SECONDS.sub(rb"\1<seconds>\2", data)
    return data


def differences(old: Path, new: Path, limit: int = 10) -> tuple[int, list[str]]:
    """How many files were compared, and what differs (at most ``limit`` entries)."""
    names = sorted({p.relative_to(old) for p in old.rglob("*") if p.is_file()}
                   | {p.relative_to(new) for p in new.rglob("*") if p.is_file()})
    found: list[str] = []
    for name in names:
        a, b = old / name, new / name
        if not a.is_file() or not b.is_file():
            found.append(f"{name}: only in {old if a.is_file() else new}")
        elif (left := comparable(a)) != (right := comparable(b)):
            diff = difflib.unified_diff(left.decode(errors="replace").splitlines(),
                                        right.decode(errors="replace").splitlines(), str(a), str(b), n=1, lineterm="")
            found.append("\n".join(list(diff)[:12]))
        if len(found) >= limit:
            break
    return len(names), found


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    old, new = Path(sys.argv[1]), Path(sys.argv[2])
    for directory in (old, new):
        if not directory.is_dir():
            print(f"{directory}: not a directory", file=sys.stderr)
            return 2
    count, found = differences(old, new)
    if found:
        print("\n".join(found))
        return 1
    print(f"the same: {count} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
