"""JSON reading that refuses what the standard refuses and what would be ambiguous.

Python's reader accepts NaN and Infinity and keeps the last of two equal keys; for a record
about a child, `{"age": 9, "age": 19}` must be refused, not quietly read as 19.
"""

from __future__ import annotations

import json

_MAX_INT_DIGITS = 20  # ages and hours need 3; anything longer is not an observation


class DuplicateKeyError(ValueError):
    pass


def loads_strict(text: str) -> object:
    """`json.loads`, refusing duplicate keys, the non-standard NaN/Infinity and huge integers.

    Raises ValueError (json.JSONDecodeError or DuplicateKeyError) with a readable message.
    """
    return _DECODER.decode(text)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(f"the key {key[:40]!r} appears twice in one object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _bounded_int(digits: str) -> int:
    # Python refuses past 4,300 digits with advice about sys.set_int_max_str_digits(); no age
    # or number of hours needs more than a few, so say it plainly and much earlier.
    if len(digits) > _MAX_INT_DIGITS:
        raise ValueError(f"a number has more than {_MAX_INT_DIGITS} digits")
    return int(digits)


# One decoder for the process: building one per call costs more than decoding a short line.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_keys, parse_constant=_refuse_constant, parse_int=_bounded_int
)
