"""The browser the end-to-end tests drive: Debian's headless chromium through Playwright,
launched once per test module and shared by its tests (each test opens its own context, so
no cookie or storage leaks from one test to the next). Not once per run: Playwright's sync
API keeps an event loop running in the main thread while it is open, which would break
every later test that runs asyncio, and the environment it needs would leak into the
programs they start.

Loaded for every suite by tests/conftest.py; Playwright is imported only when a test asks
for the browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from programs import require_program

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_program("chromium", "chromium", setting="BUREAU_TEST_CHROMIUM")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            yield launched
            launched.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
# What the tests refuse; "moderate" and "minor" findings are reported by axe but not failed.
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from the npm registry (package.json; `make setup` runs npm ci)."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `make setup` (npm ci installs it from "
                    "package.json; Debian's npm or Node.js's own)", pytrace=False)
    return AXE


def accessibility_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page (its context must have been
    given ``axe_script`` as an init script)."""
    return list(page.evaluate(
        """async (impacts) => {
             const result = await axe.run(document, {resultTypes: ["violations"]});
             return result.violations.filter(v => impacts.includes(v.impact)).map(v =>
               `${v.id} (${v.impact}): ${v.help} -- ` +
               v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
           }""", list(BLOCKING_IMPACTS)))


def overflow(page: Any) -> str:
    """Empty when the page is no wider than the viewport, else what sticks out."""
    width = page.evaluate("document.documentElement.clientWidth")
    if page.evaluate("document.documentElement.scrollWidth") <= width:
        return ""
    wider = page.evaluate(
        "(w) => [...document.querySelectorAll('body *')].filter(e => "
        "e.getBoundingClientRect().right > w + 0.5)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)", width)
    return f"{page.url} is wider than {width}px: {wider}"
