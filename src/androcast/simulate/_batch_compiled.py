"""Build, cache and call the generated C kernel of the batch engine.

The kernel is generated from the model's own ``rhs`` (:mod:`._batch_trace`), compiled at
first use with the machine's C compiler and cached as a shared library under the user's
cache directory; each build prints one line to stderr (it takes ~30 s). Without a compiler
``simulate_batch`` falls back to the numpy engine with a one-line notice. The cache key
hashes the source of the model and of this generator, the drug species' structure, whether
gonadorelin inputs are present, the method and the compiler, so the kernel is rebuilt
exactly when any of them changes. Men are split over threads (the call releases the GIL).
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import inspect
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from androcast.errors import SimulationError
from androcast.model import Species
from androcast.simulate import (
    _batch_csource,
    _batch_integrator_c,
    _batch_lanes,
    _batch_methods,
    _batch_trace,
)
from androcast.simulate._batch_methods import Rosenbrock

FloatArray = NDArray[np.float64]
RunResult = tuple[FloatArray, NDArray[np.int32], NDArray[np.int64], NDArray[np.int64],
                  FloatArray]
#: -march=native: ~8 % off a one-man run (measured on an AMD EPYC); the cache key then holds
#: the CPU (``_cpu``). -ffp-contract=off: no fused multiply-adds, so the numbers do not depend
#: on the CPU's instruction set (gcc's default in ISO C mode; clang's is to contract).
_CFLAGS = ("-O2", "-march=native", "-ffp-contract=off", "-fPIC", "-shared", "-fno-math-errno",
           "-std=c99")
#: for a compiler that refuses -march=native
_PORTABLE_CFLAGS = tuple(flag for flag in _CFLAGS if flag != "-march=native")
_LOCK = threading.Lock()
_LOADED: dict[str, CompiledKernel] = {}


def default_cache_dir() -> Path:
    """Where kernels are kept between runs (``~/.cache/androcast/kernels``)."""
    return Path.home() / ".cache" / "androcast" / "kernels"


@functools.cache  # one PATH search per process, not one per simulation
def find_compiler() -> str | None:
    """The C compiler kernels are built with (cc, gcc or clang on the PATH), or None."""
    for name in ("cc", "gcc", "clang"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _compiler() -> str:
    found = find_compiler()
    if found:
        return found
    raise SimulationError(
        "batch.engine", "compiled", "a C compiler (cc, gcc or clang) on the PATH",
        hint='install one, or pass engine="numpy" (about 1000 times slower)',
    )


@functools.cache  # sources do not change within a process; reading them took ~10 ms a call
def _model_sources() -> str:
    import androcast.binding as binding_mod
    import androcast.model._math as math_mod
    import androcast.model.parameters as parameters_mod
    import androcast.model.pharmacology as pharmacology_mod
    import androcast.model.rhs as rhs_mod
    from androcast.model import terms

    # every module the traced equations run through: rhs sums the terms, which bind T
    modules = (rhs_mod, *terms.MODULES, binding_mod, math_mod, pharmacology_mod,
               parameters_mod, _batch_trace, _batch_csource, _batch_integrator_c, _batch_lanes,
               _batch_methods)
    return "\n".join(inspect.getsource(m) for m in modules)


def cache_key(species: Sequence[Species], method: Rosenbrock, compiler: str,
              gnrh: bool = False) -> str:
    return _cache_key(tuple(species), method, compiler, gnrh)


@functools.lru_cache(maxsize=256)  # hashing the model's sources took ~0.1 ms a simulation
def _cache_key(species: tuple[Species, ...], method: Rosenbrock, compiler: str,
               gnrh: bool) -> str:
    digest = hashlib.sha256()
    for part in (_model_sources(), repr(_batch_trace.species_structure(species)),
                 f"gnrh={gnrh}", f"lanes={lanes()}", repr(method), compiler, repr(_CFLAGS),
                 platform.machine(),
                 sys.platform, _cpu()):
        digest.update(part.encode())
    return digest.hexdigest()[:24]


@functools.cache
def lanes() -> int:
    """Men per vector of the lockstep integrator (:mod:`._batch_lanes`): 8 doubles where the
    CPU has 512-bit vectors (AVX-512), else 4 (the compiler splits a vector the CPU cannot
    hold, so 4 is also right for 128-bit units)."""
    return 8 if "avx512f" in _cpu().split() else 4


@functools.cache
def _cpu() -> str:
    """The CPU a -march=native kernel is built for (model and feature flags), so a cache
    directory shared by different machines never hands one of them another's kernel."""
    try:
        text = Path("/proc/cpuinfo").read_text("utf-8", errors="replace")
    except OSError:  # not Linux: the processor name is what the platform says
        return platform.processor()
    keys = ("model name", "flags", "Features", "CPU implementer", "CPU part")
    lines = [line for line in text.splitlines() if line.split(":")[0].strip() in keys]
    return "\n".join(dict.fromkeys(lines))  # each distinct line once, not once per core


