"""The fault suite's own services: a Redis on a free port, a Celery worker and gunicorn.

None of them is shared with the rest of the suite or with CI's own worker and Redis: a test
that stops this Redis or kills this worker's children touches nothing it did not start. The
worker and the web server use the test database (PostgreSQL: committed data, so the tests are
transactional), a media folder of their own, and this Redis as broker (db 0) and cache (db 1).
"""

import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.conftest import skip_or_fail
from tests.servers import ROOT, Server, free_port, stop, wait_until_up

START_TIMEOUT_SECONDS = 60
RENDER_DELAY_SECONDS = 3  # each render waits this long once running: the window to kill it
PASSWORD = "fault-suite-password"  # noqa: S105 (a test user's)


@dataclass
class RedisServer:
    """A Redis of the suite's own, keeping nothing on disk: a restart comes back empty."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        log = (self.directory / "redis.log").open("a")
        self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        pytest.fail(f"the fault suite's Redis did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


@dataclass
class Worker:
    """A Celery worker (one prefork child) on the suite's Redis."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        celery = str(Path(sys.executable).parent / "celery")
        argv = [celery, "-A", "tests.faults.worker_app", "worker", "--loglevel=info"]
        argv += ["--pool", "prefork", "--concurrency", "1", "--hostname", "faults@%h"]
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("a") as output:
            self.process = subprocess.Popen(  # noqa: S603
                argv, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the fault suite's worker stopped:\n{self.log.read_text()}")
            with self.log.open() as output:
                output.seek(offset)
                if " ready." in output.read():
                    return
            time.sleep(0.2)
        pytest.fail(f"the fault suite's worker was not ready:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, timeout=30)
            self.process = None


@dataclass
class FaultStack:
    redis: RedisServer
    worker: Worker
    web: Server
    media_root: Path

    def token(self, username: str) -> str:
        set_password(username)
        return self.web.token(username, PASSWORD)


def set_password(username: str) -> None:
    """A password the servers can check: the suite's own users hash with MD5, which they lack."""
    from users.models import User

    hasher = PBKDF2PasswordHasher()
    User.objects.filter(username=username).update(
        password=hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    )


def environment(stack_dir: Path, redis_server: RedisServer) -> dict[str, str]:
    database = connection.settings_dict
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
        **{key: database[key] or "" for key in ("USER", "HOST", "PORT", "NAME")}
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "CACHE_", "NAVPARTNER_"))
        and key not in {"MEDIA_ROOT", "PYTEST_CURRENT_TEST", "REPORT_CREATE_RATE"}
    }
    env.update(
        DATABASE_URL=url,
        DATABASE_CONN_MAX_AGE="0",  # hold no connection when pytest flushes or drops the db
        CELERY_BROKER_URL=redis_server.url(0),
        CACHE_URL=redis_server.url(1),
        MEDIA_ROOT=str(stack_dir / "media"),
        NAVPARTNER_VAR_DIR=str(stack_dir),
        NAVPARTNER_ENV="development",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        REPORT_CREATE_RATE="2/min",
        # Recycle a child after every task here (100 in production), so a test can see it done.
        CELERY_WORKER_MAX_TASKS_PER_CHILD="1",
        FAULTS_RENDER_DELAY=str(RENDER_DELAY_SECONDS),
    )
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


@pytest.fixture(scope="module")
def fault_stack(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[FaultStack]:
    if connection.vendor != "postgresql":
        skip_or_fail("the fault suite's servers share the test database: it needs PostgreSQL")
    if not shutil.which("redis-server"):
        skip_or_fail("the fault suite starts a Redis of its own: redis-server is not installed")
    stack_dir = tmp_path_factory.mktemp("faults")
    (stack_dir / "media").mkdir()
    redis_server = RedisServer(stack_dir)
    redis_server.start()
    env = environment(stack_dir, redis_server)
    worker = Worker(env, stack_dir / "worker.log")
    web_process = None
    try:
        worker.start()
        port = free_port()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        argv = [gunicorn, "navpartner.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        argv += ["--workers", "1", "--access-logfile", "-"]
        web_log = stack_dir / "web.log"
        with web_log.open("w") as output:
            web_process = subprocess.Popen(  # noqa: S603
                argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(web_process, base_url, web_log)
        yield FaultStack(redis_server, worker, Server(base_url), stack_dir / "media")
    finally:
        if web_process is not None:
            stop(web_process)
        worker.stop()
        redis_server.stop()
