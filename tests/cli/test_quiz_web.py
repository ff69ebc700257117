"""`grade quiz --web`: the server's handling of every request, talked to over HTTP (no browser; fast)."""
from __future__ import annotations

import _thread
import html
import os
import signal
import socket
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from click.testing import CliRunner

from grader.cli.app import main
from grader.core.errors import UsageError
from grader.course.course import load_lesson
from grader.course.quiz import Quiz, load_quiz, save_answers
from grader.webquiz import server as web_module
from grader.webquiz import state as web_state
from grader.webquiz.server import QuizServer, open_browser
from grader.webquiz.state import WebQuiz
from projects import make_project
from quiz_web import LESSON, Client, Served, right, wrong

GRADE = Path(sys.executable).with_name("grade")


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    return load_quiz(load_lesson().quiz_path)


@pytest.fixture
def save(tmp_path: Path) -> Path:
    return tmp_path / "quiz_answers.yaml"


@pytest.fixture
def serve(quiz: Quiz, save: Path) -> Iterator:
    runs: list[Served] = []

    def start(retake: bool = False) -> Served:
        runs.append(Served(quiz, save, retake))
        return runs[-1]

    yield start
    for run in runs:
        run.stop()



def expected_file(quiz: Quiz, answers: dict[str, str], tmp_path: Path) -> str:
    """What the terminal quiz's writer puts in the file for these answers."""
    reference = tmp_path / "reference.yaml"
    save_answers(reference, quiz, answers, LESSON)
    return reference.read_text()


