"""The end-to-end harness: real headless Chromium (Debian's chromium and chromium-driver)
driven by Selenium against the live server, with axe-core checking each page."""

import json
import os
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import PASSWORD

# Selenium Manager must not try to download a browser: there is no internet here.
os.environ["SE_OFFLINE"] = "true"

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("EIP_SCREENSHOTS", "var/screenshots"))
# One folder per pytest-xdist worker: a download is found as the file that appeared after a click.
DOWNLOADS = Path(os.environ.get("EIP_DOWNLOADS", "var/downloads"), os.environ.get("PYTEST_XDIST_WORKER", "")).resolve()
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
]


def chromium() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    # Keep the console, so every page can be checked for Content-Security-Policy violations.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    # Save PDFs and other files to a folder the tests read, instead of opening a viewer.
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(DOWNLOADS),
            "download.prompt_for_download": False,
            "plugins.always_open_pdf_externally": True,
        },
    )
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.implicitly_wait(0)
    return driver


class Browser:
    """A person at a browser: goes to pages, fills fields by their labels, presses buttons
    by their text, and checks every page it sees for accessibility problems."""

    def __init__(self, driver, base_url):
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.pages_checked = 0

    def go(self, path):
        self.driver.get(self.base_url + path)
        self.wait_for_page()

    def wait_for_page(self):
        WebDriverWait(self.driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def field(self, label):
        element = self.driver.find_element(
            By.XPATH, f"//label[normalize-space()={json.dumps(label, ensure_ascii=False)}]"
        )
        return self.driver.find_element(By.ID, element.get_attribute("for"))

    def fill(self, label, value):
        element = self.field(label)
        element.clear()
        element.send_keys(value)

    def press(self, text):
        literal = json.dumps(text, ensure_ascii=False)
        button = self.driver.find_element(
            By.XPATH, f"//button[normalize-space()={literal}] | //input[@type='submit' and @value={literal}]"
        )
        self.submit_and_wait(button.click)

    def follow(self, link_text):
        """Click a link by its text and wait for the page it opens."""
        link = self.driver.find_element(By.LINK_TEXT, link_text)
        self.submit_and_wait(link.click)

    def submit_and_wait(self, action):
        """Do something that loads a new page, and wait until the new page has loaded
        (readyState alone would still describe the old one)."""
        old_page = self.driver.find_element(By.TAG_NAME, "html")
        action()

        def left_old_page(driver):
            try:
                old_page.is_enabled()
            except WebDriverException:
                # Stale, or (Chromium's other wording) "does not belong to the document".
                return True
            return False

        WebDriverWait(self.driver, 10).until(left_old_page)
        self.wait_for_page()

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def heading(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def path(self):
        return self.driver.current_url.removeprefix(self.base_url)

    def sign_in(self, email, password=PASSWORD):
        self.go("/sign-in/")
        self.fill("Email address", email)
        self.fill("Password", password)
        self.press("Sign in")
        WebDriverWait(self.driver, 10).until(expected_conditions.presence_of_element_located((By.TAG_NAME, "h1")))

    def sign_out(self):
        self.press("Sign out")

    def axe_violations(self):
        """Run axe-core in the page; return its violations (empty when the page passes)."""
        self.driver.execute_script(AXE.read_text())
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            "  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
            "     help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))))"
            "  .catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));"
        )
        self.pages_checked += 1
        return result

    def assert_accessible(self):
        violations = self.axe_violations()
        assert violations == [], f"axe-core on {self.path()}: {json.dumps(violations, indent=1)}"
        blocked = [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if "Content Security Policy" in entry["message"]
        ]
        assert blocked == [], f"Content-Security-Policy blocked something on {self.path()}: {blocked}"

    def download(self, link_text, timeout=20):
        """Click a link to a file and return the downloaded file's path."""
        import time

        before = set(DOWNLOADS.iterdir())
        self.driver.find_element(By.PARTIAL_LINK_TEXT, link_text).click()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Chromium writes to a hidden temporary name (or *.crdownload) and renames when done.
            done = [
                p
                for p in set(DOWNLOADS.iterdir()) - before
                if not p.name.startswith(".") and not p.name.endswith(".crdownload")
            ]
            if done and done[0].stat().st_size > 0:
                return done[0]
            time.sleep(0.2)
        raise AssertionError(f"Nothing was downloaded from {link_text!r}")

    def screenshot(self, name):
        """The whole page as a PNG in var/screenshots, for a person to look at."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, min(max(height, 1000), 6000))
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(1280, 1000)
        return path
