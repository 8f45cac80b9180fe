"""Cross-cutting security: audit trail, session limits, two-factor login for staff, log
redaction, client addresses behind proxies, and the personal-data retention job (issue 6)."""
