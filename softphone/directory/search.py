"""Search-as-you-type over the contact directory: an in-memory index, a few ms a keystroke.

Not thread-safe: one thread at a time (`ContactDirectory` serialises calls with its
lock). No I/O.

What matches. The query is split on white space; every token must match the contact.
Text is compared folded: case-folded, diacritics stripped ("Müller" = "muller"), digits
of any script made ASCII. A text token matches, best first,

  0 NAME_PREFIX  the start of a word of the name ("jo" → "John", "Anne-Marie" → "mar"),
  1 WORD_PREFIX  the start of a word of the organisation, department, tags or SIP URIs
                 ("derm" → "Dermatology", "clinic.ex" → "sip:bob@clinic.example"),
  2 SUBSTRING    anywhere inside such a word ("mith" → "Smith"; 2 characters or more).

A query without letters is one phone number in any formatting ("555-0123", "(212)",
"+1 212"): its digits match the start (0) or, from two digits on, any part (2) of a
contact's numbers: the E.164 digits, the national form with and without the trunk
prefix ("020 7946…" for +44 20 7946…) and the digits as originally written. A leading
"+" anchors the digits at the start of the E.164 form. Within a quality, favourites
come first, then names in folded alphabetical order.

How. Contacts live in segments. A segment numbers its contacts in rank order and holds
sorted arrays: the distinct words (a prefix is a `bisect` range, and each word's
contacts are one contiguous slice of a postings array), the numbers' forms and all
their suffixes encoded as base-11 integers (a digit prefix or infix is a
`searchsorted` range). A token thus becomes a boolean mask over the segment's contacts
with a few numpy operations; masks are ANDed, and the first hits in rank order are
the best. Infix text matching scans only the segment's distinct words, not the
contacts. Typing reuses work: masks are cached per token ("john" while "john s" grows
into "john smith"), and a token that extends a cached one filters that token's word
list instead of scanning again. Changes go into small new segments (deletions only
clear a bit), merged back when there are too many.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

from softphone.storage.database import Contact, PhoneEntry

MAX_QUERY_LENGTH = 200
MAX_TOKENS = 8
MIN_SUBSTRING = 2  # a single character or digit inside words would match nearly everyone
_DIGITS_WIDTH = 18  # 11**18 < 2**63: a base-11 code of up to 18 digits fits in int64
_POWERS = 11 ** np.arange(_DIGITS_WIDTH - 1, -1, -1, dtype=np.int64)
_MAX_SMALL_SEGMENTS = 8
_TOP = "\U0010ffff"
# Letters that do not decompose into a base letter and a combining mark.
_EXTRA_FOLDS = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)
_WORD_PARTS = re.compile(r"[^\W_]+")
_NON_DIGITS = re.compile(r"[^0-9]+")
_URI_SCHEME = re.compile(r"^(?:sips?|tel):", re.IGNORECASE)


class MatchQuality(enum.IntEnum):
    NAME_PREFIX = 0
    WORD_PREFIX = 1
    SUBSTRING = 2


@dataclass(frozen=True, slots=True)
class Match:
    contact: Contact
    quality: MatchQuality
    number: PhoneEntry | None = None  # for a number query: the entry that matched


# -- folding ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case-folded, without diacritics, ASCII digits: how text is compared."""
    if text.isascii():
        return text.lower()
    out = []
    for ch in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.combining(ch):
            continue
        out.append(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch)
    return "".join(out).translate(_EXTRA_FOLDS)


def digits_of(text: str) -> str:
    """The decimal digits of `text` (any script), as ASCII."""
    if text.isascii():
        return _NON_DIGITS.sub("", text)
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


@lru_cache(maxsize=65536)
def _terms(text: str) -> tuple[str, ...]:
    """The searchable words of a field: each folded word and its alphanumeric parts."""
    terms: dict[str, None] = {}
    for word in fold(text).split():
        terms[word] = None
        parts = _WORD_PARTS.findall(word)
        terms.update(dict.fromkeys(parts))
        if len(parts) > 1:
            terms["".join(parts)] = None  # "O'Brien" is found as "obrien" too
    return tuple(t for t in terms if t)


