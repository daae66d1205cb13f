"""The explorer page (GET /) in a real browser: headless Chromium driven by
Selenium against `mtrec serve` on a small generated model. Searches a title,
rates it, renders the new user's list, opens similar items, shows a user's
top-k and history, and an unknown user's error; saves a screenshot of each
step under SCREENSHOT_DIR.
usage: browser_test.py PATH/TO/mtrec SCREENSHOT_DIR
Needs Debian's chromium, chromium-driver and python3-selenium
(scripts/install_deps.sh installs them)."""

import os
import re
import shutil
import sys
import tempfile
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_test  # noqa: E402  (the generated data, training and server helpers)

SHOTS = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="mtrec-browser-")
serve_test.MTREC = sys.argv[1] if len(sys.argv) > 1 else "mtrec"


def chromium_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


def full_page_screenshot(driver, path):
    """Saves the whole page as a PNG: the window grown to the page's height
    (plus the window's own frame, the outer minus the inner height)."""
    page, inner, outer = driver.execute_script(
        "return [document.body.scrollHeight, window.innerHeight, window.outerHeight]")
    driver.set_window_size(1280, max(1000, page + 20 + outer - inner))
    return driver.save_screenshot(path)


class BrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mtrec-browser-test-")
        serve_test.write_data(cls.tmp)
        cls.server = serve_test.Server(serve_test.train(cls.tmp, "m.mtrec", 1))
        cls.driver = chromium_driver()
        cls.driver.set_page_load_timeout(30)
        os.makedirs(SHOTS, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def wait(self, condition, what):
        """Polls `condition(driver)` for at most 10 s; fails naming `what`."""
        WebDriverWait(self.driver, 10, poll_frequency=0.05).until(condition, "waited 10 s for " + what)

    def rows(self, list_id):
        return self.driver.find_elements(By.CSS_SELECTOR, f"#{list_id} > li")

    def text(self, element_id):
        return self.driver.find_element(By.ID, element_id).text

    def shot(self, name):
        path = os.path.join(SHOTS, name + ".png")
        self.assertTrue(full_page_screenshot(self.driver, path), path)
        self.assertGreater(os.path.getsize(path), 1000, path)

    def test_a_person_explores_the_model(self):
        d = self.driver
        d.get(f"http://127.0.0.1:{self.server.port}/")
        self.wait(lambda _: re.search(r"\d+ users, \d+ items, epoch 2", self.text("model")),
                  "the model line")

        # Search a title, rate it, get the new user's recommendations.
        box = d.find_element(By.ID, "search")
        box.send_keys("star wars")
        d.find_element(By.CSS_SELECTOR, "#search-form button").click()
        self.wait(lambda _: len(self.rows("search-results")) == 1, "one search result")
        found = self.rows("search-results")[0]
        self.assertIn("Star Wars (1977)", found.text)
        self.assertIn("#50", found.text)
        Select(found.find_element(By.CSS_SELECTOR, "select.rate")).select_by_visible_text("5")
        self.wait(lambda _: "★ 5" in self.text("ratings"), "the rating listed")
        self.assertIn("Star Wars (1977)", self.text("ratings"))
        d.find_element(By.ID, "recommend-me").click()
        self.wait(lambda _: len(self.rows("my-recommendations")) == 10, "10 recommendations")
        mine = [r.text for r in self.rows("my-recommendations")]
        self.assertFalse(any("#50 " in r for r in mine), "the rated item is not recommended")
        self.assertTrue(all("score" in r and "rating" in r for r in mine), mine)
        self.shot("1-rated-and-recommended")

        # Similar items of the search result.
        found.find_element(By.CSS_SELECTOR, "button.similar").click()
        self.wait(lambda _: "Star Wars" in self.text("similar-to") and len(self.rows("similar")) == 10,
                  "10 similar items")
        self.assertTrue(all("cos " in r.text for r in self.rows("similar")))
        self.shot("2-similar-items")

        # A user's top-k and history.
        user = d.find_element(By.ID, "user")
        user.send_keys("7")
        k = d.find_element(By.ID, "k")
        k.clear()
        k.send_keys("5")
        d.find_element(By.CSS_SELECTOR, "#user-form button").click()
        self.wait(lambda _: len(self.rows("user-recommendations")) == 5, "the user's top 5")
        self.wait(lambda _: len(self.rows("user-history")) == 25, "the user's 25 items")
        self.assertEqual(self.text("history-count"), "(25)")
        history = {r.text.split("#")[1].split()[0] for r in self.rows("user-history")}
        top = {r.text.split("#")[1].split()[0] for r in self.rows("user-recommendations")}
        self.assertFalse(history & top, "a user's items are not recommended to them")
        self.assertEqual(self.text("status"), "")
        self.shot("3-user-top-k-and-history")

        # An unknown user: the error is shown, nothing crashes.
        user.clear()
        user.send_keys("9999")
        d.find_element(By.CSS_SELECTOR, "#user-form button").click()
        self.wait(lambda _: "user '9999' is not in the model" in self.text("status"), "the error")
        self.shot("4-unknown-user")
        # Nothing the page did was refused or failed in the browser's console.
        # (the unknown user's 404 is the one failed request).
        errors = [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]
        self.assertEqual([e for e in errors if "/v1/users/9999/" not in e], [])
        self.assertEqual(len(errors), 1, errors)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
