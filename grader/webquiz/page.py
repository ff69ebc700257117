"""The quiz's web pages: plain HTML forms (no script, nothing from the internet) and one style sheet.

A question's page holds its prompt and choices only; a choice's explanation and the right answer are on
a page only once the question is answered. Every text from the quiz file is escaped.
"""
from __future__ import annotations

from html import escape

from grader.course.quiz.render import explained, pass_rule, score_sentence
from grader.course.quiz.render import verdict as quiz_verdict
from grader.course.quiz.schema import Question, Quiz
from grader.webquiz.state import WebQuiz

STYLE = """\
:root { color-scheme: light dark; --ink: #1b1b1f; --paper: #fdfdfc; --line: #c8c8cc; --soft: #f0f0ee;
  --accent: #1a5fb4; --right: #1e6b30; --wrong: #a51d2d; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #ececee; --paper: #1c1c1f; --line: #55555c; --soft: #2a2a2e; --accent: #8ab4f8;
    --right: #7fd48f; --wrong: #ff8a8a; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 1.05rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
header { border-bottom: 1px solid var(--line); margin-bottom: 1.25rem; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: .5rem 0; }
h2 { font-size: 1.15rem; margin: 1.25rem 0 .5rem; }
p { margin: .5rem 0; }
.rule { color: inherit; }
.note { background: var(--soft); border-left: 4px solid var(--accent); padding: .5rem .75rem; }
.problem { border-left-color: var(--wrong); }
progress { width: 100%; height: .6rem; accent-color: var(--accent); }
fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
legend { font-size: 1.1rem; font-weight: 600; padding: 0; margin-bottom: .75rem; }
.choice { display: flex; gap: .6rem; align-items: flex-start; margin: .5rem 0; padding: .7rem .8rem;
  border: 1px solid var(--line); border-radius: .5rem; cursor: pointer; }
.choice:hover { border-color: var(--accent); }
.choice:has(input:checked) { border-color: var(--accent); background: var(--soft); }
.choice input { margin: .3rem 0 0; width: 1.15rem; height: 1.15rem; flex: none; accent-color: var(--accent); }
.choice .id { font-weight: 600; }
.choice:focus-within, button:focus-visible, a:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; }
button { font: inherit; font-weight: 600; margin-top: 1rem; padding: .65rem 1.4rem; border-radius: .5rem;
  border: 2px solid var(--accent); background: var(--accent); color: var(--paper); cursor: pointer; }
button.secondary { background: transparent; color: var(--accent); }
a { color: var(--accent); }
.feedback { border: 1px solid var(--line); border-left-width: 6px; border-radius: .5rem; padding: .25rem 1rem;
  margin: 1rem 0; }
.feedback.right { border-left-color: var(--right); }
.feedback.wrong { border-left-color: var(--wrong); }
.verdict-right { color: var(--right); }
.verdict-wrong { color: var(--wrong); }
.score { font-size: 1.2rem; font-weight: 600; }
ol.review { padding-left: 1.25rem; }
details { margin: .5rem 0; }
summary { cursor: pointer; }
"""


def _page(title: str, body: str, state: str, question: str = "") -> str:
    marks = f' data-page="{state}"' + (f' data-question="{escape(question)}"' if question else "")
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n</head>\n"
        f"<body>\n<main{marks}>\n{body}</main>\n</body>\n</html>\n"
    )


def _header(quiz: Quiz, shown: str) -> str:
    total = len(quiz.questions)
    return (
        f"<header>\n<h1>Mastery quiz: {escape(quiz.title)}</h1>\n"
        f"<p class=\"rule\">{total} questions. Pass: {pass_rule(quiz)}. "
        f"Your answers are saved to <code>{escape(shown)}</code> as you go.</p>\n"
        "</header>\n"
    )


def _choice_text(question: Question, choice_id: str) -> str:
    return f"{escape(choice_id)}) {escape(question.choice(choice_id).text)}"


def feedback(question: Question, given: str, heading: str = "h2") -> str:
    """What the terminal quiz says after an answer, and where to look again when it was wrong."""
    right = question.is_correct(given)
    verdict = "Right" if right else "Wrong"
    parts = [
        f"<section class=\"feedback {verdict.lower()}\" id=\"feedback-{escape(question.id)}\">",
        f"<{heading}><span class=\"verdict-{verdict.lower()}\">{verdict}.</span> "
        f"Question {escape(question.id)}</{heading}>",
        f"<p><strong>You chose</strong> {_choice_text(question, given)}</p>",
        f"<p>{escape(explained(question.choice(given).explanation))}</p>",
    ]
    if not right:
        answer = question.answer
        parts += [
            f"<p><strong>The answer is</strong> {_choice_text(question, answer.id)}</p>",
            f"<p>{escape(explained(answer.explanation))}</p>",
            f"<p>Reread the lesson section \u201c{escape(question.reread)}\u201d; redo exercise "
            f"<code>{escape(question.exercise)}</code>.</p>",
        ]
    return "\n".join(parts) + "\n</section>\n"


