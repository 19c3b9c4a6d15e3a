"""Where numba keeps the compiled kernels of this package: the user's cache folder.

numba caches a compiled function beside its source (``__pycache__``) and
keys it by that one file, so

- a read-only install cannot keep the cache, and a cache in the source tree
  is lost with it;
- a kernel compiled together with callees from *other* files is not
  recompiled when those change: the cache could run old code.

:func:`route_kernels` sends the cache of the kernels of one folder of this
package to ``<user cache>/transit/numba/<folder>-<location>/<digest>/``,
where the digest covers the sources of every kernel module of the folder
and the numba and Python versions: changed sources get a new folder, so a
stale kernel is never loaded, and nothing needs deleting at import time.
:func:`prune_kernels` removes the folders of older sources later, and only
this package's. ``NUMBA_CACHE_DIR`` moves the root (to
``$NUMBA_CACHE_DIR/transit``); ``PYTHONDONTWRITEBYTECODE`` does not matter.

Call :func:`route_kernels` before the kernel modules are imported (numba
picks the cache folder when a function is decorated).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import platform
import shutil
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["cache_root", "is_compiled", "kernel_cache_dir", "mark_compiled", "prune_kernels", "route_kernels"]

log = logging.getLogger(__name__)

_SCHEME = "transit-jitcache-1"
"""Changes when the layout of the cache changes."""

_MARK = "compiled"
"""File written into a cache folder once its kernels have all been compiled."""

_ROUTES: dict[str, Path] = {}
"""Source folder (resolved) -> cache folder of its kernels."""

_STARTED = time.time()


def cache_root() -> Path:
    """Return the root of this package's kernel caches.

    ``$NUMBA_CACHE_DIR/transit`` when the variable is set, else the user's
    cache folder (``~/.cache/transit/numba`` on Linux, via platformdirs).
    """
    env = os.environ.get("NUMBA_CACHE_DIR")
    if env:
        return Path(env) / "transit"
    import platformdirs

    return platformdirs.user_cache_path("transit") / "numba"


def _kernel_files(folder: Path, modules: Iterable[str]) -> list[Path]:
    """The named modules of ``folder`` plus every module there that defines a numba kernel."""
    files = {folder / f"{m}.py" for m in modules}
    for f in folder.glob("*.py"):
        with contextlib.suppress(OSError):
            if b"njit" in f.read_bytes():
                files.add(f)
    return sorted(f for f in files if f.is_file())


def _numba_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("numba")
    except PackageNotFoundError:
        return "unknown"


def kernel_cache_dir(folder: str | os.PathLike[str], modules: Iterable[str] = ()) -> Path:
    """Return the cache folder of the kernels defined in ``folder`` as its sources are now.

    Parameters
    ----------
    folder
        A source folder of this package.
    modules
        Modules of the folder whose source the kernels depend on although they
        define none (constants); modules defining kernels are found by
        themselves.
    """
    src = Path(folder).resolve()
    digest = hashlib.sha256()
    for part in (_SCHEME, _numba_version(), sys.version, platform.machine()):
        digest.update(part.encode() + b"\0")
    for f in _kernel_files(src, modules):
        digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    place = hashlib.sha256(str(src).encode()).hexdigest()[:12]
    return cache_root() / f"{src.name}-{place}" / digest.hexdigest()[:20]


@functools.cache
def _locator_class() -> type:
    """numba's cache locator for this package's routed folders (made once numba is imported)."""
    from numba.core import caching

    class TransitLocator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):  # type: ignore[misc,name-defined]
        """Put the cache of a routed folder's kernels into its :func:`kernel_cache_dir`."""

        def __init__(self, py_func: Any, py_file: str, cache_path: Path) -> None:
            self._py_file = py_file
            self._lineno = py_func.__code__.co_firstlineno
            self._cache_path = str(cache_path)

        def get_cache_path(self) -> str:
            return self._cache_path

        @classmethod
        def from_function(cls, py_func: Any, py_file: str) -> Any:
            path = _ROUTES.get(str(Path(py_file).resolve().parent))
            if path is None:
                return None
            self = cls(py_func, py_file, path)
            try:
                self.ensure_cache_path()
            except OSError:
                log.info("cannot write the kernel cache %s; numba chooses another place", path)
                return None
            return self

    return TransitLocator


def route_kernels(folder: str | os.PathLike[str], modules: Iterable[str] = ()) -> Path:
    """Send numba's cache of the kernels defined in ``folder`` to :func:`kernel_cache_dir`; return it.

    Call before importing the kernel modules. Other packages' kernels keep
    numba's usual cache.
    """
    from numba.core import caching

    path = kernel_cache_dir(folder, modules)
    _ROUTES[str(Path(folder).resolve())] = path
    locator = _locator_class()
    impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl  # numba >= 0.61 / older
    if locator not in impl._locator_classes:
        impl._locator_classes.insert(0, locator)
    return path


def is_compiled(folder: str | os.PathLike[str]) -> bool:
    """Whether the kernels of a routed ``folder`` have been compiled into its cache before."""
    path = _ROUTES.get(str(Path(folder).resolve()))
    return path is not None and (path / _MARK).is_file()


def mark_compiled(folder: str | os.PathLike[str]) -> None:
    """Record that the kernels of a routed ``folder`` are in its cache (see :func:`is_compiled`)."""
    path = _ROUTES.get(str(Path(folder).resolve()))
    if path is not None:
        with contextlib.suppress(OSError):
            path.mkdir(parents=True, exist_ok=True)
            (path / _MARK).write_text(f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n", encoding="utf-8")


def prune_kernels(folder: str | os.PathLike[str], modules: Iterable[str] = ()) -> int:
    """Remove cached kernels of ``folder`` compiled from older sources; return how many folders went.

    Only this package's caches are touched: the sibling digest folders of
    ``folder``'s current cache folder that are older than the running
    process, and numba cache files of ``folder``'s kernel modules in its own
    ``__pycache__`` (where numba put them before :func:`route_kernels`).
    """
    src = Path(folder).resolve()
    current = kernel_cache_dir(src, modules)
    removed = 0
    with contextlib.suppress(OSError):
        for old in current.parent.iterdir():
            if old != current and old.is_dir() and old.stat().st_mtime < _STARTED:
                shutil.rmtree(old, ignore_errors=True)
                removed += 1
    names = {f.stem for f in _kernel_files(src, modules)}
    with contextlib.suppress(OSError):
        for f in (src / "__pycache__").iterdir():
            if f.suffix in (".nbi", ".nbc") and f.name.split(".", 1)[0] in names:
                with contextlib.suppress(OSError):
                    f.unlink()
    if removed:
        log.info("removed %d cache folders of older %s kernels", removed, src.name)
    return removed
