"""A private studio for fault drills: its own PostgreSQL, Redis, sandbox, worker hosts and beat.

Every drill starts one `PrivateStudio`, breaks a part of it on purpose and then checks, from
outside (SQL on the database, the sandbox's request log), that every job ended exactly once with
no ledger drift. Nothing is shared with the machine's own services, so a drill may restart
PostgreSQL or Redis without disturbing anyone else. All is thrown away at the end (also on Ctrl-C).

What lives in the studio (the sandbox's models, the people who submit) is the tests' world
(tests/world.py), built in a process of the studio's own (`PrivateStudio.django`).

With `host_netns=True` each worker host runs in its own network namespace (see _netns.py) and
the services listen on the private LAN's address, `PrivateStudio.address`, not only 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(1, str(Path(__file__).resolve().parents[2]))

import contextlib

from _common import CELERY, PYTHON, ROOT, Child, cpu_seconds, free_port, machine, wait_until  # noqa: F401
from _netns import HostNetwork

from studio.embedded_redis import embedded_redis_command, redis_answers

PG_BIN = Path("/usr/lib/postgresql") if Path("/usr/lib/postgresql").exists() else None
SYNC_MODEL, ASYNC_MODEL = "gpt-image-1", "gpt-image-1.5"
FINAL = ("succeeded", "failed", "canceled")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}")):
        return str(candidate)
    raise SystemExit(f"{name} is needed for the drills (PostgreSQL server binaries)")


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` account then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    """A throwaway cluster in a temporary folder, on its own port; `restart()` is fast mode."""

    def __init__(self, base: Path, address: str = "127.0.0.1") -> None:
        self.dir = base / "pg"
        self.port = free_port()
        self.address = address
        self.url = f"postgres://postgres@{address}:{self.port}/drill"
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(base, "postgres")
        self._pg_ctl(None, [_pg_tool("initdb"), "-D", str(self.dir / "data"), "-U", "postgres"])
        if address != "127.0.0.1":
            # initdb trusts loopback only; the hosts' namespaces connect from the private /24.
            with (self.dir / "data" / "pg_hba.conf").open("a") as hba:
                hba.write(f"host all all {address}/24 trust\n")
        self.start()
        self._pg_ctl(
            None,
            [
                _pg_tool("createdb"),
                "-h",
                address,
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "drill",
            ],
        )

    def _pg_ctl(self, action: str | None, command: list[str] | None = None) -> None:
        if command is None:
            listen = "127.0.0.1" + ("" if self.address == "127.0.0.1" else f",{self.address}")
            options = f"-p {self.port} -k {self.dir} -c listen_addresses={listen}"
            options += " -c max_connections=300 -c fsync=off"
            command = [_pg_tool("pg_ctl"), "-D", str(self.dir / "data"), "-o", options]
            command += ["-l", str(self.dir / "server.log"), "-w", "-m", "fast", action]
        subprocess.run(_as_postgres_user() + command, check=True, capture_output=True)

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self) -> None:
        self._pg_ctl("stop")

    def restart(self) -> None:
        self._pg_ctl("restart")

    def cpu_seconds(self) -> float:
        """CPU time of the server and of its backends (the postmaster's children)."""
        postmaster = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        tick, total = os.sysconf("SC_CLK_TCK"), 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                pid = int(stat.parent.name)
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError, ValueError):
                continue
            if pid == postmaster or int(fields[1]) == postmaster:  # fields[1]: the parent pid
                total += int(fields[11]) + int(fields[12])
        return total / tick

    def sql(self, query: str, *params: object) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5, autocommit=True) as connection:
            cursor = connection.execute(query, params or None)
            return cursor.fetchall() if cursor.description else []


class PrivateRedis:
    def __init__(self, base: Path, address: str = "127.0.0.1") -> None:
        self.base = base
        self.port = free_port()
        self.address = address
        self.url = f"redis://{address}:{self.port}/0"
        self.child: Child | None = None
        self.start()

    def start(self) -> None:
        command = embedded_redis_command(self.port)
        if self.address != "127.0.0.1":
            # redis-server keeps the last --bind; protected mode would refuse every client that
            # is not on loopback (there is no password), i.e. every host in its namespace.
            command += ["--bind", "127.0.0.1", self.address, "--protected-mode", "no"]
        self.child = Child("redis", command, dict(os.environ), self.base / "redis.log")
        wait_until(lambda: redis_answers(self.url), 10, message="the private Redis")

    def stop(self) -> None:
        """Gone, with everything it held (no persistence): a Redis restarted empty."""
        if self.child:
            self.child.stop()
            self.child = None