def _hidden(token: str, revision: int) -> str:
    return (f"<input type=\"hidden\" name=\"token\" value=\"{escape(token)}\">\n"
            f"<input type=\"hidden\" name=\"revision\" value=\"{revision}\">\n")


def question_page(web: WebQuiz, token: str, after: str | None = None, problem: str | None = None) -> str:
    """The next unanswered question; ``after`` names the question just answered, whose feedback comes first."""
    quiz, question = web.quiz, web.current
    assert question is not None
    total = len(quiz.questions)
    number = quiz.ids.index(question.id) + 1
    done = len(web.answered)
    body = [_header(quiz, web.shown)]
    if web.retaking:
        body.append(f"<p class=\"note\">Retaking the quiz from the first question: your answers in "
                    f"<code>{escape(web.shown)}</code> are replaced as you answer.</p>\n")
    elif web.resumed and web.revision == 0:
        body.append(f"<p class=\"note\">Resuming from <code>{escape(web.shown)}</code>: {len(web.resumed)} of "
                    f"{total} already answered ({escape(', '.join(web.resumed))}), skipped.</p>\n")
    if after is not None:
        body.append(feedback(quiz.question(after), web.answers[after] or ""))
    if problem is not None:
        body.append(f"<p class=\"note problem\" role=\"alert\" id=\"problem\">{escape(problem)}</p>\n")
    body.append(
        f"<h2 id=\"progress\">Question {number} of {total} ({escape(question.id)})</h2>\n"
        f"<progress max=\"{total}\" value=\"{done}\" aria-label=\"answered so far\">{done} of {total} answered"
        "</progress>\n"
        "<form method=\"post\" action=\"/answer\">\n" + _hidden(token, web.revision)
        + f"<input type=\"hidden\" name=\"question\" value=\"{escape(question.id)}\">\n"
        f"<fieldset>\n<legend>{escape(question.prompt)}</legend>\n"
    )
    for choice in question.choices:
        field = f"choice-{escape(choice.id)}"
        body.append(
            f"<label class=\"choice\" for=\"{field}\"><input type=\"radio\" name=\"choice\" id=\"{field}\" "
            f"value=\"{escape(choice.id)}\" required><span><span class=\"id\">{escape(choice.id)})</span> "
            f"{escape(choice.text)}</span></label>\n"
        )
    body.append("</fieldset>\n<button type=\"submit\">Answer</button>\n</form>\n")
    return _page(f"Question {number} of {total} \u2014 {quiz.title}", "".join(body), "question", question.id)


def result_page(web: WebQuiz, token: str, after: str | None = None) -> str:
    """The score with the rule, what to review, every answer's feedback, and the retake button."""
    quiz = web.quiz
    result = web.result()
    body = [_header(quiz, web.shown)]
    if after is not None:
        body.append(feedback(quiz.question(after), web.answers[after] or ""))
    body.append(
        f"<h2 id=\"result\">Your result: {quiz_verdict(result).lower()}</h2>\n"
        f"<p class=\"score\">{escape(score_sentence(quiz, result))}</p>\n"
    )
    missed = [q for q in result.questions if not q.correct]
    if missed:
        body.append("<h2>To review</h2>\n<ol class=\"review\">\n")
        for answered in missed:
            question = quiz.question(answered.id)
            given = f"you chose {escape(answered.answer)}" if answered.answer else "unanswered"
            body.append(f"<li>{escape(question.id)} ({given}): reread the lesson section "
                        f"\u201c{escape(question.reread)}\u201d; redo exercise <code>{escape(question.exercise)}</code>."
                        "</li>\n")
        body.append("</ol>\n")
    body.append(f"<p>Your answers are in <code>{escape(web.shown)}</code>: <code>grade</code> and "
                "<code>grade list</code> include them in their report.</p>\n<h2>Your answers</h2>\n")
    for answered in result.questions:
        question = quiz.question(answered.id)
        mark = "right" if answered.correct else "wrong"
        body.append(f"<details><summary>{escape(question.id)}: {mark}</summary>\n"
                    f"<p>{escape(question.prompt)}</p>\n{feedback(question, answered.answer or '', 'h3')}</details>\n")
    body.append(
        "<form method=\"post\" action=\"/retake\">\n" + _hidden(token, web.revision)
        + "<button type=\"submit\" class=\"secondary\">Retake the quiz</button>\n"
        f"<p>Retaking starts again from the first question; your answers in <code>{escape(web.shown)}</code> "
        "stay until you answer it.</p>\n</form>\n"
    )
    return _page(f"{quiz_verdict(result)} \u2014 {quiz.title}", "".join(body), "result")


def message_page(status: int, message: str) -> str:
    """A refused request: what went wrong, in one sentence, and the way back to the quiz."""
    body = (f"<h1>The quiz could not take that request</h1>\n<p class=\"note problem\" role=\"alert\" "
            f"id=\"problem\">{escape(message)}</p>\n<p><a href=\"/\">Back to the quiz</a></p>\n")
    return _page(f"Error {status} \u2014 mastery quiz", body, "error")