class Form(HTMLParser):
    """The radio buttons of a page, each with the label it sits in, and the fieldset's legend."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.radios: list[tuple[str, bool]] = []  # (value, inside a label)
        self.legends = 0
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if tag == "input" and found.get("type") == "radio":
            self.radios.append((found["value"], "label" in self.open and "fieldset" in self.open))
        elif tag == "legend" and "fieldset" in self.open:
            self.legends += 1
        if tag not in ("input", "meta", "link"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]


def test_a_question_page_has_labelled_radio_buttons_and_nothing_of_the_key(serve, quiz: Quiz) -> None:
    page = serve().get()
    assert page.status == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    form = Form()
    form.feed(page.body)
    assert form.radios == [(c.id, True) for c in quiz.questions[0].choices] and form.legends == 1
    assert "script" not in form.tags and "http" not in page.body.replace('content="width', "")
    assert "Question 1 of 8 (q1)" in page.body and "Pass: more than 75% correct (7 of 8)" in page.body
    shown = html.unescape(page.body)
    for question in quiz.questions:  # no key, no salt, no explanation: nothing that tells the answer
        assert question.salt not in shown and question.key not in shown
        assert not [c for c in question.choices if c.explanation[:40] in shown]
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_no_page_tells_an_answer_before_it_is_given(serve, quiz: Quiz) -> None:
    served = serve()
    pages = [served.get()]
    for question in quiz.questions:
        pages.append(served.get(served.answer(question.id, wrong(quiz, question.id)).headers["location"]))
        pages.append(served.get())
    for number, question in enumerate(quiz.questions):
        before = pages[:1 + 2 * number]  # every page served before this question was answered
        for page in before:
            shown = html.unescape(page.body)
            assert question.key not in shown and question.salt not in shown
            assert not [c.id for c in question.choices if c.explanation[:40] in shown], question.id
    assert quiz.questions[-1].answer.explanation[:40] in html.unescape(pages[-1].body)  # once answered, shown


def test_an_error_of_grade_itself_is_one_line_and_a_page(serve, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    served = serve()

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr(web_module, "question_page", broken)
    reply = served.get()
    assert reply.status == 500 and "an error in grade: RuntimeError: a bug" in reply.body
    assert capsys.readouterr().err == "grade quiz --web: internal error on GET /: RuntimeError: a bug\n"
    monkeypatch.undo()
    assert served.get().status == 200


def test_the_style_sheet_is_the_only_other_thing_served(serve) -> None:
    served = serve()
    style = served.get("/style.css")
    assert style.status == 200 and style.headers["content-type"].startswith("text/css") and "focus" in style.body
    for path in ("/pyproject.toml", "/../pyproject.toml", "/quizzes/softmax_cross_entropy.yaml", "/quiz_answers.yaml",
                 "/style.css?x=1", "/?q=1", "//etc/passwd"):
        reply = served.get(path)
        assert reply.status == 404, path
        assert "title:" not in reply.body and "[project]" not in reply.body


def test_an_answer_is_saved_with_the_terminal_quizs_writer_and_explained(serve, quiz: Quiz, save: Path,
                                                                         tmp_path: Path) -> None:
    served = serve()
    posted = served.answer("q1", right(quiz, "q1").upper())
    assert posted.status == 303 and posted.headers["location"] == "/?answered=q1"
    assert save.read_text() == expected_file(quiz, {"q1": right(quiz, "q1")}, tmp_path)
    assert save.read_text().splitlines()[1] == f"# lesson: {LESSON}"
    page = served.get(posted.headers["location"])
    q1 = quiz.question("q1")
    assert "Right.</span> Question q1" in page.body and q1.answer.explanation[:60] in page.body
    assert "Question 2 of 8 (q2)" in page.body

    q2 = quiz.question("q2")
    choice = wrong(quiz, "q2")
    page = served.get(served.answer("q2", choice).headers["location"])
    assert "Wrong.</span> Question q2" in page.body and q2.choice(choice).explanation[:60] in page.body
    assert f"The answer is</strong> {q2.answer.id})" in page.body and q2.answer.explanation[:60] in page.body
    assert f"Reread the lesson section \u201c{q2.reread}\u201d; redo exercise <code>{q2.exercise}</code>" in page.body
    assert quiz.question("q3").answer.explanation[:40] not in html.unescape(page.body)


def test_six_of_eight_is_75_percent_and_not_passed(serve, quiz: Quiz, save: Path, tmp_path: Path) -> None:
    served = serve()
    given = {qid: wrong(quiz, qid) if qid in ("q2", "q5") else right(quiz, qid) for qid in quiz.ids}
    for qid, choice in given.items():
        assert served.answer(qid, choice).status == 303
    page = served.get()
    assert "Not passed: 6/8 = 75% \u2014 the lesson needs more than 75%: 7 of 8." in page.body
    assert page.body.count("<li>") == 2 and f"q2 (you chose {given['q2']})" in page.body
    assert save.read_text() == expected_file(quiz, given, tmp_path)


def test_bad_requests_get_a_clear_page_and_record_nothing(serve, quiz: Quiz, save: Path) -> None:
    served = serve()
    page = served.get()
    fields = {"token": page.field("token"), "revision": "0", "question": "q1", "choice": "a"}
    cases = [
        ({**fields, "question": "q9"}, 400, "There is no question &#x27;q9&#x27; in this quiz"),
        ({**fields, "choice": "z"}, 400, "Question q1: &#x27;z&#x27; is not a choice; allowed: a, b, c, d"),
        ({**fields, "question": "q2"}, 409, "This page is out of date"),
        ({**fields, "token": "forged"}, 403, "not from the quiz being served now"),
        ({k: v for k, v in fields.items() if k != "token"}, 403, "not from the quiz being served now"),
        ({**fields, "revision": "x"}, 400, "no page revision"),
        ({k: v for k, v in fields.items() if k != "question"}, 400, "names no question"),
        ({**fields, "extra": "1"}, 400, "unknown fields &#x27;extra&#x27;"),
        ([*fields.items(), ("choice", "b")], 400, "&#x27;choice&#x27; given twice"),
    ]
    for form, status, message in cases:
        reply = served.post("/answer", form)
        assert (reply.status, message in reply.body) == (status, True), (form, reply.body)
        assert "Traceback" not in reply.body
    raw = [
        (b"\xff\xfe=1", {"Content-Type": "application/x-www-form-urlencoded"}, 400, "could not be read"),
        (b"{}", {"Content-Type": "application/json"}, 415, "its own form"),
        (b"a=1", {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "99999"}, 413, "too long"),
        (b"a=1", {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "-1"}, 411, "length"),
    ]
    for body, headers, status, message in raw:
        reply = served.request("POST", "/answer", body, headers)
        assert (reply.status, message in reply.body) == (status, True), (body, reply.body)
    assert served.post("/elsewhere", fields).status == 404
    assert served.get("/?answered=q9").status == 404
    unanswered = served.get("/?answered=q1")
    assert unanswered.status == 404 and "not answered (yet)" in unanswered.body
    assert not save.exists()

    missing = served.post("/answer", {k: v for k, v in fields.items() if k != "choice"})
    assert missing.status == 400 and "Choose one of the answers" in missing.body and "Question 1 of 8" in missing.body
    assert not save.exists()


def test_another_host_or_another_sites_form_is_refused(serve, quiz: Quiz, save: Path) -> None:
    served = serve()
    port = served.server.server_port
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1:1", "", f"localhost.evil:{port}"):
        reply = served.get("/", host=host)
        assert reply.status == 403 and "Refused" in reply.body and "token" not in reply.body, host
    assert served.get("/", host=f"LOCALHOST:{port}").status == 200
    page = served.get()
    fields = {"token": page.field("token"), "revision": "0", "question": "q1", "choice": "a"}
    reply = served.post("/answer", fields, Origin="http://evil.example")
    assert reply.status == 403 and "not sent from the quiz&#x27;s own page" in reply.body
    assert served.post("/answer", fields, Origin=f"http://localhost:{port}").status == 303


def test_a_second_tab_cannot_answer_over_the_first(serve, quiz: Quiz, save: Path, tmp_path: Path) -> None:
    served = serve()
    first_tab, second_tab = served.get(), served.get()
    chosen, other = right(quiz, "q1"), wrong(quiz, "q1")
    assert served.answer("q1", chosen, first_tab).status == 303
    refused = served.answer("q1", other, second_tab)
    assert refused.status == 409
    assert f"Question q1 is already answered (you chose {chosen}), perhaps in another tab or window; this answer " \
           f"({other}) was not recorded." in refused.body
    assert served.answer("q1", chosen, second_tab).status == 303  # the same answer again is no conflict
    behind = served.get()  # the second tab moves on, the first answers q2, the second then answers q2 too
    assert served.answer("q2", right(quiz, "q2")).status == 303
    assert served.answer("q2", wrong(quiz, "q2"), behind).status == 409
    assert save.read_text() == expected_file(quiz, {"q1": chosen, "q2": right(quiz, "q2")}, tmp_path)


def test_a_restarted_server_resumes_from_the_saved_answers(serve, quiz: Quiz, save: Path, tmp_path: Path) -> None:
    first = serve()
    for qid in quiz.ids[:3]:
        first.answer(qid, right(quiz, qid))
    first.stop()
    second = serve()
    page = second.get()
    assert "Resuming from <code>quiz_answers.yaml</code>: 3 of 8 already answered (q1, q2, q3), skipped." in page.body
    assert "Question 4 of 8 (q4)" in page.body
    for qid in quiz.ids[3:]:
        assert second.answer(qid, right(quiz, qid)).status == 303
    assert "Passed: 8/8 = 100%" in second.get().body
    assert save.read_text() == expected_file(quiz, {q: right(quiz, q) for q in quiz.ids}, tmp_path)


def test_a_page_from_an_earlier_run_is_refused(serve, quiz: Quiz, save: Path) -> None:
    first = serve()
    old_page = first.get()
    first.stop()
    second = serve()
    reply = second.answer("q1", "a", old_page)
    assert reply.status == 403 and "reload the quiz" in reply.body
    assert not save.exists()


def test_a_retake_keeps_the_answers_until_the_first_new_one(serve, quiz: Quiz, save: Path, tmp_path: Path) -> None:
    served = serve()
    for qid in quiz.ids:
        served.answer(qid, right(quiz, qid))
    result = served.get()
    assert "Passed: 8/8 = 100%" in result.body and "Retake the quiz" in result.body
    before = save.read_text()
    retake = {"token": result.field("token"), "revision": result.field("revision")}
    assert served.post("/retake", retake).status == 303
    page = served.get()
    assert "Question 1 of 8 (q1)" in page.body and "Retaking the quiz from the first question" in page.body
    assert save.read_text() == before
    assert served.post("/retake", retake).status == 409  # the old result page's button, pressed again
    served.answer("q1", wrong(quiz, "q1"))
    assert save.read_text() == expected_file(quiz, {"q1": wrong(quiz, "q1")}, tmp_path)
    assert "Retaking" not in served.get().body


def test_retake_on_the_command_line_starts_from_the_first_question(serve, quiz: Quiz, save: Path) -> None:
    served = serve()
    for qid in quiz.ids[:2]:
        served.answer(qid, right(quiz, qid))
    served.stop()
    page = serve(retake=True).get()
    assert "Question 1 of 8 (q1)" in page.body and "Retaking the quiz" in page.body and "Resuming" not in page.body


def test_an_answer_that_cannot_be_saved_is_not_recorded(serve, quiz: Quiz, save: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    served = serve()

    def full(*args: object, **kwargs: object) -> None:
        raise UsageError(f"{save}: cannot write it (No space left on device)")

    monkeypatch.setattr(web_state, "save_answers", full)
    reply = served.answer("q1", "a")
    assert reply.status == 500 and "No space left on device" in reply.body and "was not recorded" in reply.body
    assert served.web.answers["q1"] is None and "Question 1 of 8" in served.get().body


def test_no_folder_for_the_answers_is_a_usage_error(quiz: Quiz, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no folder"):
        WebQuiz(quiz, tmp_path / "missing" / "quiz_answers.yaml")


def test_a_port_in_use_exits_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["quiz", "--web", "--no-browser", "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: port {port} on 127.0.0.1 is in use: choose another with --port N, or leave --port " \
                            "out to take a free one\n"


@pytest.mark.parametrize("args, message", [
    (["--port", "8000"], "--port goes with --web"),
    (["--no-browser"], "--no-browser goes with --web"),
    (["--web", "--answers", "x.yaml"], "--web is for taking the quiz"),
])
def test_web_options_out_of_place_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["quiz", *args])
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_broken_answers_file_is_refused_before_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (make_project(tmp_path) / "quiz_answers.yaml").write_text("q1: z\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["quiz", "--web", "--no-browser"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"Error: {tmp_path / 'quiz_answers.yaml'}: question q1: 'z' is not a choice; allowed: " \
                            "a, b, c, d\n"


def test_the_command_opens_a_browser_unless_told_not_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    (project / "exercises" / "deep").mkdir()
    monkeypatch.chdir(project / "exercises" / "deep")
    calls = []

    def serve_quiz(web: WebQuiz, port: int, browse: bool, write, stopped) -> int:
        calls.append((web.save, web.lesson, port, browse))
        return 0

    monkeypatch.setattr(web_module, "serve_quiz", serve_quiz)
    assert CliRunner().invoke(main, ["quiz", "--web"]).exit_code == 0
    assert CliRunner().invoke(main, ["--lesson", LESSON, "quiz", "--web", "--no-browser", "--port", "8123"]).exit_code == 0
    answers = project / "quiz_answers.yaml"
    assert calls == [(answers, LESSON, 0, True), (answers, LESSON, 8123, False)]


def test_the_browser_is_sent_to_the_address_printed_and_ctrl_c_returns_130(quiz: Quiz, save: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    def browser(url: str) -> bool:  # the browser loads the page, then the learner presses Ctrl-C
        seen["url"], seen["page"] = url, Client(int(url.split(":")[2].strip("/"))).get()
        _thread.interrupt_main()
        return True

    monkeypatch.setattr(web_module.webbrowser, "open", browser)
    said: list[str] = []
    code = web_module.serve_quiz(WebQuiz(quiz, save), 0, True, said.append, lambda answers: "stopped\n")
    assert code == 130 and seen["page"].status == 200 and "Question 1 of 8" in seen["page"].body
    assert said == [f"The mastery quiz is at {seen['url']} (this computer only). Press Ctrl-C here to stop.\n",
                    "\nstopped\n"]


def test_a_browser_that_cannot_be_opened_is_said_with_the_address(monkeypatch: pytest.MonkeyPatch) -> None:
    said, opened = [], []
    monkeypatch.setattr(web_module.webbrowser, "open", lambda url: opened.append(url) or False)
    open_browser("http://127.0.0.1:1234/", said.append).join()
    assert opened == ["http://127.0.0.1:1234/"]
    assert said == ["No browser could be opened here: open http://127.0.0.1:1234/ in yours.\n"]


def test_the_server_listens_on_127_0_0_1_only(quiz: Quiz, save: Path) -> None:
    server = QuizServer(WebQuiz(quiz, save))
    try:
        assert server.server_address[0] == "127.0.0.1" and server.url == f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.server_close()


class Command:
    """`grade quiz --web --no-browser` as a learner runs it, in a process of its own; ``stop`` presses Ctrl-C."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen([*args, "quiz", "--web", "--no-browser"], cwd=cwd, env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, start_new_session=True)
        self.first = self.process.stdout.readline()  # written once the server listens
        assert self.first.startswith("The mastery quiz is at http://127.0.0.1:"), self.process.stderr.read()
        self.client = Client(int(self.first.split("http://127.0.0.1:")[1].split("/")[0]))

    def stop(self) -> tuple[int, str, str]:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # as a terminal sends Ctrl-C: to the whole group
        stdout, stderr = self.process.communicate(timeout=60)
        return self.process.returncode, stdout, stderr