def _uri_terms(uri: str) -> tuple[str, ...]:
    """A SIP URI's words: itself without the scheme, its user, its host and their parts."""
    whole = fold(_URI_SCHEME.sub("", uri.strip()))
    user, _, host = whole.partition("@")
    return tuple(t for t in dict.fromkeys([whole, user, host, *_WORD_PARTS.findall(whole)]) if t)


# -- numbers ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _country(leading: str) -> tuple[str, str]:
    """(country code, national prefix) for the first three digits of an E.164 number."""
    for length in (1, 2, 3):
        regions = COUNTRY_CODE_TO_REGION_CODE.get(int(leading[:length] or 0))
        if regions:
            metadata = PhoneMetadata.metadata_for_region(regions[0])
            trunk = metadata.national_prefix if metadata else None
            return leading[:length], trunk if trunk and trunk.isdigit() else ""
    return "", ""


@dataclass(frozen=True, slots=True)
class _NumberForms:
    prefixes: tuple[str, ...]  # forms whose start a digit query may match
    e164: str  # E.164 digits without "+", or ""
    infixes: tuple[tuple[str, int], ...]  # (form, how many of its suffixes to index)


_NO_FORMS = _NumberForms((), "", ())


def _number_forms(entry: PhoneEntry) -> _NumberForms:
    written = digits_of(entry.original)
    e164 = entry.e164[1:] if entry.e164 and entry.e164[0] == "+" else ""
    if not e164:
        return _NumberForms((written,), "", ((written, len(written)),)) if written else _NO_FORMS
    code, trunk = _country(e164[:3])
    national = e164[len(code) :]
    prefixes = {e164: None, national: None, trunk + national: None, written: None}
    infixes = [(e164, len(e164))]  # every suffix: the national form is one of them
    if trunk:
        infixes.append((trunk + national, 1))  # only what starts with the trunk is new
    # The written digits add only the suffixes that are not suffixes of the E.164 form
    # ("0044 20…" adds "0044…" and "044…"; "(212) 555-0123" adds nothing).
    if not e164.endswith(written):
        new = next(k for k in range(1, len(written) + 1) if e164.endswith(written[k:]))
        infixes.append((written, new))
    return _NumberForms(tuple(p for p in prefixes if p), e164, tuple(infixes))


def _code(digits: str) -> int:
    return sum((int(d) + 1) * 11 ** (_DIGITS_WIDTH - 1 - i) for i, d in enumerate(digits))


def _code_range(digits: str) -> tuple[int, int]:
    """Codes of every digit string that starts with `digits`: [low, high)."""
    digits = digits[:_DIGITS_WIDTH]
    low = _code(digits)
    return low, low + 11 ** (_DIGITS_WIDTH - len(digits))


