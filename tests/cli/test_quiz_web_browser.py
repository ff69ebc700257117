"""`grade quiz --web` in a real headless browser: taking, resuming and retaking the quiz, and `grade` on the
answers it saved. Every step waits for the page it leads to (the ``data-page``/``data-question`` marks of
``<main>``), never for a fixed time."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from browser import headless_chromium, why_no_browser
from grader.cli.app import main
from grader.course.course import load_lesson
from grader.course.quiz import Quiz, load_quiz, save_answers
from projects import make_project
from quiz_web import LESSON, Served, right, wrong

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(why_no_browser() is not None, reason=why_no_browser() or "")]


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    return load_quiz(load_lesson().quiz_path)


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def project(tmp_path: Path, driver: Any) -> Iterator[Path]:
    driver.set_window_size(1280, 900)
    yield make_project(tmp_path / "project")


@pytest.fixture
def serve(quiz: Quiz, project: Path) -> Iterator:
    runs: list[Served] = []

    def start(retake: bool = False) -> Served:
        runs.append(Served(quiz, project / "quiz_answers.yaml", retake))
        return runs[-1]

    yield start
    for run in runs:
        if run.thread.is_alive():
            run.stop()



def on_page(driver: Any, page: str, question: str | None = None) -> None:
    """Wait until the browser shows that page (and question). Both marks are read in one script, in one
    document; while the browser navigates the script may fail, and is tried again."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    read = "const m = document.querySelector('main'); return m && [m.dataset.page, m.dataset.question || null];"
    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(
        lambda browser: browser.execute_script(read) == [page, question],
        f"the browser never showed the {page} page {question or ''}")