@pytest.mark.e2e  # a real process end to end
def test_ctrl_c_stops_the_command_with_exit_130_and_one_line(tmp_path: Path, quiz: Quiz) -> None:
    project = make_project(tmp_path)
    command = Command([str(GRADE)], project)
    try:
        assert "Ctrl-C" in command.first
        assert command.client.answer("q1", right(quiz, "q1")).status == 303
    finally:
        code, stdout, stderr = command.stop()
    assert code == 130
    assert stderr == ""
    assert stdout == ("\nStopped with 1 of 8 questions answered. Your answers are saved in "
                      f"{project / 'quiz_answers.yaml'}; run `grade quiz --web` to continue: the "
                      "questions you answered are skipped.\n")
    assert yaml.safe_load((project / "quiz_answers.yaml").read_text()) == {"q1": right(quiz, "q1")}
    assert f"# lesson: {LESSON}" in (project / "quiz_answers.yaml").read_text()


@pytest.mark.e2e  # a real process end to end
def test_in_the_student_copy_the_page_quiz_is_graded_by_grade(tmp_path: Path, quiz: Quiz) -> None:
    """The copy made by `grade release` serves the quiz with its own grader, and its `grade` scores the answers."""
    copy = tmp_path / "student"
    released = CliRunner().invoke(main, ["release", str(copy), "--no-verify"])
    assert released.exit_code == 0, released.output
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "PYTHONPATH": str(copy),
           "PYTHONDONTWRITEBYTECODE": "1"}
    given = {qid: wrong(quiz, qid) if qid == "q8" else right(quiz, qid) for qid in quiz.ids}
    command = Command([sys.executable, "-m", "grader"], copy, env)
    try:
        for qid, choice in given.items():
            assert command.client.answer(qid, choice).status == 303
        assert "Passed: 7/8 = 87.5%" in command.client.get().body
    finally:
        code, stdout, stderr = command.stop()
    assert (code, stderr) == (130, "")
    assert "Every question is answered; your answers are in quiz_answers.yaml." in stdout
    scored = subprocess.run([sys.executable, "-m", "grader", "quiz", "--answers", "quiz_answers.yaml"], cwd=copy,
                            env=env, capture_output=True, text=True, timeout=120)
    assert scored.returncode == 0 and "Passed: 7/8 = 87.5%" in scored.stdout
    listed = subprocess.run([sys.executable, "-m", "grader", "list"], cwd=copy, env=env, capture_output=True,
                            text=True, timeout=300)
    assert "Quiz: 7/8 correct (87.5%), passed" in listed.stdout, listed.stdout + listed.stderr
