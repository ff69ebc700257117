"""`grade quiz --web`: the quiz served on this computer only (127.0.0.1) by the standard library's HTTP server.

It serves the quiz's pages and its style sheet, nothing else (no file from the project). Requests that
name another host than 127.0.0.1 or localhost are refused (a page of another site reaching the port
through DNS rebinding), and so are forms without this run's token (another site posting to the port).
"""
from __future__ import annotations

import errno
import secrets
import socketserver
import sys
import threading
import webbrowser
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from grader.core.errors import GradeError, UsageError
from grader.webquiz.page import STYLE, message_page, question_page, result_page
from grader.webquiz.state import NoChoice, Refusal, WebQuiz

HOST = "127.0.0.1"
MAX_FORM_BYTES = 4096  # a form of this quiz is well under 200 bytes
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # not no-referrer: the browser would send its forms with "Origin: null"
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Response:
    status: int
    body: str = ""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def _refused(status: int, message: str) -> Response:
    return Response(status, message_page(status, message))


def _see_other(location: str) -> Response:
    return Response(HTTPStatus.SEE_OTHER, headers={"Location": location})


class QuizServer(ThreadingHTTPServer):
    """The quiz's HTTP server on 127.0.0.1: port 0 takes a free one."""

    daemon_threads = True

    def __init__(self, web: WebQuiz, port: int = 0) -> None:
        self.web = web
        self.token = secrets.token_urlsafe(24)  # in every form this run serves; a form from elsewhere lacks it
        try:
            super().__init__((HOST, port), QuizRequestHandler)
        except OSError as error:
            raise UsageError(_bind_problem(port, error)) from None

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's, which looks the host name up in DNS
        self.server_name, self.server_port = HOST, self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_port}/"

    def handle_error(self, request: object, client_address: object) -> None:
        """A request that failed outside the quiz's own handling (the browser went away): one line, no traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            sys.stderr.write(f"grade quiz --web: a request failed: {type(error).__name__}: {error}\n")


def _bind_problem(port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on {HOST} is in use: choose another with --port N, or leave --port out to take a free one"
    if error.errno == errno.EACCES:
        return f"cannot serve on port {port}: permission denied (ports below 1024 need root); choose another with --port N"
    return f"cannot serve the quiz on {HOST}:{port}: {error.strerror or error}"


class QuizRequestHandler(BaseHTTPRequestHandler):
    server: QuizServer
    timeout = 30  # a connection that sends nothing for this long is closed, not kept forever

    def version_string(self) -> str:
        return "grade-quiz"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the standard library's name)
        """Quiet: the learner's terminal shows the address and how to stop, not every request."""

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self._send(self._guarded(self._get))

    def do_POST(self) -> None:  # noqa: N802
        self._send(self._guarded(self._post))

    def _guarded(self, handle: Callable[[], Response]) -> Response:
        refusal = self._host_refusal()
        if refusal is not None:
            return refusal
        try:
            return handle()
        except Refusal as refusal:
            return _refused(refusal.status, refusal.message)
        except GradeError as error:  # the answers file could not be written
            sys.stderr.write(f"{error.message}\n")
            return _refused(HTTPStatus.INTERNAL_SERVER_ERROR, f"{error.message}. Your answer was not recorded.")
        except Exception as error:  # noqa: BLE001 (a bug of grade's: one line here and on the page, the quiz goes on)
            problem = f"{type(error).__name__}: {error}"
            sys.stderr.write(f"grade quiz --web: internal error on {self.command} {self.path[:80]}: {problem}\n")
            return _refused(HTTPStatus.INTERNAL_SERVER_ERROR, f"The quiz server failed on this request (an error in "
                                                              f"grade: {problem}); reload the quiz to go on.")

    def _host_refusal(self) -> Response | None:
        """Only requests addressed to this server by 127.0.0.1 or localhost, and forms from its own pages."""
        allowed = {f"{name}:{self.server.server_port}" for name in (HOST, "localhost")}
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in allowed:
            return Response(HTTPStatus.FORBIDDEN, f"Refused: this quiz answers only at {self.server.url} "
                                                  f"(requests for the host {host or '(none)'!r} are refused).\n",
                            "text/plain; charset=utf-8")
        origin = self.headers.get("Origin")
        if self.command == "POST" and origin is not None and origin.lower() not in {f"http://{a}" for a in allowed}:
            return _refused(HTTPStatus.FORBIDDEN, "Refused: this form was not sent from the quiz's own page.")
        return None

    def _get(self) -> Response:
        url = urlsplit(self.path)
        if url.path == "/style.css" and not url.query:
            return Response(HTTPStatus.OK, STYLE, "text/css; charset=utf-8")
        if url.path != "/":
            return _refused(HTTPStatus.NOT_FOUND, f"There is no page {url.path!r}: this server shows the quiz only.")
        after = self._answered_question(url.query)
        return Response(HTTPStatus.OK, self._quiz_page(after))

    def _answered_question(self, query: str) -> str | None:
        """``?answered=QID``: the question just answered, whose feedback the page shows first."""
        if not query:
            return None
        try:
            fields = parse_qs(query, keep_blank_values=True, strict_parsing=True, max_num_fields=2)
        except ValueError:
            fields = {}
        values = fields.get("answered", [])
        if set(fields) != {"answered"} or len(values) != 1:
            raise Refusal(HTTPStatus.NOT_FOUND, "This address is not one of the quiz's pages.")
        web = self.server.web
        qid = values[0]
        if qid not in web.quiz.ids:
            raise Refusal(HTTPStatus.NOT_FOUND, f"There is no question {qid!r} in this quiz; it has "
                                                f"{', '.join(web.quiz.ids)}.")
        if web.answers[qid] is None:
            raise Refusal(HTTPStatus.NOT_FOUND, f"Question {qid} is not answered (yet): its feedback comes once "
                                                "you answer it.")
        return qid

    def _quiz_page(self, after: str | None = None, problem: str | None = None) -> str:
        web = self.server.web
        with web.lock:
            if web.current is None:
                return result_page(web, self.server.token, after)
            return question_page(web, self.server.token, after, problem)

    def _post(self) -> Response:
        path = urlsplit(self.path).path
        if path not in ("/answer", "/retake"):
            return _refused(HTTPStatus.NOT_FOUND, f"There is no form {path!r}: this server takes quiz answers only.")
        form = self._form(("token", "revision", "question", "choice") if path == "/answer" else ("token", "revision"))
        if not secrets.compare_digest(form.get("token", ""), self.server.token):
            raise Refusal(HTTPStatus.FORBIDDEN, "This form is not from the quiz being served now (a page from an "
                                                "earlier run, or another site): reload the quiz and answer again.")
        revision = form.get("revision", "")
        if not revision.isdigit() or len(revision) > 9:
            raise Refusal(HTTPStatus.BAD_REQUEST, "The form is incomplete (no page revision): reload the quiz.")
        web = self.server.web
        if path == "/retake":
            web.restart(int(revision))
            return _see_other("/")
        if "question" not in form:
            raise Refusal(HTTPStatus.BAD_REQUEST, "The form names no question: reload the quiz and answer again.")
        try:
            web.answer(form["question"], form.get("choice", ""), int(revision))
        except NoChoice as missing:
            return Response(missing.status, self._quiz_page(problem=missing.message))
        return _see_other(f"/?answered={form['question']}")

    def _form(self, names: tuple[str, ...]) -> dict[str, str]:
        """The posted form's fields, each at most once and no others; a clear refusal for anything else."""
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise Refusal(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "The quiz takes its own form's answers only "
                                                             "(application/x-www-form-urlencoded).")
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            raise Refusal(HTTPStatus.LENGTH_REQUIRED, "The form came without its length (Content-Length).")
        if int(length) > MAX_FORM_BYTES:
            raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                          f"The form is too long ({length} bytes; a quiz answer is under {MAX_FORM_BYTES}).")
        data = self.rfile.read(int(length))
        try:
            fields = parse_qs(data.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(data),
                              max_num_fields=16, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise Refusal(HTTPStatus.BAD_REQUEST, "The form could not be read (not the quiz's own form).") from None
        unknown = sorted(set(fields) - set(names))
        twice = sorted(name for name, values in fields.items() if len(values) > 1)
        if unknown or twice:
            problem = f"unknown fields {', '.join(map(repr, unknown))}" if unknown else f"{twice[0]!r} given twice"
            raise Refusal(HTTPStatus.BAD_REQUEST, f"The form could not be read ({problem}): reload the quiz.")
        return {name: values[0] for name, values in fields.items()}

    def _send(self, response: Response) -> None:
        body = response.body.encode("utf-8")
        self.send_response(response.status)
        headers = {"Content-Type": response.content_type, "Content-Length": str(len(body)),
                   **SECURITY_HEADERS, **response.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def open_browser(url: str, write: Callable[[str], None]) -> threading.Thread:
    """Open ``url`` in the default browser from a thread of its own: a browser that runs in the terminal
    (lynx, w3m) holds the call until it quits, and the server must answer it meanwhile."""
    def run() -> None:
        try:
            opened = webbrowser.open(url)
        except Exception:  # noqa: BLE001 (a broken browser setting must not stop the quiz)
            opened = False
        if not opened:
            write(f"No browser could be opened here: open {url} in yours.\n")

    thread = threading.Thread(target=run, name="open-browser", daemon=True)
    thread.start()
    return thread


def serve_quiz(web: WebQuiz, port: int, browse: bool, write: Callable[[str], None],
               stopped: Callable[[dict[str, str | None]], str]) -> int:
    """Serve the quiz until Ctrl-C; exit code 130 then, after one line (``stopped``) on what was saved."""
    server = QuizServer(web, port)
    try:
        write(f"The mastery quiz is at {server.url} (this computer only). Press Ctrl-C here to stop.\n")
        if browse:
            open_browser(server.url, write)
        server.serve_forever()
    except KeyboardInterrupt:
        with web.lock:  # an answer being saved now is saved whole before the line is written
            write("\n" + stopped(dict(web.answers)))
        return 130
    finally:
        server.server_close()
    return 0