def _encode(forms: Sequence[str], keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the first keep[i] suffixes of forms[i], with the index i of each."""
    if not forms:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    raw = np.array(forms, dtype=f"S{_DIGITS_WIDTH}").view(np.uint8)
    values = np.where(raw > 0, raw.astype(np.int64) - 47, 0).reshape(len(forms), -1)
    keep_arr = np.minimum(keep, _DIGITS_WIDTH)
    codes, owners = [], []
    for k in range(int(keep_arr.max())):
        rows = np.flatnonzero(keep_arr > k)
        codes.append(values[rows, k:] @ _POWERS[: _DIGITS_WIDTH - k])
        owners.append(rows)
    return np.concatenate(codes), np.concatenate(owners)


# -- queries ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "text", "digits" (anywhere) or "e164" (anchored at the "+")
    value: str  # folded text or ASCII digits


def parse_query(query: str) -> tuple[_Token, ...]:
    query = unicodedata.normalize("NFKC", query[:MAX_QUERY_LENGTH]).strip()
    if not any(ch.isalpha() for ch in query):
        digits = digits_of(query)
        return (_Token("e164" if query.startswith("+") else "digits", digits),) if digits else ()
    tokens = []
    for raw in query.split()[:MAX_TOKENS]:
        word = _URI_SCHEME.sub("", fold(raw))
        if any(ch.isalpha() for ch in word):
            word = _trim(word)
            tokens.append(_Token("text", word))
        elif digits := digits_of(word):
            tokens.append(_Token("e164" if word.startswith("+") else "digits", digits))
    return tuple(tokens)


def _trim(word: str) -> str:
    """Punctuation typed around a word ("smith,", "(derm)") is not part of it."""
    start, end = 0, len(word)
    while start < end and not word[start].isalnum():
        start += 1
    while end > start and not word[end - 1].isalnum():
        end -= 1
    return word[start:end]


def sort_key(contact: Contact) -> tuple[bool, str, str, int]:
    return (
        not contact.favourite,
        fold(contact.display_name),
        contact.display_name,
        contact.id or 0,
    )


# -- segments --------------------------------------------------------------------------


class _Segment:
    """An immutable index of some contacts, numbered 0… in rank order; deletes clear `alive`."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        ranked = sorted((sort_key(c), c) for c in contacts)
        self.keys = [k for k, _ in ranked]
        self.contacts = [c for _, c in ranked]
        self.size = len(self.contacts)
        self.alive = np.ones(self.size, dtype=bool)
        self.record = {c.id: r for r, c in enumerate(self.contacts)}
        self._masks: OrderedDict[tuple[str, str, int], np.ndarray] = OrderedDict()
        self._infix_terms: OrderedDict[str, np.ndarray] = OrderedDict()
        self._build_words()
        self._build_numbers()

    def _build_words(self) -> None:
        ids: dict[str, int] = {}
        pairs = {kind: (array("q"), array("q")) for kind in ("name", "field", "uri")}
        for r, c in enumerate(self.contacts):
            names = [ids.setdefault(t, len(ids)) for t in _terms(c.display_name)]
            fields = dict.fromkeys(names)
            for text in (c.organisation, c.department, *c.tags):
                if text:
                    fields.update(dict.fromkeys(ids.setdefault(t, len(ids)) for t in _terms(text)))
            uris = {ids.setdefault(t, len(ids)) for u in c.uris for t in _uri_terms(u)}
            for kind, terms in (("name", names), ("field", fields), ("uri", uris - set(fields))):
                pairs[kind][0].extend(terms)
                pairs[kind][1].extend([r] * len(terms))
        self.vocab = sorted(ids)
        position = np.empty(len(ids), dtype=np.int64)
        old_ids = np.fromiter((ids[t] for t in self.vocab), np.int64, len(ids))
        position[old_ids] = np.arange(len(ids))
        # CSR postings per sorted word: in the name; in the name, organisation,
        # department or tags ("fields"); only in SIP URIs.
        self.postings = {k: _postings(position, t, r, len(ids)) for k, (t, r) in pairs.items()}
        # Infix search covers the words of the fields, not those only found in SIP
        # URIs: user parts are nearly unique per contact ("jsmith4"), so they would
        # make the scan as long as the directory.
        field_ptr = self.postings["field"][0]
        self.infix_ids = np.flatnonzero(field_ptr[1:] > field_ptr[:-1])
        self.infix_words = np.array([self.vocab[i].encode() for i in self.infix_ids], dtype=bytes)

    def _build_numbers(self) -> None:
        prefix_forms: list[str] = []
        e164_forms: list[str] = []
        infix_forms: list[str] = []
        prefix_rec, e164_rec, infix_rec, infix_keep = (array("q") for _ in range(4))
        for r, c in enumerate(self.contacts):
            for entry in c.numbers:
                forms = _number_forms(entry)
                prefix_forms += forms.prefixes
                prefix_rec.extend([r] * len(forms.prefixes))
                if forms.e164:
                    e164_forms.append(forms.e164)
                    e164_rec.append(r)
                for form, keep in forms.infixes:
                    infix_forms.append(form)
                    infix_keep.append(keep)
                    infix_rec.append(r)
        self.prefix_codes, self.prefix_rec = _sorted_codes(prefix_forms, None, prefix_rec)
        self.e164_codes, self.e164_rec = _sorted_codes(e164_forms, None, e164_rec)
        self.infix_codes, self.infix_rec = _sorted_codes(infix_forms, infix_keep, infix_rec)

    # -- matching ----------------------------------------------------------------------

    def best(self, tokens: Sequence[_Token], limit: int) -> list[tuple[MatchQuality, int]]:
        """Up to `limit` (quality, record) pairs, best first."""
        found: list[tuple[MatchQuality, int]] = []
        previous: np.ndarray | None = None
        for quality in MatchQuality:
            mask = self.alive.copy()
            for token in tokens:
                mask &= self._mask(token, quality)
            new = mask if previous is None else mask & ~previous
            found += [(quality, int(r)) for r in np.flatnonzero(new)[: limit - len(found)]]
            if len(found) >= limit:
                break
            previous = mask
        return found

    def _mask(self, token: _Token, quality: MatchQuality) -> np.ndarray:
        key = (token.kind, token.value, quality)
        mask = self._masks.get(key)
        if mask is not None:
            self._masks.move_to_end(key)
            return mask
        mask = np.zeros(self.size, dtype=bool)
        mask[np.concatenate(self._records(token, quality))] = True
        self._masks[key] = mask
        if len(self._masks) > 48:
            self._masks.popitem(last=False)
        return mask

    def _records(self, token: _Token, quality: MatchQuality) -> list[np.ndarray]:
        """Arrays of records (repeats allowed) whose union is what `token` matches."""
        value = token.value
        if token.kind == "e164":
            return [_code_slice(self.e164_codes, self.e164_rec, value)]
        low, high = bisect_left(self.vocab, value), bisect_left(self.vocab, value + _TOP)
        kinds = ("name",) if quality is MatchQuality.NAME_PREFIX else ("field", "uri")
        parts = [rec[ptr[low] : ptr[high]] for ptr, rec in (self.postings[k] for k in kinds)]
        infix = quality is MatchQuality.SUBSTRING and len(value) >= MIN_SUBSTRING
        if infix:
            words = self.infix_ids[self._infix(value)]
            parts.append(_gather(*self.postings["field"], words))
        if token.kind == "digits":
            if infix:
                parts.append(_code_slice(self.infix_codes, self.infix_rec, value))
            else:
                parts.append(_code_slice(self.prefix_codes, self.prefix_rec, value))
        return parts

    def _infix(self, value: str) -> np.ndarray:
        """Vocabulary ids of the words containing `value`; a cached shorter infix narrows."""
        cached = self._infix_terms.get(value)
        if cached is not None:
            return cached
        narrower = [hits for key, hits in self._infix_terms.items() if key in value]
        # Indices into infix_words; UTF-8 bytes, since a UTF-8 needle only matches whole
        # characters of a UTF-8 word.
        within = min(narrower, key=len) if narrower else np.arange(len(self.infix_words))
        found = within[np.char.find(self.infix_words[within], value.encode()) >= 0]
        self._infix_terms[value] = found
        if len(self._infix_terms) > 32:
            self._infix_terms.popitem(last=False)
        return found


def _postings(
    position: np.ndarray, terms: array, records: array, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """CSR: the records of sorted term i are rec[ptr[i]:ptr[i+1]], in rank order."""
    t = position[np.frombuffer(terms, dtype=np.int64)] if terms else np.empty(0, np.int64)
    r = np.frombuffer(records, dtype=np.int64).astype(np.int32)
    order = np.lexsort((r, t))
    ptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(t, minlength=count), out=ptr[1:])
    return ptr, r[order]


def _gather(ptr: np.ndarray, rec: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """The records of all `terms` (CSR rows) in one array, without a loop per term."""
    starts = ptr[terms]
    lengths = ptr[terms + 1] - starts
    first = np.cumsum(lengths) - lengths  # where each term's run begins in the output
    return rec[np.repeat(starts - first, lengths) + np.arange(int(lengths.sum()))]


def _sorted_codes(
    forms: list[str], keep: array | None, records: array
) -> tuple[np.ndarray, np.ndarray]:
    keep_arr = np.frombuffer(keep, np.int64) if keep else np.ones(len(forms), np.int64)
    codes, owners = _encode(forms, keep_arr)
    rec = np.frombuffer(records, np.int64).astype(np.int32)[owners] if len(owners) else owners
    order = np.argsort(codes, kind="stable")
    return codes[order], rec[order]


def _code_slice(codes: np.ndarray, records: np.ndarray, digits: str) -> np.ndarray:
    low, high = _code_range(digits)
    return records[np.searchsorted(codes, low) : np.searchsorted(codes, high)]


# -- the index -------------------------------------------------------------------------


class ContactIndex:
    """The searchable view of the directory's contacts (which must all have ids)."""

    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        self._segments: list[_Segment] = []
        self._where: dict[int, _Segment] = {}
        self.add_many(contacts)

    def __len__(self) -> int:
        return len(self._where)

    def add_many(self, contacts: Iterable[Contact]) -> None:
        """Index new contacts (or new versions of indexed ones)."""
        latest: dict[int, Contact] = {}
        for contact in contacts:
            if contact.id is None:
                raise ValueError("only stored contacts (with an id) can be indexed")
            latest[contact.id] = contact  # the same id twice: the later version
        for contact_id in latest:
            self._forget(contact_id)
        contacts = list(latest.values())
        if contacts:
            self._add_segment(_Segment(contacts))
            self._compact()

    def add(self, contact: Contact) -> None:
        self.add_many([contact])

    def remove(self, contact_id: int) -> bool:
        found = self._forget(contact_id)
        if found:
            self._compact()
        return found

    def search(self, query: str, limit: int = 20) -> list[Match]:
        tokens = parse_query(query)
        if not tokens or limit <= 0:
            return []
        ranked = []
        for segment in self._segments:
            for quality, record in segment.best(tokens, limit):
                ranked.append((quality, segment.keys[record], segment.contacts[record]))
        ranked.sort(key=lambda m: (m[0], m[1]))
        return [Match(c, q, _matched_number(c, tokens, q)) for q, _, c in ranked[:limit]]

    def _forget(self, contact_id: int) -> bool:
        segment = self._where.pop(contact_id, None)
        if segment is None:
            return False
        segment.alive[segment.record[contact_id]] = False
        return True

    def _add_segment(self, segment: _Segment) -> None:
        self._segments.append(segment)
        for contact in segment.contacts:
            self._where[contact.id] = segment  # type: ignore[index]
        self._segments.sort(key=lambda s: -s.size)

    def _compact(self) -> None:
        """Keep search fast: few segments, few dead records."""
        live = len(self._where)
        total = sum(s.size for s in self._segments)
        if total - live > max(1000, live // 10):
            self._rebuild(self._segments)
        elif len(self._segments) > _MAX_SMALL_SEGMENTS + 1:
            self._rebuild(self._segments[1:])  # the small ones; the largest stays

    def _rebuild(self, segments: list[_Segment]) -> None:
        keep = [s for s in self._segments if all(s is not t for t in segments)]
        contacts = [c for s in segments for r, c in enumerate(s.contacts) if s.alive[r]]
        self._segments = keep
        if contacts:
            self._add_segment(_Segment(contacts))


def _matched_number(
    contact: Contact, tokens: Sequence[_Token], quality: MatchQuality
) -> PhoneEntry | None:
    """For a query with a number, the first of the contact's entries that it matches."""
    for token in tokens:
        if token.kind == "text":
            continue
        for entry in contact.numbers:
            forms = _number_forms(entry)
            if token.kind == "e164":
                hit = forms.e164.startswith(token.value)
            elif quality is MatchQuality.SUBSTRING:
                hit = any(token.value in form for form, _ in forms.infixes)
            else:
                hit = any(form.startswith(token.value) for form in forms.prefixes)
            if hit:
                return entry
    return None
