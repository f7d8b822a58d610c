"""Report folder names for trainee ids.

A trainee id is any text of 1-100 characters without control characters,
NFC-normalised (:data:`analysis.schema.TRAINEE_ID_PATTERN`), so it can hold
spaces, accents, other alphabets, ``/`` or ``..``. It never becomes a path
itself: everything that names a file after a trainee (``<out>/<folder>/``,
``<out>/.prepared/<folder>/``, the index links, the report notebook's
``trainee_id`` parameter in a batch run) uses :func:`folder_name`:

- an id that is already a safe name (ASCII letters, digits, ``_ . -``, at
  most 64, starting with a letter or digit: :data:`SAFE_ID`) is its own
  folder, so ``T001`` stays ``T001/`` as before;
- any other id gets ``<readable>~<hash>``: the id transliterated to ASCII
  (NFKD, combining marks dropped), every run of characters other than
  ``A-Z a-z 0-9 _ -`` replaced by one ``-``, ``-``/``_`` trimmed from the
  ends, at most 40 characters (``id`` if nothing is left), then ``~`` and
  the first 8 hex digits of the SHA-256 of the NFC id (UTF-8). ``José Ñúñez``
  is ``Jose-Nunez~<hash>``, ``../../x`` is ``x~<hash>``, ``王伟`` is
  ``id~<hash>``.

Why two ids never share a folder: a safe id is its own folder, and no safe
id contains ``~``, so a safe id's folder is never a hashed one; two hashed
folders are equal only if the readable parts and the hashes agree, and
:func:`folder_names` refuses such a pair instead of letting one overwrite the
other. A folder depends only on its own id: adding a trainee never renames
another's folder. Folder names never contain a path separator, never start
with a dot and never contain a control character.

Caveat: on a case-insensitive file system (macOS, Windows defaults) two safe
ids differing only in case (``anna``, ``Anna``) share a folder; hashed ones
do not (their hashes differ).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""Ids that are their own folder name (the id rule before any alphabet was allowed)."""
HASHED = re.compile(r"[A-Za-z0-9_-]{1,40}~[0-9a-f]{8}")
"""The form of every other id's folder name."""
READABLE_MAX = 40
HASH_HEX = 8


def normalise(trainee_id: str) -> str:
    """The id as validation keeps it: NFC, surrounding whitespace removed."""
    return unicodedata.normalize("NFC", trainee_id).strip()


def folder_name(trainee_id: str) -> str:
    """The report folder of a trainee id (see the module docstring)."""
    tid = normalise(trainee_id)
    if SAFE_ID.fullmatch(tid):
        return tid
    ascii_text = "".join(c for c in unicodedata.normalize("NFKD", tid) if not unicodedata.combining(c))
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text)
    readable = re.sub(r"-{2,}", "-", readable).strip("-_")[:READABLE_MAX].strip("-_") or "id"
    digest = hashlib.sha256(tid.encode("utf-8")).hexdigest()[:HASH_HEX]
    return f"{readable}~{digest}"


def is_folder_name(text: str) -> bool:
    """Whether ``text`` has the form of a folder name (safe id or hashed)."""
    return bool(SAFE_ID.fullmatch(text) or HASHED.fullmatch(text))


def folder_names(trainee_ids: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Each id's folder name, and the ids refused because another id has
    the same folder name (a hash collision: never in practice, but a
    refused report is better than one overwriting another), with why."""
    folders: dict[str, str] = {}
    owner: dict[str, str] = {}
    for tid in trainee_ids:
        name = folder_name(tid)
        owner.setdefault(name, normalise(tid))
        folders[tid] = name
    refused = {tid: f"shares the report folder {name!r} with trainee {owner[name]!r}: rename one of them"
               for tid, name in folders.items() if owner[name] != normalise(tid)}
    return {tid: name for tid, name in folders.items() if tid not in refused}, refused
