"""The quiz's web server for tests: served from a thread of the test's own process, on a free port."""
from __future__ import annotations

import http.client
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from grader.course.quiz import Quiz
from grader.webquiz.server import QuizServer
from grader.webquiz.state import WebQuiz

LESSON = "softmax_cross_entropy"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def field(self, name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"', self.body)
        assert found, f"no field {name} in the page"
        return found.group(1)


class Client:
    """Talks to a quiz server on 127.0.0.1 as a browser's forms would."""

    def __init__(self, port: int) -> None:
        self.port = port

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                host: str | None = None) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", host if host is not None else self.host)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            if body is not None and "Content-Length" not in (headers or {}):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                         response.read().decode("utf-8"))
        finally:
            connection.close()

    def get(self, path: str = "/", host: str | None = None) -> Reply:
        return self.request("GET", path, host=host)

    def post(self, path: str, fields: dict[str, str] | list[tuple[str, str]], **headers: str) -> Reply:
        return self.request("POST", path, urlencode(fields).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", **headers})

    def answer(self, question: str, choice: str, page: Reply | None = None) -> Reply:
        """Answer from the page (the current one unless given), as its form would."""
        page = page or self.get()
        return self.post("/answer", {"token": page.field("token"), "revision": page.field("revision"),
                                     "question": question, "choice": choice})



class Served(Client):
    """One run of the server in a thread of this process: start it, talk to it, stop it."""

    def __init__(self, quiz: Quiz, save: Path, retake: bool = False) -> None:
        self.web = WebQuiz(quiz, save, LESSON, retake, save.name)
        self.server = QuizServer(self.web)
        super().__init__(self.server.server_port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def right(quiz: Quiz, qid: str) -> str:
    return quiz.question(qid).answer.id


def wrong(quiz: Quiz, qid: str) -> str:
    question = quiz.question(qid)
    return next(c.id for c in question.choices if not question.is_correct(c.id))
