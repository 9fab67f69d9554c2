"""Time whole processes, as a CI job does: start-up, work and exit, best of N, taken in turns.

Every case runs once per round, in the same order, so driftline and its peer see the same load.
Peak memory is the process's own maximum resident set (``wait4``), not its children's; CPU time
is its user + system seconds, which the machine's load barely changes (wall time it doubles).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    argv: Sequence[str]
    #: exit codes that mean the command did its job (a peer failing fast must not look fast)
    ok: frozenset[int] = frozenset({0})
    env: Mapping[str, str] | None = None
    cwd: str | None = None
    #: run before each timed run, untimed (e.g. empty the command's cache for a cold start)
    prepare: Callable[[], object] | None = None


@dataclass
class Result:
    walls: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def best_cpu(self) -> float:
        return min(self.cpus) if self.cpus else float("nan")

    @property
    def peak_mb(self) -> float:
        return max(self.rss_mb)


class CommandFailed(RuntimeError):
    pass


def run_once(case: Case) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run; raises when the exit code is not ``ok``."""
    wall, rss, _ = measure(case)
    return wall, rss


def measure(case: Case) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one run."""
    env = dict(os.environ, **(case.env or {}))
    if case.prepare is not None:
        case.prepare()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(case.argv), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=case.cwd
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in case.ok:
            err.seek(0)
            out.seek(0)
            tail = (err.read() or out.read()).decode(errors="replace")[-1500:]
            raise CommandFailed(f"{' '.join(case.argv)} exited {proc.returncode}:\n{tail}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def alternate(
    cases: Mapping[str, Case], rounds: int, fewer: Mapping[str, int] | None = None
) -> dict[str, Result]:
    """Run every case once per round, in turn; ``rounds`` samples each (``fewer[name]`` for a
    slow peer: it runs in the first rounds only)."""
    results = {name: Result() for name in cases}
    for round_ in range(rounds):
        for name, case in cases.items():
            if round_ >= (fewer or {}).get(name, rounds):
                continue
            wall, rss, cpu = measure(case)
            results[name].walls.append(wall)
            results[name].rss_mb.append(rss)
            results[name].cpus.append(cpu)
    return results


def peer(name: str) -> str | None:
    """A peer's executable: on PATH, or beside this interpreter (the bench extra installs it
    into the venv, whose bin directory a direct ``.venv/bin/python`` run does not put on PATH)."""
    return shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))


def byte_compile() -> None:
    """Byte-compile driftline's modules, as installing its wheel does.

    With ``PYTHONDONTWRITEBYTECODE`` set (as on these machines), an editable install never
    writes its ``.pyc`` files, so every timed process would compile driftline's sources again:
    work an installed driftline does not do.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("driftline")
    assert spec is not None and spec.submodule_search_locations
    for folder in spec.submodule_search_locations:
        compileall.compile_dir(folder, quiet=1)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def table(results: Mapping[str, Result], peer_of: Mapping[str, str] | None = None) -> str:
    """One line per case: best wall, best CPU, peak RSS and, for a case with a peer, the speed
    ratio (by wall time)."""
    lines = [f"{'case':<44} {'best s':>7} {'cpu s':>6} {'peak MB':>7}  ratio"]
    for name, result in results.items():
        ratio = ""
        peer = (peer_of or {}).get(name)
        if peer is not None:
            factor = results[peer].best / result.best
            if factor >= 1:
                ratio = f"{factor:.1f}x faster than {peer}"
            else:
                ratio = f"{1 / factor:.1f}x slower than {peer}"
        lines.append(
            f"{name:<44} {result.best:7.3f} {result.best_cpu:6.2f} {result.peak_mb:7.0f}  {ratio}"
        )
    return "\n".join(lines)
