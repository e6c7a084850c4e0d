"""The canonical text a contract's content hash covers, in a form any language reproduces.

Format `botsdk.contract/2` hashes the RFC 8785 JSON Canonicalization Scheme (JCS) form: object members sorted by
their UTF-16 code units, no whitespace, strings escaped as ECMAScript's JSON.stringify does, every number written as
ECMAScript's Number-to-String writes the IEEE-754 double (so `16`, `16.0` and `1.6e1` are one number, `16`).
In JavaScript that is `JSON.stringify` with sorted keys; `tests/node/contract_hash.mjs` is a complete reproduction.

Format `botsdk.contract/1` hashed Python's `json.dumps(sort_keys=True, separators=(",", ":"))`; `legacy_json` keeps
that rule so files written under it still validate.
"""

from __future__ import annotations

import json
import math
from typing import Any

_MAX_SAFE_INTEGER = 2 ** 53


class CanonicalFormError(ValueError):
    """A value with no canonical JSON form (NaN, infinity, a non-string key, a lone surrogate, an unknown type)."""


def jcs(value: Any) -> str:
    """RFC 8785 canonical JSON text of `value` (dicts, lists, tuples, str, int, float, bool, None)."""
    parts: list[str] = []
    _write(value, parts, "$")
    return "".join(parts)


def legacy_json(value: Any) -> str:
    """The canonical text of format botsdk.contract/1: Python's sorted, whitespace-free json.dumps."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _write(value: Any, out: list[str], path: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value, path))
    elif isinstance(value, (int, float)):
        out.append(number(value, path))
    elif isinstance(value, dict):
        _write_object(value, out, path)
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, f"{path}[{i}]")
        out.append("]")
    else:
        raise CanonicalFormError(f"{path}: expected a JSON value, got {type(value).__name__} {value!r}")


def _write_object(value: dict, out: list[str], path: str) -> None:
    for key in value:
        if not isinstance(key, str):
            raise CanonicalFormError(f"{path}: object keys must be strings, got {key!r}")
    out.append("{")
    for i, key in enumerate(sorted(value, key=_utf16_units)):
        if i:
            out.append(",")
        out.append(_string(key, path))
        out.append(":")
        _write(value[key], out, f"{path}.{key}")
    out.append("}")


def _utf16_units(text: str) -> bytes:
    """Sort key: UTF-16 code units (big-endian bytes compare in code-unit order), as RFC 8785 section 3.2.3 says."""
    return text.encode("utf-16-be", "surrogatepass")


def _string(text: str, path: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalFormError(f"{path}: string {text!r} holds a lone surrogate (not valid Unicode)") from None
    # Python escapes exactly what JSON.stringify escapes when ensure_ascii is off: ", \, \b \f \n \r \t and the
    # other controls below U+0020 as lower-case \u00xx.
    return json.dumps(text, ensure_ascii=False)


def number(value: int | float, path: str = "$") -> str:
    """ECMAScript Number::toString of the double nearest `value` (RFC 8785 section 3.2.2.3)."""
    if isinstance(value, int) and abs(value) > _MAX_SAFE_INTEGER:
        raise CanonicalFormError(f"{path}: integer {value} is beyond 2^53 and has no exact JSON number form")
    x = float(value)
    if not math.isfinite(x):
        raise CanonicalFormError(f"{path}: expected a finite number, got {value!r}")
    if x == 0.0:
        return "0"  # -0 too
    sign = "-" if x < 0 else ""
    digits, exponent = _shortest_digits(abs(x))
    k, n = len(digits), exponent  # value = 0.digits * 10^n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        body = f"{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"
    return sign + body


def _shortest_digits(x: float) -> tuple[str, int]:
    """(d, n) with x = 0.d * 10^n and d the shortest digit string that round-trips (Python's repr finds it)."""
    text = repr(x)
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    leading_zeros = len(whole + frac) - len(digits)
    n = len(whole) - leading_zeros + (int(exp) if exp else 0)
    return digits.rstrip("0") or "0", n