@dataclass(frozen=True)
class CompiledKernel:
    """A loaded kernel and what its vectors mean."""

    library: Any
    state_names: tuple[str, ...]
    active: tuple[int, ...]
    inputs: tuple[str, ...]
    observables: tuple[str, ...]
    gnrh: bool = False  # U carries the gonadorelin inputs after the species' infusions
    lanes: int = 1  # men per vector of run_lanes (1: the kernel has only the one-man loop)

    def run(self, params: FloatArray, y0: FloatArray, t0: float, t_out: FloatArray,
            events: EventTable, observables: Sequence[str], control: Control,
            rtol: FloatArray, atol: FloatArray, threads: int,
            lockstep: bool = True) -> RunResult:
        """Outputs (n_selected, len(t_out), N); status, steps and rejected steps per man; the
        states (N, n_states) at the last output time (frozen states keep their ``y0`` values).

        ``rtol`` (n_active,) and ``atol`` (N, n_active) hold the tolerances of every
        *active* state (``atol`` per man). ``lockstep``: ranges of men run on the kernel's
        vector lanes (``run_lanes``; bit-identical results) where a range fills at least half
        of them; otherwise, and with ``lockstep=False``, one man after another (``run``).
        """
        n = params.shape[0]
        index = {name: q for q, name in enumerate(self.observables)}
        sel = np.array([index[o] for o in observables], dtype=np.int32)
        out = np.empty((sel.size, t_out.size, n))
        status = np.zeros(n, dtype=np.int32)
        steps = np.zeros(n, dtype=np.int64)
        rejected = np.zeros(n, dtype=np.int64)
        args = [np.ascontiguousarray(a) for a in (params, y0)]
        y_end = args[1].copy()
        t_arr = np.ascontiguousarray(t_out, dtype=float)
        atol_arr = np.ascontiguousarray(np.broadcast_to(atol, (n, len(self.active))),
                                        dtype=float)
        rtol_arr = np.ascontiguousarray(rtol, dtype=float)

        def ptr(a: NDArray[Any]) -> Any:
            return a.ctypes.data_as(ctypes.c_void_p)

        def chunk(bounds: tuple[int, int]) -> None:
            vector = lockstep and self.lanes > 1 and 2 * (bounds[1] - bounds[0]) >= self.lanes
            (self.library.run_lanes if vector else self.library.run)(
                ctypes.c_long(bounds[0]), ctypes.c_long(bounds[1]), ctypes.c_long(n),
                ptr(args[0]), ptr(args[1]), ctypes.c_double(t0), ptr(t_arr),
                ctypes.c_long(t_arr.size), ptr(events.pointer), ptr(events.t),
                ptr(events.kind), ptr(events.index), ptr(events.value), ptr(sel),
                ctypes.c_long(sel.size), ptr(out), ptr(rtol_arr),
                ptr(atol_arr), ctypes.c_double(control.h0_d),
                ctypes.c_double(control.h_max_d), ctypes.c_double(control.h_min_d),
                ctypes.c_long(control.max_steps), ctypes.c_int(int(control.dense)),
                ptr(status), ptr(steps),
                ptr(rejected), ptr(y_end))

        _split(chunk, n, threads)
        return out, status, steps, rejected, y_end

    def steady_state(self, params: FloatArray, guess: FloatArray, threads: int, *,
                     tol: float = 1e-10, max_iter: int = 50) -> tuple[FloatArray,
                                                                     NDArray[np.int32]]:
        """Drug-free steady state of every man, (N, n_states), and a status per man (0 ok).

        Newton's method in the kernel on the physiological states, from ``guess`` (N,
        n_states); drug amounts stay zero and frozen states keep their guessed values.
        """
        n = params.shape[0]
        p_arr = np.ascontiguousarray(params)
        y = np.array(guess, dtype=float, order="C")
        status = np.zeros(n, dtype=np.int32)

        def chunk(bounds: tuple[int, int]) -> None:
            self.library.steady(
                ctypes.c_long(bounds[0]), ctypes.c_long(bounds[1]),
                p_arr.ctypes.data_as(ctypes.c_void_p), y.ctypes.data_as(ctypes.c_void_p),
                ctypes.c_double(tol), ctypes.c_long(max_iter),
                status.ctypes.data_as(ctypes.c_void_p))

        _split(chunk, n, threads)
        return y, status


