"""Named per-action permissions of the deliberation app (autodiscovered by `rules`)."""

from .cases import rules as cases_rules  # noqa: F401  registers deliberation.*_case permissions
