from playwright.sync_api import expect

# expect() retries until its timeout, 5 s by default: short for a reload and a
# script's work while both cores are busy. A passing test never waits it out.
expect.set_options(timeout=15_000)
