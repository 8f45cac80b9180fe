"""Storage names for proposal attachments (governance/uploads.py rules)."""

from governance.uploads import generated_upload_path


def attachment_upload_to(instance, filename: str) -> str:
    return generated_upload_path("deliberation/attachments", filename)
