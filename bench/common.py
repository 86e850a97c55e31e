"""What every benchmark shares: output, data caches, servers, a load generator in its own process."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "gongzhi"
BENCH_DIR = ROOT / "var" / "bench"
LATEST = BENCH_DIR / "latest.jsonl"
PY = sys.executable


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def emit(result: dict) -> None:
    line = json.dumps(result, ensure_ascii=False)
    print(line, flush=True)
    with LATEST.open("a") as f:
        f.write(line + "\n")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values)


def code_key(*relative: str) -> str:
    """A short hash of the code that makes a cached data set: change the generator, get new data."""
    digest = hashlib.sha256()
    for rel in relative:
        path = SRC / rel
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(SRC)).encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


REGISTRY_CODE = ("registry/demo.py", "registry/models.py", "registry/migrations", "accounts/demo.py",
                 "accounts/models.py", "accounts/migrations", "core/migrations", "registry/services.py")


def django_env(database_url: str | None, var_dir: Path | None = None, **extra) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="gongzhi.settings.prod", SECRET_KEY="bench-only-not-secret",
               SECURE_COOKIES="0", SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="127.0.0.1,localhost",
               PYTHONPATH=str(ROOT / "src"))  # plain HTTP on loopback: no redirect to HTTPS
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if var_dir is not None:
        env["GONGZHI_VAR_DIR"] = str(var_dir)
    env.update(extra)
    return env


def manage(env: dict, *args: str, quiet: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                          stdout=subprocess.DEVNULL if quiet else sys.stderr)


def task(env: dict, name: str, **kwargs) -> dict:
    """Run a measurement inside a Django process of its own (bench.tasks) and return its JSON answer."""
    out = subprocess.run([PY, "-m", "bench.tasks", name, json.dumps(kwargs)], env=env, cwd=ROOT, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@contextlib.contextmanager
def kept_cluster(name: str) -> Iterator:
    """A PostgreSQL cluster kept under var/bench/<name> between runs (benchmark data is slow to build)."""
    from gongzhi.testing.postgres import Cluster

    cluster = Cluster(fast=False, keep_in=BENCH_DIR / name)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def drop_kept(name: str) -> None:
    shutil.rmtree(BENCH_DIR / name, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict, workers: int = 2) -> Iterator[str]:
    """The production server set-up: gunicorn with ``workers`` sync workers on 127.0.0.1."""
    port = free_port()
    proc = subprocess.Popen(
        [PY, "-m", "gunicorn", "gongzhi.wsgi:application", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null"],
        env=env, cwd=ROOT, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("gunicorn exited while starting") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(20)


@contextlib.contextmanager
def redis() -> Iterator[str]:
    """A throw-away redis-server on 127.0.0.1 (no persistence): the production broker, for benchmarks that
    measure the production shape. Needs the redis-server binary (Debian: apt-get install redis-server)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def load(url: str, *, duration: float = 10.0, concurrency: int = 8, cookie: str = "",
         requests: int | None = None, method: str = "GET", body: str = "", headers: dict | None = None,
         unique_header: str = "", rotate_header: str = "") -> dict:
    """Drive ``url`` from a separate process; returns n, rps, p50/p95/p99 (ms) and errors."""
    args = [PY, "-m", "bench.loadgen", url, "--duration", str(duration), "--concurrency", str(concurrency),
            "--method", method]
    if body:
        args += ["--body", body]
    for name, value in (headers or {}).items():
        args += ["--header", f"{name}: {value}"]
    if unique_header:
        args += ["--unique-header", unique_header]
    if rotate_header:
        args += ["--rotate-header", rotate_header]
    if cookie:
        args += ["--cookie", cookie]
    if requests:
        args += ["--requests", str(requests)]
    out = subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)