def click_answer(driver: Any, qid: str, choice: str) -> None:
    """Pick a choice by its label, as a mouse or a finger does, and press Answer."""
    from selenium.webdriver.common.by import By

    on_page(driver, "question", qid)
    driver.find_element(By.CSS_SELECTOR, f"label[for='choice-{choice}']").click()
    assert driver.find_element(By.ID, f"choice-{choice}").is_selected()
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def keyboard_answer(driver: Any, qid: str, choice: str) -> None:
    """Tab to the choices, arrow down to the one wanted, press Enter: no mouse."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    on_page(driver, "question", qid)
    for _ in range(10):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.execute_script("return document.activeElement.name") == "choice":
            break
    focused = driver.switch_to.active_element
    assert focused.get_attribute("value") == "a"
    outline = driver.execute_script("return getComputedStyle(document.activeElement.closest('label')).outlineStyle")
    assert outline == "solid", "the focused choice shows no focus ring"
    for _ in range("abcdefgh".index(choice)):
        ActionChains(driver).send_keys(Keys.ARROW_DOWN).perform()
    assert driver.switch_to.active_element.get_attribute("value") == choice
    assert driver.switch_to.active_element.is_selected()
    ActionChains(driver).send_keys(Keys.ENTER).perform()


def text(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.TAG_NAME, "main").text


def expected_file(quiz: Quiz, answers: dict[str, str], folder: Path) -> str:
    reference = folder / "reference.yaml"
    save_answers(reference, quiz, answers, LESSON)
    return reference.read_text()


def test_all_right_is_passed_and_saved(driver, serve, quiz: Quiz, project: Path, tmp_path: Path) -> None:
    served = serve()
    driver.get(served.url)
    keyboard_answer(driver, "q1", right(quiz, "q1"))
    on_page(driver, "question", "q2")
    assert "Right. Question q1" in text(driver)
    for qid in quiz.ids[1:]:
        click_answer(driver, qid, right(quiz, qid))
    on_page(driver, "result")
    shown = text(driver)
    assert "Passed: 8/8 = 100% — the lesson needs more than 75%: 7 of 8." in shown
    assert "To review" not in shown
    answers = {qid: right(quiz, qid) for qid in quiz.ids}
    assert (project / "quiz_answers.yaml").read_text() == expected_file(quiz, answers, tmp_path)


def test_six_of_eight_is_75_percent_and_grade_says_what_the_terminal_quiz_would(
        driver, serve, quiz: Quiz, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = {qid: wrong(quiz, qid) if qid in ("q3", "q7") else right(quiz, qid) for qid in quiz.ids}
    served = serve()
    driver.get(served.url)
    for qid, choice in given.items():
        click_answer(driver, qid, choice)
        if qid == "q3":
            on_page(driver, "question", "q4")
            shown = text(driver)
            assert "Wrong. Question q3" in shown and f"The answer is {right(quiz, 'q3')})" in shown
            assert f"Reread the lesson section “{quiz.question('q3').reread}”" in shown
    on_page(driver, "result")
    shown = text(driver)
    assert "Not passed: 6/8 = 75% — the lesson needs more than 75%: 7 of 8." in shown
    assert f"q3 (you chose {given['q3']}): reread the lesson section" in shown and "q7 (you chose" in shown

    terminal = make_project(tmp_path / "terminal")  # the same answers, typed into the terminal quiz
    monkeypatch.chdir(terminal)
    typed = CliRunner().invoke(main, ["quiz"], input="".join(f"{choice}\n" for choice in given.values()))
    assert typed.exit_code == 1 and "Not passed: 6/8 = 75%" in typed.stdout
    assert (project / "quiz_answers.yaml").read_bytes() == (terminal / "quiz_answers.yaml").read_bytes()
    reports = {}
    for folder in (project, terminal):
        monkeypatch.chdir(folder)
        graded = CliRunner().invoke(main, ["--format", "json", "--exercise", "stable_softmax"])
        reports[folder] = json.loads(graded.stdout)["quiz"]
        listed = CliRunner().invoke(main, ["list"])
        assert "Quiz: 6/8 correct (75%), not passed: it needs 7 of 8" in listed.stdout
    assert reports[project] == reports[terminal]
    assert reports[project]["score"] == 6 and reports[project]["passed"] is False


def test_a_half_taken_quiz_resumes_after_the_server_restarts(driver, serve, quiz: Quiz, project: Path,
                                                             tmp_path: Path) -> None:
    first = serve()
    driver.get(first.url)
    for qid in quiz.ids[:3]:
        click_answer(driver, qid, right(quiz, qid))
    on_page(driver, "question", "q4")
    first.stop()

    second = serve()
    driver.get(second.url)
    on_page(driver, "question", "q4")
    assert "Resuming from quiz_answers.yaml: 3 of 8 already answered (q1, q2, q3), skipped." in text(driver)
    for qid in quiz.ids[3:]:
        click_answer(driver, qid, right(quiz, qid))
    on_page(driver, "result")
    assert "Passed: 8/8 = 100%" in text(driver)
    answers = {qid: right(quiz, qid) for qid in quiz.ids}
    assert (project / "quiz_answers.yaml").read_text() == expected_file(quiz, answers, tmp_path)


def test_a_retake_replaces_the_answers_as_the_new_ones_come(driver, serve, quiz: Quiz, project: Path,
                                                            tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    save = project / "quiz_answers.yaml"
    save_answers(save, quiz, {qid: right(quiz, qid) for qid in quiz.ids}, LESSON)
    before = save.read_text()
    driver.get(serve().url)
    on_page(driver, "result")
    driver.find_element(By.XPATH, "//button[normalize-space()='Retake the quiz']").click()
    on_page(driver, "question", "q1")
    assert "Retaking the quiz from the first question" in text(driver)
    assert save.read_text() == before
    click_answer(driver, "q1", wrong(quiz, "q1"))
    on_page(driver, "question", "q2")
    assert save.read_text() == expected_file(quiz, {"q1": wrong(quiz, "q1")}, tmp_path)


def test_a_second_tab_is_told_its_answer_came_too_late(driver, serve, quiz: Quiz, project: Path) -> None:
    from selenium.webdriver.common.by import By

    served = serve()
    driver.get(served.url)
    on_page(driver, "question", "q1")
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(served.url)
    on_page(driver, "question", "q1")
    second = driver.current_window_handle
    driver.switch_to.window(first)
    click_answer(driver, "q1", right(quiz, "q1"))
    on_page(driver, "question", "q2")
    driver.switch_to.window(second)
    click_answer(driver, "q1", wrong(quiz, "q1"))
    on_page(driver, "error")
    assert f"Question q1 is already answered (you chose {right(quiz, 'q1')})" in text(driver)
    driver.find_element(By.LINK_TEXT, "Back to the quiz").click()
    on_page(driver, "question", "q2")
    driver.close()
    driver.switch_to.window(first)
    assert f"q1: {right(quiz, 'q1')}" in (project / "quiz_answers.yaml").read_text()


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_the_page_fits_a_phone_and_a_laptop(driver, serve, width: int, height: int) -> None:
    from selenium.webdriver.common.by import By

    driver.set_window_size(width, height)
    driver.get(serve().url)
    on_page(driver, "question", "q1")
    viewport = driver.execute_script("return document.documentElement.clientWidth")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= viewport, "scrolls sideways"
    labels = driver.find_elements(By.CSS_SELECTOR, "label.choice")
    assert len(labels) == 4
    for label in labels:
        assert label.rect["x"] >= 0 and label.rect["x"] + label.rect["width"] <= viewport
        assert label.rect["height"] >= 40, "a choice too small to tap"
    assert driver.find_element(By.TAG_NAME, "main").rect["width"] <= min(viewport, 760)
    assert driver.execute_script("return getComputedStyle(document.body).fontFamily") != ""
