"""The console as a person uses it: a real headless Chromium (Debian's `chromium`, driven by
Selenium through Debian's `chromium-driver`), one browser session for every page.

Skipped only outside CI when chromium or chromedriver is missing; `.ci/run` installs both, and
under CI=true a missing browser is a failure. `GATEWAY_UPDATE_DOCS=1` also writes the
screenshot of the acknowledgements board to docs/console-acks.png.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.console.app import ConsoleConfig
from gateway.ops import RunningServer, create_app, serve_in_thread
from gateway.store import MessageStatus
from tests.conftest import REPO
from tests.integration.console_env import PASSWORD, ConsoleDemo, build

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


def tools() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromium-driver are required in CI (.ci/run installs them)")
        pytest.skip("chromium or chromedriver is not installed")
    return browser, driver


@dataclass
class Browser:
    demo: ConsoleDemo
    server: RunningServer
    driver: object  # selenium's WebDriver (typed loosely: selenium is a test-only dependency)
    shots: Path

    def go(self, path: str) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.get(self.server.url + path)  # type: ignore[attr-defined]
        WebDriverWait(self.driver, 20).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def css(self, selector: str) -> list[object]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, selector))  # type: ignore[attr-defined]

    def one(self, selector: str) -> object:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, selector)  # type: ignore[attr-defined]

    def click(self, target: str | object) -> None:
        """Click and wait until the next page has replaced this one (a form post or a link)."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        for attempt in range(3):
            element = self.one(target) if isinstance(target, str) else target
            page = self.driver.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
            try:
                element.click()  # type: ignore[attr-defined]
                break
            except WebDriverException:
                # found in a document that was being replaced: find it again in the new one
                if attempt == 2 or not isinstance(target, str):
                    raise

        def replaced(_driver: object) -> bool:
            # the old document is gone: Chrome says so as "stale element" or, racing the
            # navigation, as "node does not belong to the document" (both WebDriverExceptions)
            try:
                page.is_enabled()  # type: ignore[attr-defined]
            except WebDriverException:
                return True
            return False

        WebDriverWait(self.driver, 20).until(replaced)
        WebDriverWait(self.driver, 20).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def text(self, selector: str = "main") -> str:
        return str(self.one(selector).text)  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        return str(self.driver.current_url)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium, chromedriver = tools()
    from selenium import webdriver

    demo = build(tmp_path_factory.mktemp("console-ui"))
    app = create_app(
        demo.gw.store, demo.gw.registry, console=ConsoleConfig(archive=demo.gw.archive)
    )
    server = serve_in_thread(app, port=0)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(chromedriver))
    driver.set_page_load_timeout(30)
    try:
        yield Browser(demo, server, driver, tmp_path_factory.mktemp("shots"))
    finally:
        driver.quit()
        server.stop()
        demo.gw.store.close()


def test_1_unauthenticated_visitor_gets_the_login_form_not_the_data(browser: Browser) -> None:
    browser.go("/console/acks?status=overdue")
    assert "/console/login?next=" in browser.url
    assert browser.css("#username") and browser.css("#password")
    assert "demo-carrier" not in browser.text()
    browser.go("/")  # the status page needs the login too
    assert "/console/login" in browser.url
    browser.one("#username").send_keys("otto")  # type: ignore[attr-defined]
    browser.one("#password").send_keys("not the password")  # type: ignore[attr-defined]
    browser.click("#login")
    assert "Wrong user name or password" in browser.text("#login-error")