class FlakyProxy:
    """A TCP relay in front of the sandbox that can refuse every connection for a while.

    The sandbox keeps its tasks and its request log through the "outage", so a drill can still
    count submits per job afterwards.
    """

    def __init__(self, target_port: int, address: str = "127.0.0.1") -> None:
        self.target = (address, target_port)
        self.port = free_port()
        self.up = True
        self.listener = socket.create_server((address, self.port), backlog=256)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if not self.up:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                client.close()  # a reset, as a crashed service's host would answer
                continue
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            client.close()
            return
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@dataclass
class Verdict:
    jobs: int
    by_status: dict[str, int]
    not_final: int
    duplicate_submits: int
    missing_submits: int
    ledger_drift: int
    image_mismatch: int

    @property
    def holds(self) -> bool:
        return not (
            self.not_final or self.duplicate_submits or self.ledger_drift or self.image_mismatch
        )

    def line(self) -> str:
        return (
            f"{self.jobs} jobs {self.by_status}; not final {self.not_final}; duplicate submits "
            f"{self.duplicate_submits}; jobs never submitted {self.missing_submits}; ledger drift "
            f"{self.ledger_drift}; image-count mismatches {self.image_mismatch}"
        )


class PrivateStudio:
    def __init__(
        self, name: str, *, task_seconds: float = 3.0, proxy: bool = False, host_netns: bool = False
    ) -> None:
        self.name = name
        self.base = Path(tempfile.mkdtemp(prefix=f"drill-{name}-"))
        os.chmod(self.base, 0o755)  # noqa: S103 (the postgres account must enter it)
        self.children: list[Child] = []
        self.hosts: dict[str, Child] = {}
        self.started = time.monotonic()
        print(f"[{name}] building a private studio in {self.base}", flush=True)
        # Before the services: they must listen on the private LAN's address.
        self.network = HostNetwork() if host_netns else None
        self.address = self.network.address if self.network else "127.0.0.1"
        if self.network:
            print(f"[{name}] hosts in network namespaces, services on {self.address}", flush=True)
        self.postgres = PrivatePostgres(self.base, self.address)
        self.redis = PrivateRedis(self.base, self.address)
        sandbox_port = free_port()
        self.proxy = FlakyProxy(sandbox_port, self.address) if proxy else None
        provider_port = self.proxy.port if self.proxy else sandbox_port
        media = self.base / "media"
        media.mkdir()
        self.env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="studio.settings",
            DJANGO_DEBUG="false",
            DJANGO_HTTPS="false",
            DJANGO_SECRET_KEY="drill-" + "x" * 60,
            DATABASE_URL=self.postgres.url,
            REDIS_URL=self.redis.url,
            STUDIO_CELERY_QUEUE=f"drill-{name}",
            STUDIO_VAR_DIR=str(self.base),
            MEDIA_ROOT=str(media),
            SANDBOX_BASE_URL=f"http://{self.address}:{provider_port}",
            STUDIO_SWEEP_SECONDS="2",
            # A dead host's hops are taken again once their leases lapse (STUDIO_LEASE_SECONDS,
            # 30 s, renewed by the lease keeper only while the hop's thread lives). Each hop also
            # has its own deadline, this limit, after which a stuck hop counts as dead: 60 s keeps
            # the drills short; the default is 600 s.
            STUDIO_TASK_SOFT_TIME_LIMIT="60",
            STUDIO_LOG_FORMAT="json",
            PYTHONUNBUFFERED="1",
        )
        for key in ("STUDIO_PROVIDERS_FILE", "STUDIO_TEST_REDIS_URL"):
            self.env.pop(key, None)
        self.manage("migrate", "--noinput", "-v", "0")
        self.start(
            "sandbox",
            [
                PYTHON,
                "manage.py",
                "sandbox",
                "--host",
                self.address,
                "--port",
                str(sandbox_port),
                "--task-seconds",
                str(task_seconds),
                "--quiet",
            ],
        )
        self.sandbox_url = f"http://{self.address}:{sandbox_port}"
        wait_until(self._sandbox_answers, 30, message="the sandbox")
        self.django("from tests.world import World\nWorld().sandbox_models()\n")

    # --- processes ------------------------------------------------------------------------------

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def django(self, script: str, stdin: str | None = None) -> None:
        """Run Python with Django set up against this studio (its database, its settings)."""
        subprocess.run(
            [PYTHON, "-c", "import django; django.setup()\n" + script],
            cwd=ROOT,
            env=self.env,
            check=True,
            input=stdin,
            text=True,
            timeout=900,
        )

    def start(self, name: str, command: list[str], prefix: list[str] | None = None) -> Child:
        child = Child(name, (prefix or []) + command, self.env, self.base / f"{name}.log")
        self.children.append(child)
        return child

    def named_children(self) -> dict[str, Child]:
        """The running web, hosts, beat and sandbox by name (not Redis)."""
        return {c.name: c for c in self.children if c.alive() and c.name != "redis"}

    def start_host(self, name: str, concurrency: int = 4) -> Child:
        """A worker "host": its own Celery hostname (and network namespace, with host_netns)."""
        command = [
            CELERY,
            "-A",
            "studio",
            "worker",
            "-n",
            f"{name}@drill",
            "-c",
            str(concurrency),
            "-l",
            "INFO",
            "--without-mingle",
            "--without-gossip",
        ]
        prefix = self.network.add_host(name) if self.network else None
        host = self.start(name, command, prefix)
        wait_until(
            lambda: b"ready." in host.log_path.read_bytes() or not host.alive(),
            90,
            message=f"{name} to start",
        )
        if not host.alive():
            raise RuntimeError(f"{name} exited:\n{host.tail()}")
        self.hosts[name] = host
        return host

    def start_beat(self, name: str = "beat") -> Child:
        return self.start(
            name,
            [
                CELERY,
                "-A",
                "studio",
                "beat",
                "-l",
                "INFO",
                "-s",
                str(self.base / f"{name}-schedule"),
            ],
        )

    def kill(self, child: Child) -> None:
        """As a machine crash would: SIGKILL to the whole process group."""
        os.killpg(child.pid, signal.SIGKILL)
        child.process.wait(10)

    def _sandbox_answers(self) -> bool:
        import requests

        try:
            return requests.get(f"{self.sandbox_url}/_sandbox/health", timeout=2).ok
        except requests.RequestException:
            return False

    # --- jobs -----------------------------------------------------------------------------------

    def submit(self, prompts: list[tuple[str, str]]) -> None:
        """Submit (model, prompt) pairs as the world's editor, through the studio's service API.

        One person submits every job of a drill: her running-jobs limit is lifted, so the drill
        exercises the hosts, not the fairness limit."""
        script = (
            "import json, sys\n"
            "from tests.world import World\n"
            "world = World()\n"
            "world.lift_running_limit(world.editor)\n"
            "for model, prompt in json.load(sys.stdin):\n"
            "    world.submit(prompt, model)\n"
        )
        self.django(script, stdin=json.dumps(prompts))

    @staticmethod
    def mixed_prompts(count: int, tag: str, extra: str = "") -> list[tuple[str, str]]:
        """Half synchronous, half asynchronous (polled) jobs, each prompt unique."""
        return [
            (SYNC_MODEL if i % 2 == 0 else ASYNC_MODEL, f"{tag}-{i:05d} a lighthouse {extra}")
            for i in range(count)
        ]

    def statuses(self) -> Counter:
        return Counter(dict(self.postgres.sql("SELECT status, count(*) FROM jobs_job GROUP BY 1")))

    def wait_all_final(self, timeout: float) -> float:
        """Seconds until every job is final (raises TimeoutError with the counts otherwise)."""
        start = time.monotonic()

        def done() -> bool:
            counts = self.statuses()
            return sum(counts.values()) > 0 and all(status in FINAL for status in counts)

        try:
            wait_until(done, timeout, message="every job to be final", interval=1.0)
        except TimeoutError as error:
            raise TimeoutError(f"{error}: {dict(self.statuses())}") from None
        return time.monotonic() - start

    def verdict(self) -> Verdict:
        import requests

        rows = self.postgres.sql(
            """
            SELECT j.prompt, j.status, j.images_produced,
                   (SELECT coalesce(sum(l.images), 0) FROM jobs_ledgerentry l
                     WHERE l.job_id = j.id),
                   (SELECT count(*) FROM jobs_ledgerentry l
                     WHERE l.job_id = j.id AND l.kind = 'reserve'),
                   (SELECT count(*) FROM jobs_image i WHERE i.job_id = j.id)
            FROM jobs_job j
            """
        )
        submits: Counter = Counter()
        for request in requests.get(f"{self.sandbox_url}/_sandbox/requests", timeout=60).json():
            if request["method"] == "POST" and not request["path"].startswith("/_sandbox"):
                submits[(request.get("json") or {}).get("prompt", "")] += 1
        drift = mismatch = duplicates = missing = 0
        for prompt, status, produced, net_images, reserves, images in rows:
            expected = produced if status == "succeeded" else 0
            drift += net_images != expected or reserves != 1
            mismatch += images != produced
            sent = submits.get(prompt, 0)
            duplicates += sent > 1
            missing += sent == 0
        counts = self.statuses()
        return Verdict(
            jobs=len(rows),
            by_status=dict(counts),
            not_final=sum(n for status, n in counts.items() if status not in FINAL),
            duplicate_submits=duplicates,
            missing_submits=missing,
            ledger_drift=drift,
            image_mismatch=mismatch,
        )

    # --- the end --------------------------------------------------------------------------------

    def report(self, verdict: Verdict, figures: str) -> int:
        print(f"[{self.name}] {verdict.line()}")
        print(f"[{self.name}] {figures}")
        print(f"[{self.name}] machine: {machine()}")
        print(f"[{self.name}] {'HOLDS' if verdict.holds else 'DOES NOT HOLD'}")
        return 0 if verdict.holds else 1

    def close(self, keep_logs: bool = False) -> None:
        for child in reversed(self.children):
            child.stop()
        self.redis.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            self.postgres.stop()
        if self.network:
            self.network.close()
        if keep_logs:
            print(f"[{self.name}] logs kept in {self.base}")
        else:
            shutil.rmtree(self.base, ignore_errors=True)
