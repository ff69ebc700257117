"""A real headless browser for page tests: Debian's chromium driven by selenium through chromium-driver.

``why_no_browser()`` says what is missing (the tests skip with that reason); nothing is downloaded.
"""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = ("chromedriver", "chromium-driver")


def _which(names: tuple[str, ...]) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


def why_no_browser() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if _which(CHROMIUM) is None:
        return "chromium is not installed (apt-get install chromium; listed in .ci/apt-packages)"
    if _which(DRIVER) is None:
        return "chromedriver is not installed (apt-get install chromium-driver; listed in .ci/apt-packages)"
    return None


@contextmanager
def headless_chromium(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A selenium driver of a fresh headless chromium (its own profile, no network of its own)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="grade-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = _which(CHROMIUM) or ""
        for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                         "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage",
                         "--hide-scrollbars", f"--user-data-dir={profile}", f"--window-size={width},{height}"):
            options.add_argument(argument)
        driver = webdriver.Chrome(options=options, service=Service(executable_path=_which(DRIVER)))
        try:
            yield driver
        finally:
            driver.quit()
