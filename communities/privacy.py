"""Personal data helpers (PIPL): show the minimum. The masking itself is shared project-wide."""

from governance.security.privacy import mask_phone

__all__ = ["mask_phone"]
