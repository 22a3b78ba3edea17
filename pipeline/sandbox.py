"""Documents processed in a child process: hard per-document timeouts, crash and memory isolation.

A `Sandbox` starts `python -m vntasks.pipeline.sandbox`, which builds the
processor once (model loaded, underthesea warmed, torch blocked for the
linear model) and then answers one request per document over its stdin and
stdout. The parent waits at most `timeout_s` for each answer. A document
that takes longer — whatever it is stuck in, Python code or a C library —
has its process killed (SIGKILL) and becomes an error of kind "timeout";
the next document gets a fresh process. A crash (segfault, the OOM killer)
becomes "crashed"; hitting the address-space limit (`memory_mb`, set with
setrlimit in the child) becomes "memory".

Messages are length-prefixed JSON plus raw file bytes: nothing is pickled,
nothing from a file is ever executed. The child writes the protocol to a
private copy of its stdout and points fd 1 at stderr, so a library that
prints cannot corrupt it. When the parent dies, the child reads end-of-file
and exits.
"""
from __future__ import annotations

import json
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
STARTUP_TIMEOUT_S = 600.0  # model load and warm-up; generous for a cold disk


class SandboxError(Exception):
    """The document process could not start (model missing or broken, bad factory, ...)."""


# --- framing -----------------------------------------------------------------
def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _encode(header: dict[str, Any], data: bytes = b"") -> bytes:
    head = json.dumps(header, ensure_ascii=False, default=_json_default).encode("utf-8")
    return struct.pack(">I", len(head)) + head + struct.pack(">Q", len(data)) + data


