"""Real-browser tests of the console (headless Chromium)."""