def _split(chunk: Any, n: int, threads: int) -> None:
    """Call ``chunk((start, stop))`` on contiguous ranges of men over ``threads`` threads.

    Several ranges per thread, taken as threads come free: men on different regimens
    cost very different times, and one range per thread left a thread idle at the end.
    """
    workers = max(1, min(threads, n))
    pieces = 1 if workers == 1 else min(n, 4 * workers)
    edges = np.linspace(0, n, pieces + 1).astype(int)
    bounds = [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]
    if workers == 1:
        chunk(bounds[0])
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(chunk, bounds))


@dataclass(frozen=True)
class Control:
    h0_d: float
    h_max_d: float
    h_min_d: float
    max_steps: int
    dense: bool = False  # outputs interpolated, steps not stopped on them


@dataclass(frozen=True)
class EventTable:
    """Events of every man, CSR-style: man k owns rows ``pointer[k]:pointer[k+1]``.

    ``kind`` 0 adds ``value`` to active state ``index`` (a dose), 1 sets input ``index``
    of ``U`` to ``value`` (an infusion rate or gonadorelin input change); rows of a man are
    sorted by time.
    """

    pointer: NDArray[np.int64]
    t: FloatArray
    kind: NDArray[np.int32]
    index: NDArray[np.int32]
    value: FloatArray


def _load(path: Path, meta: dict[str, Any]) -> CompiledKernel:
    library = ctypes.CDLL(str(path))
    library.run.restype = ctypes.c_int
    library.steady.restype = ctypes.c_int
    return CompiledKernel(
        library=library, state_names=tuple(meta["state_names"]), active=tuple(meta["active"]),
        inputs=tuple(meta["inputs"]), observables=tuple(meta["observables"]),
        gnrh=bool(meta["gnrh"]), lanes=int(meta.get("lanes", 1)))


def kernel(species: Sequence[Species], method: Rosenbrock,
           cache_dir: Path | None = None, *, gnrh: bool = False) -> CompiledKernel:
    """The compiled kernel for these species (built and cached on first use); ``gnrh``:
    with the gonadorelin inputs (continuous rate, pump pulse and frequency)."""
    compiler = _compiler()
    key = cache_key(species, method, compiler, gnrh)
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        directory = cache_dir or default_cache_dir()
        library, meta_file = directory / f"batch_{key}.so", directory / f"batch_{key}.json"
        if not (library.exists() and meta_file.exists()):
            _build(species, gnrh, method, compiler, directory, library, meta_file)
        loaded = _load(library, json.loads(meta_file.read_text("utf-8")))
        _LOADED[key] = loaded
        return loaded


def _build(species: Sequence[Species], gnrh: bool, method: Rosenbrock, compiler: str,
           directory: Path, library: Path, meta_file: Path) -> None:
    # a build takes ~30 s once per drug combination: say so, or the first forecast after
    # install looks hung (the one line a user sees; the kernel is then cached)
    drugs = ", ".join(sp.code for sp in species) or "no drug"
    print(f"androcast: building the simulation kernel for {drugs}{' + gonadorelin' * gnrh} "
          f"({method.name}; once, ~30 s, cached in {directory}) ...", file=sys.stderr,
          flush=True)
    program = _batch_trace.trace(species, gnrh)
    source = _batch_csource.c_source(program, method, lanes())
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as work:
        c_file = Path(work) / "kernel.c"
        c_file.write_text(source, "utf-8")
        so_file = Path(work) / "kernel.so"
        for flags in (_CFLAGS, _PORTABLE_CFLAGS):
            result = subprocess.run([compiler, *flags, str(c_file), "-o", str(so_file), "-lm"],
                                    capture_output=True, text=True, check=False)
            if result.returncode == 0:
                break
        if result.returncode != 0:
            raise SimulationError("batch.engine", "compiled", "a kernel the C compiler accepts",
                                  hint=result.stderr.strip()[-400:])
        meta = {"state_names": program.state_names, "active": program.active,
                "inputs": program.inputs, "observables": list(program.observables),
                "gnrh": program.gnrh,
                "lanes": lanes() if "run_lanes" in source else 1}
        meta_tmp = Path(work) / "meta.json"
        meta_tmp.write_text(json.dumps(meta), "utf-8")
        os.replace(so_file, library)  # atomic: concurrent builders never see a partial file
        os.replace(meta_tmp, meta_file)
