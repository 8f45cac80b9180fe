"""Unified social credit code (统一社会信用代码), GB 32100-2015."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The 31 characters allowed; I, O, Z, S and V are excluded to avoid confusion with digits.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i (0-based) is 3**i mod 31.
CREDIT_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def credit_code_check_character(first17: str) -> str:
    total = sum(
        CREDIT_CODE_CHARSET.index(ch) * w
        for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Raise ValidationError with a specific message when `value` is not a valid credit code."""
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(value)},
            code="length",
        )
    if value != value.upper():
        raise ValidationError(
            _("Write the unified social credit code in capital letters."), code="lowercase"
        )
    bad = sorted({ch for ch in value if ch not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _(
                "The characters %(chars)s are not allowed in a unified social credit code "
                "(I, O, Z, S and V are never used)."
            )
            % {"chars": ", ".join(bad)},
            code="charset",
        )
    expected = credit_code_check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The check character is wrong: expected %(expected)s, found %(found)s.")
            % {"expected": expected, "found": value[17]},
            code="check_character",
        )
