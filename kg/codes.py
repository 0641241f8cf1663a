"""全国地方公共団体コード (local government codes): five JIS digits plus a check digit."""

from __future__ import annotations

import re
import sys

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(five: str) -> int:
    """Check digit for a five-digit JIS X 0401/0402 code: (11 - Σ wᵢdᵢ mod 11) mod 10."""
    if not re.fullmatch(r"\d{5}", five):
        raise ValueError(f"expected five digits, got {five!r}")
    total = sum(w * int(d) for w, d in zip(_WEIGHTS, five, strict=True))
    return (11 - total % 11) % 10


def full_code(five: str) -> str:
    """The six-digit code for a five-digit one."""
    return f"{five}{check_digit(five)}"


def code_error(code: str) -> str | None:
    """Why a six-digit code is not valid, or None when it is."""
    if not re.fullmatch(r"\d{6}", code):
        return f"municipality code must be six digits, got {code!r}"
    expected = check_digit(code[:5])
    if int(code[5]) != expected:
        return f"municipality code {code} has check digit {code[5]}, expected {expected} ({code[:5]}{expected})"
    return None


if __name__ == "__main__":  # python -m kg.codes 01343 → 013439
    for arg in sys.argv[1:]:
        print(full_code(arg) if len(arg) == 5 else (code_error(arg) or f"{arg} ok"))
