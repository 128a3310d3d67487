"""Real processes for tests that go through what production runs: a web server, a Celery
worker, a Redis of their own. Each runs as a subprocess on a free port of 127.0.0.1 and is
stopped by the fixture that started it.
"""

import http.cookiejar
import json
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 90


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Server:
    """A web server under test, called over HTTP (with a cookie jar for the sign-in form)."""

    base_url: str
    cookies: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def _open(self, request: urllib.request.Request, *, follow: bool) -> Answer:
        handlers = [urllib.request.HTTPCookieProcessor(self.cookies)]
        if not follow:
            handlers.append(_NoRedirect())
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers.items()), error.read())

    def call(self, method: str, path: str, *, token: str = "", data=None) -> Answer:
        headers = {"Accept": "application/json"}
        body = None
        if token:
            headers["Authorization"] = f"Token {token}"
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 (http to our own server)
            self.base_url + path, data=body, headers=headers, method=method
        )
        return self._open(request, follow=True)

    def token(self, username: str, password: str) -> str:
        answer = self.call(
            "POST", "/api/v1/auth/token/", data={"username": username, "password": password}
        )
        assert answer.status == 200, answer.body
        return answer.json()["token"]

    def sign_in_form(self, username: str, password: str) -> Answer:
        """GET the sign-in page for its CSRF cookie, POST the form; the redirect is returned."""
        page = self._open(
            urllib.request.Request(self.base_url + "/logg-inn/"),  # noqa: S310
            follow=True,
        )
        assert page.status == 200, page.body
        csrf = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
        ).encode()
        request = urllib.request.Request(  # noqa: S310
            self.base_url + "/logg-inn/",
            data=form,
            headers={"Referer": self.base_url + "/logg-inn/"},
            method="POST",
        )
        return self._open(request, follow=False)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(process: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text()}")
        try:
            urllib.request.urlopen(base_url + "/logg-inn/", timeout=5).close()  # noqa: S310
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"the server did not answer within {START_TIMEOUT_SECONDS}s:\n{log.read_text()}")


def stop(process: subprocess.Popen, *, timeout: float = 20) -> None:
    """Terminate, and kill if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
