"""Take the screenshots of `grade quiz --web` in docs/learning.md with the tests' headless chromium.

    .venv/bin/python tests/quiz_web_screenshots.py docs

Writes quiz-web.png (a laptop window) and quiz-web-phone.png (a phone's width): the feedback on a wrong
answer to q2 above question 3, in a temporary folder's quiz (the project's own answers are not touched).
"""
from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

from browser import headless_chromium, why_no_browser
from grader.course.course import load_lesson
from grader.course.quiz import load_quiz
from quiz_web import Served

SHOTS = {"quiz-web.png": (1280, 900), "quiz-web-phone.png": (390, 844)}


def main(out: Path) -> None:
    problem = why_no_browser()
    if problem is not None:
        sys.exit(f"cannot take the screenshots: {problem}")
    quiz = load_quiz(load_lesson().quiz_path)
    q2 = quiz.question("q2")
    wrong = next(c.id for c in q2.choices if not q2.is_correct(c.id))
    with tempfile.TemporaryDirectory() as folder, headless_chromium() as driver:
        served = Served(quiz, Path(folder) / "quiz_answers.yaml")
        try:
            served.answer("q1", quiz.question("q1").answer.id)
            served.answer("q2", wrong)
            for name, (width, height) in SHOTS.items():
                driver.set_window_size(width, height)
                driver.get(served.url + "?answered=q2")
                driver.execute_script("document.getElementById('choice-b').checked = true")  # a choice picked
                size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
                shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
                    "format": "png", "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1}})
                (out / name).write_bytes(base64.b64decode(shot["data"]))
                print(f"wrote {out / name}")
        finally:
            served.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
