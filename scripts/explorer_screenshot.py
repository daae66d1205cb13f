#!/usr/bin/python3
"""Draws docs/images/explorer.png: `mtrec serve` on a checkpoint, the explorer
page in headless Chromium (as tests/serve/browser_test.py drives it), one
search, two ratings, the new user's list, similar items, a user's top 5 and
history.
usage: explorer_screenshot.py MTREC MODEL OUT.png SEARCH USER
(the docs' image: MovieTweetings-100K, `mtrec train --dataset ratings.dat
--remap_ids --recipe mtrec`, SEARCH "star trek", USER 1)"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "serve"))
import serve_test  # noqa: E402
from browser_test import chromium_driver, full_page_screenshot  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

mtrec, model, out, search, user = sys.argv[1:6]
serve_test.MTREC = mtrec
server = serve_test.Server(model)
d = chromium_driver()
try:
    wait = WebDriverWait(d, 30, poll_frequency=0.05)
    rows = lambda list_id: d.find_elements(By.CSS_SELECTOR, f"#{list_id} > li")  # noqa: E731
    d.get(f"http://127.0.0.1:{server.port}/")
    wait.until(lambda _: "users," in d.find_element(By.ID, "model").text)
    d.find_element(By.ID, "search").send_keys(search)
    d.find_element(By.CSS_SELECTOR, "#search-form button").click()
    wait.until(lambda _: len(rows("search-results")) >= 2)
    for row, rating in zip(rows("search-results")[:2], ("9", "7")):
        Select(row.find_element(By.CSS_SELECTOR, "select.rate")).select_by_visible_text(rating)
    d.find_element(By.ID, "recommend-me").click()
    wait.until(lambda _: len(rows("my-recommendations")) == 10)
    rows("search-results")[0].find_element(By.CSS_SELECTOR, "button.similar").click()
    wait.until(lambda _: len(rows("similar")) == 10)
    d.find_element(By.ID, "user").send_keys(user)
    k = d.find_element(By.ID, "k")
    k.clear()
    k.send_keys("5")
    d.find_element(By.CSS_SELECTOR, "#user-form button").click()
    wait.until(lambda _: len(rows("user-history")) > 0)
    full_page_screenshot(d, out)
finally:
    d.quit()
    server.stop()
