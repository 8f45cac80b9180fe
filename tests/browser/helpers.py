"""Shared steps of the browser tests."""

PASSWORD = "pw-for-tests-1"  # communities.factories.UserFactory


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the portal's login form and wait for the role's home page."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("[data-testid=home-title]")
