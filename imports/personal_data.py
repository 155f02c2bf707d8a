"""Patterns for personal identifiers that must never reach the store: CPR numbers, e-mail
addresses and phone numbers.

The patterns are written for polars (Rust ``regex``: no look-around) and work unchanged with
Python's ``re`` (used to mask values before a message could echo them).

* CPR: six digits that form a day and month (DDMMYY), then ``-``, ``–``, a space or nothing, then
  four digits, not inside a longer run of digits. Letters around it do not matter, so
  ``B0101901234`` and ``Barn 010190-1234`` are caught, while ``2026-11-23``, ``23.11.2026``,
  ``20261123``, ``B0000001`` and ``580-001`` are not.
* E-mail: ``name@domain.tld``.
* Phone (Danish, 8 digits): in free-text columns any 8 digits in a row (``12345678``,
  ``12 34 56 78``, ``1234 5678``, ``+45 12345678``); in code columns only the unmistakable forms
  (a ``+45``/``0045`` prefix or digits in spaced groups) so that numeric codes stay allowed.
"""

from __future__ import annotations

import re

_DAY = "(?:0[1-9]|[12][0-9]|3[01])"
_MONTH = "(?:0[1-9]|1[0-2])"
CPR = rf"(?:^|[^0-9]){_DAY}{_MONTH}[0-9]{{2}}[-\u2013 ]?[0-9]{{4}}(?:[^0-9]|$)"
EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
_PREFIXED = r"(?:\+|00)45 ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2}"
_SPACED = r"[0-9]{2} [0-9]{2} [0-9]{2} [0-9]{2}|[0-9]{4} [0-9]{4}"
PHONE_STRICT = rf"(?:^|[^0-9])(?:{_PREFIXED}|{_SPACED})(?:[^0-9]|$)"
PHONE_LOOSE = rf"(?:^|[^0-9+])(?:{_PREFIXED}|{_SPACED}|[0-9]{{8}})(?:[^0-9]|$)"

MESSAGES = {
    "cpr": "Værdien ligner et CPR-nummer. CPR-numre må ikke indlæses – brug pseudonym-koden.",
    "email": "Værdien ligner en e-mailadresse. Personoplysninger må ikke indlæses.",
    "phone": "Værdien ligner et telefonnummer. Personoplysninger må ikke indlæses.",
}
MASK = "•••"
_MASKED = re.compile("|".join(f"(?:{p})" for p in (EMAIL, _PREFIXED, _SPACED,
                                                  rf"{_DAY}{_MONTH}[0-9]{{2}}[-\u2013 ]?[0-9]{{4}}",
                                                  "[0-9]{8}")))


def mask(text: str) -> str:
    """``text`` with everything that could be a CPR number, e-mail or phone number replaced."""
    return _MASKED.sub(MASK, text)
