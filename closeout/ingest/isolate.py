"""Parsing an untrusted plan in a child process (隔离解析), bounded in memory and time.

The reader's own limits (``ReadContext``) stop the bombs we know of: unpacked size,
pages. What they do not foresee (a library's slow corner, an allocation no limit names)
must still end, and must not take the server with it. So an upload is parsed by a fresh
interpreter that caps its own address space (RLIMIT_AS) and CPU time before it reads a
byte, and the parent kills it when the wall-time limit passes.

1. The parent starts the child with its limits as arguments and pickles (file bytes,
   parse context) to its standard input.
2. The child sets its limits before it reads the input, parses, and writes back
   ("ok", result) or ("error", ReadError) pickled; a MemoryError becomes an error naming
   the memory limit.
3. The parent turns a timeout, a kill by a signal or a silent exit into a ``ReadError``
   too, so the caller sees one kind of failure whatever happened.

The child imports ``closeout.ingest`` only, never Django. The result comes back as a
pickle: the child is our own code, running as the same user, so it crosses no
privilege boundary.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from closeout.ingest.parse import parse
from closeout.ingest.pdfguard import MB
from closeout.ingest.result import ParseContext, ParseResult
from closeout.ingest.source import MEMORY, SECONDS, IngestError, ReadError

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the closeout package
CHILD = "from closeout.ingest.isolate import child; child()"
# Ways a child ends when an allocation fails outside Python (a C++ library aborts, a
# C library writes through a null pointer) or the kernel kills it.
_MEMORY_SIGNALS = {signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGKILL}


@dataclass(frozen=True, slots=True)
class Isolation:
    """The limits of one child: its whole address space, and its wall time."""

    memory_bytes: int = 1024 * MB
    seconds: float = 60.0


def parse_isolated(
    data: bytes, context: ParseContext | None = None, isolation: Isolation | None = None
) -> ParseResult:
    """``parse(data, context)`` in a child process; over a limit, a ``ReadError`` whose
    code is ``MEMORY`` or ``SECONDS``."""
    context = context or ParseContext()
    isolation = isolation or Isolation()
    request = pickle.dumps((data, context))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(isolation.memory_bytes), str(isolation.seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = child.communicate(request, timeout=isolation.seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise _over_time(context.name, isolation) from None
    except BaseException:
        child.kill()
        child.communicate()
        raise
    if child.returncode == 0 and out:
        kind, payload = pickle.loads(out)
        if kind == "ok":
            return payload  # type: ignore[no-any-return]
        if kind == "memory":
            raise _over_memory(context.name, isolation)
        raise payload
    raise _ended(context.name, isolation, child.returncode, err)


def _over_time(name: str, isolation: Isolation) -> ReadError:
    limit = isolation.seconds
    return ReadError(name, f"reading took longer than {limit:g} s", code=SECONDS, limit=limit)


def _over_memory(name: str, isolation: Isolation) -> ReadError:
    limit = isolation.memory_bytes
    reason = f"reading needed more than {limit / MB:g} MB of memory"
    return ReadError(name, reason, code=MEMORY, limit=limit)


def _ended(name: str, isolation: Isolation, returncode: int, err: bytes) -> ReadError:
    if returncode == -signal.SIGXCPU:
        return _over_time(name, isolation)
    if -returncode in _MEMORY_SIGNALS:
        return _over_memory(name, isolation)
    text = err.decode("utf-8", "replace").strip()
    log.warning("plan reader for %s ended with %s: %s", name, returncode, text[-2000:])
    tail = text.splitlines()[-1:] or ["no output"]
    return ReadError(name, f"the reader ended unexpectedly (exit {returncode}: {tail[0]})")


def _limit_self(isolation: Isolation) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the parent's wall-time limit still holds
        return
    memory = isolation.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # A second guard on time, should the parent die before it can kill the child.
    cpu = int(isolation.seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def child() -> None:
    """The child's side: limits first, then the input, the parse, the reply."""
    isolation = Isolation(memory_bytes=int(sys.argv[1]), seconds=float(sys.argv[2]))
    _limit_self(isolation)
    reply: tuple[str, object]
    name = "<bytes>"
    try:
        data, context = pickle.load(sys.stdin.buffer)
        name = context.name
        reply = ("ok", parse(data, context))
    except IngestError as exc:
        reply = ("error", exc)
    except MemoryError:
        reply = ("memory", None)  # the frames that held the memory go with the exception
    except RecursionError:
        reply = ("error", ReadError(name, "the document is nested too deeply"))
    try:
        answer = pickle.dumps(reply)
    except MemoryError:
        del reply
        answer = pickle.dumps(("memory", None))
    sys.stdout.buffer.write(answer)