def test_2_login_lands_on_the_board_with_counts_that_link_to_rows(browser: Browser) -> None:
    browser.go("/console/acks?status=overdue")
    browser.one("#username").send_keys("otto")  # type: ignore[attr-defined]
    browser.one("#password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    browser.click("#login")
    # back where the visitor wanted to go, already filtered
    assert browser.url.endswith("/console/acks?status=overdue")
    assert "otto (operator)" in browser.text("header")
    sent = browser.text("#counts-sent")
    assert "demo-carrier" in sent
    statuses = [row.get_attribute("class") for row in browser.css("#ack-rows tbody tr")]  # type: ignore[attr-defined]
    assert statuses and all("overdue" in s for s in statuses)
    # the rejected count of what we sent is a link to exactly those rows
    browser.go("/console/acks")
    link = browser.one("#counts-sent td.rejected a")
    count = int(link.text)  # type: ignore[attr-defined]
    browser.click(link)
    assert "status=rejected" in browser.url
    rows = browser.css("#ack-rows tbody tr")
    assert len(rows) == count and all("rejected" in r.get_attribute("class") for r in rows)  # type: ignore[attr-defined]
    shot = browser.shots / "console-acks.png"
    browser.go("/console/acks")
    browser.driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    if os.environ.get("GATEWAY_UPDATE_DOCS") == "1":
        shutil.copyfile(shot, REPO / "docs" / "console-acks.png")


def test_3_filters_narrow_the_rows(browser: Browser) -> None:
    from selenium.webdriver.support.ui import Select

    browser.go("/console/acks")
    Select(browser.one("#f-side")).select_by_value("received")
    Select(browser.one("#f-status")).select_by_value("rejected")
    browser.click("#apply")
    assert "side=received" in browser.url and "status=rejected" in browser.url
    rows = browser.css("#ack-rows tbody tr")
    assert len(rows) == 1
    row = rows[0].text  # type: ignore[attr-defined]
    assert "000000202" in row and "rejected" in row and "delivered" in row
    Select(browser.one("#f-doc")).select_by_value("SM")  # no 204 was received: nothing
    browser.click("#apply")
    assert "No acknowledgements match" in browser.text("#ack-rows")


def test_4_message_page_highlights_and_explains_each_finding(browser: Browser) -> None:
    browser.go("/console/acks?side=received&status=rejected")
    browser.click("#ack-rows a[href*='/console/messages/']")
    assert browser.url.endswith(f"/console/messages/{browser.demo.bad_id}")
    findings = browser.text("#findings")
    assert "AT705: '20241345' is not a CCYYMMDD date" in findings
    assert "The date is not a valid date." in findings and "CCYYMMDD" in findings
    bad = [e.text for e in browser.css("#raw .el.bad")]  # type: ignore[attr-defined]
    assert "20241345" in bad and "EXTRA" in bad
    flagged = browser.css("#raw tr.flagged")
    assert any("AT7" in r.text and "Fix:" in r.text for r in flagged)  # type: ignore[attr-defined]
    assert "997" in browser.text("main")  # the acknowledgement we sent for it
    assert "received status-202.edi" in browser.text("#timeline")


def test_5_shipment_page_follows_tender_to_its_acknowledgements(browser: Browser) -> None:
    browser.go("/console/shipments")
    browser.one("#key").send_keys("LOAD-2")  # type: ignore[attr-defined]
    browser.click("#find")
    stages = browser.text("#stages")
    assert "Tender (204)" in stages
    assert "expected 997" in stages and "expected 990" in stages
    assert "rejected" in stages  # LOAD-2's 997 came back rejected
    assert "demo-carrier" in stages


def test_6_partners_and_exceptions_pages(browser: Browser) -> None:
    browser.go("/console/partners")
    table = browser.text("#partners")
    assert "demo-carrier" in table and "production" in table
    overdue = browser.one("#partners td.overdue a")
    assert int(overdue.text) >= 1  # type: ignore[attr-defined]
    browser.go("/console/exceptions")
    assert "not X12, IDoc XML or JSON" in browser.text("#quarantined")
    assert "no sink for transport" in browser.text("#deadletters")


def test_7_replay_from_the_page_dry_run_then_confirm(browser: Browser) -> None:
    store = browser.demo.gw.store
    mid = browser.demo.bad_id
    browser.go("/console/exceptions")
    browser.click(f"button.replay-{mid}")
    assert "dry run" in browser.text("h1")
    assert store.get_message(mid).status is MessageStatus.QUARANTINED  # type: ignore[union-attr]
    browser.click("#confirm")
    assert browser.url.endswith(f"/console/messages/{mid}?done=replayed")
    assert store.get_message(mid).status is MessageStatus.RECEIVED  # type: ignore[union-attr]
    assert "console replay" in browser.text("#timeline")