def _read_exact(stream: BinaryIO, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_request(stream: BinaryIO) -> tuple[dict[str, Any], bytes] | None:
    raw = _read_exact(stream, 4)
    if raw is None:
        return None
    header = json.loads(_read_exact(stream, struct.unpack(">I", raw)[0]) or b"{}")
    size = struct.unpack(">Q", _read_exact(stream, 8) or b"\0" * 8)[0]
    data = _read_exact(stream, size) if size else b""
    return header, data or b""


# --- the child ---------------------------------------------------------------
def serve() -> int:
    """The child's main loop: init, then one answer per request until end-of-file."""
    # Stopping is the parent's decision: Ctrl-C or a service stop signals the whole process group, and the
    # parent then publishes what it committed and closes this process (end-of-file, then SIGKILL).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    requests = os.fdopen(0, "rb", buffering=0)

    def reply(message: dict[str, Any]) -> None:
        head = json.dumps(message, ensure_ascii=False, default=_json_default).encode("utf-8")
        out.write(struct.pack(">I", len(head)) + head)

    first = _read_request(requests)
    if first is None:
        return 0
    init, _ = first
    from vntasks.pipeline.torch_guard import block_heavy_imports, heavy_modules_loaded

    try:
        if init.get("block_torch"):
            block_heavy_imports()
        from vntasks.pipeline.processor import load_factory

        processor = load_factory(init["factory"])(init.get("model_dir"))
        info = processor.info()
    except Exception as exc:  # reported to the parent, which stops the job with this message
        reply({"ok": False, "message": f"{type(exc).__name__}: {exc}"})
        return 2
    if init.get("memory_mb"):
        limit = int(init["memory_mb"]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    reply({"ok": True, "info": info, "pid": os.getpid(), "heavy_modules": heavy_modules_loaded()})

    from vntasks.pipeline.errors import DocumentError

    while True:
        request = _read_request(requests)
        if request is None:
            return 0
        header, data = request
        if header.get("op") == "ping":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            reply({"ok": True, "pid": os.getpid(), "heavy_modules": heavy_modules_loaded(),
                   "cpu_s": round(usage.ru_utime + usage.ru_stime, 3), "max_rss_mb": usage.ru_maxrss // 1024})
            continue
        try:
            record = processor(header["path"], data)
            reply({"ok": True, "record": record})
        except DocumentError as exc:
            reply({"ok": False, "kind": exc.kind, "message": exc.message})
        except MemoryError:
            reply({"ok": False, "kind": "memory", "fatal": True,
                   "message": f"needed more than the {init.get('memory_mb')} MB memory limit"})
            return 3
        except Exception as exc:  # a bug on one document must not stop the others
            reply({"ok": False, "kind": "internal", "message": f"{type(exc).__name__}: {exc}"})
        del data


# --- the parent --------------------------------------------------------------
def error_result(item: dict[str, Any], kind: str, message: str, seconds: float = 0.0) -> dict[str, Any]:
    return {"path": item["path"], "sha256": item["sha256"], "error": {"kind": kind, "message": message},
            "seconds": seconds}


class Sandbox:
    """One document process, restarted after a timeout or a crash.

    settings: factory ("module:callable"), model_dir, block_torch, memory_mb, timeout_s.
    """

    def __init__(self, settings: dict[str, Any]):
        self.settings = settings
        self.timeout_s = float(settings.get("timeout_s") or 0) or None
        self.proc: subprocess.Popen | None = None
        self.info: dict[str, Any] | None = None
        self.heavy_modules: list[str] = []
        self.starts = 0

    # process management
    def start(self) -> dict[str, Any]:
        if self.proc is None:
            self._spawn()
        return self.info

    def _spawn(self) -> None:
        env = dict(os.environ)
        for name in THREAD_VARIABLES:
            env.setdefault(name, "1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vntasks.pipeline.sandbox"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, env=env, close_fds=True,
        )
        self.starts += 1
        init = {key: self.settings.get(key) for key in ("factory", "model_dir", "block_torch", "memory_mb")}
        try:
            self.proc.stdin.write(_encode({"op": "init", **init}))
            reply = self._receive(time.monotonic() + STARTUP_TIMEOUT_S)
        except (BrokenPipeError, EOFError, TimeoutError) as exc:
            self._kill()
            raise SandboxError(f"the document process did not start ({type(exc).__name__})") from None
        if not reply.get("ok"):
            self._kill()
            raise SandboxError(f"the document process could not load the processor: {reply.get('message')}")
        self.info = reply["info"]
        self.heavy_modules = reply.get("heavy_modules", [])

    def _kill(self) -> None:
        if self.proc is None:
            return
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.proc = None

    def _exit_description(self) -> str:
        code = self.proc.wait(timeout=10)
        if code < 0:
            try:
                return f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"was killed by signal {-code}"
        return f"exited with status {code}"

    def close(self) -> None:
        """Let the child finish on end-of-file; kill it if it does not within 10 s."""
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self._kill()

    # I/O
    def _receive(self, deadline: float | None) -> dict[str, Any]:
        head = self._read(4, deadline)
        return json.loads(self._read(struct.unpack(">I", head)[0], deadline))

    def _read(self, n: int, deadline: float | None) -> bytes:
        fd = self.proc.stdout.fileno()
        chunks, left = [], n
        while left:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _send(self, header: dict[str, Any], data: bytes = b"") -> None:
        if self.proc is None:
            self._spawn()
        try:
            self.proc.stdin.write(_encode(header, data))
        except BrokenPipeError:  # died while idle (e.g. the OOM killer): one fresh start
            self._kill()
            self._spawn()
            self.proc.stdin.write(_encode(header, data))

    def ping(self) -> dict[str, Any]:
        self._send({"op": "ping"})
        return self._receive(time.monotonic() + 30)

    def process(self, item: dict[str, Any]) -> dict[str, Any]:
        """{path, sha256, data} → {path, sha256, record | error, seconds}; never raises for a bad document."""
        start = time.monotonic()
        self._send({"op": "process", "path": item["path"]}, item["data"])
        deadline = start + self.timeout_s if self.timeout_s else None
        try:
            reply = self._receive(deadline)
        except TimeoutError:
            self._kill()
            return error_result(item, "timeout", f"took longer than {self.timeout_s:g} s; its process was stopped",
                                time.monotonic() - start)
        except EOFError:
            how = self._exit_description()
            self._kill()
            return error_result(item, "crashed", f"the document process {how} while reading it",
                                time.monotonic() - start)
        seconds = time.monotonic() - start
        if reply.get("fatal"):
            self._kill()
        if reply.get("ok"):
            return {"path": item["path"], "sha256": item["sha256"], "record": reply["record"], "seconds": seconds}
        return error_result(item, reply.get("kind", "internal"), reply.get("message", ""), seconds)


class LocalExecutor:
    """Batches processed one after another in a single document process: no Dask."""

    kind = "local"

    def __init__(self, settings: dict[str, Any]):
        self.sandbox = Sandbox(settings)
        self.workers = 1

    def describe(self) -> list[dict[str, Any]]:
        return [{"worker": "local", "info": self.sandbox.start(), "heavy_modules": self.sandbox.heavy_modules}]

    def run(self, batches: Iterable[list[dict[str, Any]]]) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
        for batch in batches:
            yield batch, [self.sandbox.process(item) for item in batch]

    def diagnostics(self) -> list[dict[str, Any]]:
        """What the document process has imported, after the work (torch must not be there for linear models)."""
        if self.sandbox.proc is None:
            return []
        reply = self.sandbox.ping()
        return [{"process": "document", "pid": reply["pid"], "heavy_modules": reply["heavy_modules"],
                 "starts": self.sandbox.starts, "cpu_s": reply["cpu_s"], "max_rss_mb": reply["max_rss_mb"]}]

    def close(self) -> None:
        self.sandbox.close()


if __name__ == "__main__":
    sys.exit(serve())
