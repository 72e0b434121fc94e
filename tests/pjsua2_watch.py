"""Watches how pjsua2 objects die: on which thread, and whether only the cyclic
garbage collector could free them (tests only).

The rule (docs/ARCHITECTURE: lifetimes) is that a pjsua2 object is created and
destroyed on the engine thread. Two ways break it without anyone noticing:

* the object ends up in a reference cycle (a stored exception whose traceback holds
  a frame with it, a closure stored on its owner...). Then only the cyclic collector
  frees it, on whichever thread happens to allocate when a collection is due: the
  e2e-media loop, pjmedia's clock thread, the GUI thread;
* the last reference to it is dropped on another thread (a closure handed to
  another thread, a future's callback).

`Pjsua2Watch` records both. While it is on:

* every pjsua2 proxy that owns its C++ object is registered when it is made (the
  classes' `__init__`, and every method's return value) with a weak reference whose
  callback notes the thread it died on and whether a collection was running there;
* the collector saves its garbage instead of freeing it (`gc.DEBUG_SAVEALL`); after
  each collection, on the collecting thread, the garbage is searched for pjsua2
  objects, and for each one the chain of objects that held it is written down
  (`Finding.chain`). The garbage is kept until `release()`, which frees it on the
  engine thread: a watched run cannot crash the way it reports.

Install before the engine starts, `release(engine)` before the engine stops, and
`uninstall()` afterwards. After `release` only deaths are noted: the engine's own final
collection uses DEBUG_SAVEALL too, and a pjsua2 object that only it frees shows as a
death in a collection.
"""

from __future__ import annotations

import gc
import importlib
import threading
import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_SWIG = importlib.import_module("pjsua2.pjsua2")  # the SWIG module itself (not the package)


def _pjsua2_classes() -> list[type]:
    module = _SWIG
    return [
        v for v in vars(module).values() if isinstance(v, type) and hasattr(v, "__swig_destroy__")
    ]


@dataclass
class Death:
    type_name: str
    created_on: str
    died_on: str
    in_collection: bool


@dataclass
class Finding:
    """pjsua2 objects found in the cyclic garbage of one collection."""

    thread: str
    generation: int
    objects: list[str]
    chain: list[str] = field(default_factory=list)


class Pjsua2Watch:
    def __init__(self, engine_thread: str = "engine") -> None:
        self.engine_thread = engine_thread
        self.deaths: list[Death] = []
        self.findings: list[Finding] = []
        self.created: list[tuple[str, str]] = []  # (type, thread) of every owned object
        self.collections: dict[str, int] = {}  # thread name -> collections seen
        self._classes = tuple(_pjsua2_classes())
        self._refs: dict[int, tuple[weakref.ref, str, str]] = {}
        self._patched: list[tuple[type, str, Any]] = []
        self._local = threading.local()
        self._kept: list[object] = []  # the saved garbage, freed by release()
        self._installed = False
        self._saving = True

    # -------------------------------------------------------------- set-up

    def install(self) -> None:
        for cls in self._classes:
            for name, value in list(vars(cls).items()):
                if not isinstance(value, types.FunctionType) or _skipped(name):
                    continue
                wrapped = self._wrap_init(value) if name == "__init__" else self._wrap(value)
                self._patched.append((cls, name, value))
                setattr(cls, name, wrapped)
        gc.callbacks.append(self._on_gc)
        gc.set_debug(gc.DEBUG_SAVEALL)
        self._installed = True

    def release(self, engine=None) -> None:
        """A last collection that sees everything (frozen objects too), then stop saving
        garbage and free what was saved: on the engine thread when `engine` is given
        (pjsua2 objects among it may only die there)."""

        def free() -> None:
            gc.unfreeze()  # long_lived froze objects that may be garbage by now
            gc.collect()  # still saving: what it finds is reported like any other
            gc.set_debug(0)
            self._saving = False  # the engine's final collection saves its own garbage
            self._local.collecting = True  # what dies now would have died in a collection
            try:
                self._kept.clear()
                gc.collect()
            finally:
                self._local.collecting = False

        if engine is not None and engine.endpoint is not None:
            engine.run(free).result(10)
        else:
            free()

    def uninstall(self) -> None:
        if not self._installed:
            return
        self._installed = False
        gc.set_debug(0)
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        for cls, name, value in reversed(self._patched):
            setattr(cls, name, value)
        self._patched.clear()

    # ----------------------------------------------------------- tracking

    def _wrap_init(self, init):
        watch = self

        def __init__(self, *args, **kwargs):
            init(self, *args, **kwargs)
            watch._track(self)

        return __init__

    def _wrap(self, method):
        watch = self

        def wrapper(*args, **kwargs):
            result = method(*args, **kwargs)
            if isinstance(result, watch._classes):
                watch._track(result)
            return result

        wrapper.__name__ = method.__name__
        wrapper.__doc__ = method.__doc__
        return wrapper

    def _track(self, obj: object) -> None:
        key = id(obj)
        if key in self._refs and self._refs[key][0]() is obj:
            return
        try:
            if not obj.thisown:  # a view into another object: deleting it frees nothing
                return
        except AttributeError:
            return
        thread = threading.current_thread().name
        name = type(obj).__name__
        self.created.append((name, thread))
        self._refs[key] = (weakref.ref(obj, self._died_callback(key)), name, thread)

    def _died_callback(self, key: int):
        def died(ref: weakref.ref) -> None:
            entry = self._refs.get(key)
            if entry is None or entry[0] is not ref:
                return
            del self._refs[key]
            self.deaths.append(
                Death(
                    entry[1],
                    entry[2],
                    threading.current_thread().name,
                    getattr(self._local, "collecting", False),
                )
            )

        return died

    def alive(self) -> list[str]:
        """Tracked pjsua2 objects still alive."""
        return sorted(name for ref, name, _ in list(self._refs.values()) if ref() is not None)

    # ------------------------------------------------------------ the collector

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._local.collecting = True
            return
        self._local.collecting = False
        thread = threading.current_thread().name
        self.collections[thread] = self.collections.get(thread, 0) + 1
        if not gc.garbage or not self._saving:
            return
        garbage = list(gc.garbage)
        gc.garbage.clear()
        self._kept.extend(garbage)
        found = [o for o in garbage if isinstance(o, self._classes)]
        if found:
            finding = Finding(
                thread, info.get("generation", -1), sorted({type(o).__name__ for o in found})
            )
            finding.chain = holders_chain(found[0], garbage)
            self.findings.append(finding)

    # ------------------------------------------------------------ verdicts

    def wrong_thread_deaths(self) -> list[Death]:
        return [d for d in self.deaths if d.died_on != self.engine_thread or d.in_collection]

    def report(self) -> str:
        lines = []
        for f in self.findings:
            lines.append(
                f"cyclic garbage with {', '.join(f.objects)} "
                f"(gen {f.generation} collection on thread {f.thread!r}); held by:"
            )
            lines.extend(f"    {step}" for step in f.chain)
        for d in self.wrong_thread_deaths():
            how = "by a garbage collection" if d.in_collection else "by reference count"
            lines.append(f"{d.type_name} created on {d.created_on!r} died on {d.died_on!r} {how}")
        return "\n".join(lines)


def _skipped(name: str) -> bool:
    # director callbacks (onCallState...) stay untouched: pjsua calls them by name, and
    # their parameters are views pjsua owns
    if name.startswith("on") and name[2:3].isupper():
        return True
    return name.startswith("__") and name not in ("__init__", "__getitem__")


def holders_chain(target: object, garbage: list[object], limit: int = 25) -> list[str]:
    """Who holds `target` inside `garbage`, step by step back to a cycle: each line is
    an object and, where it can be told, the attribute, key or local that holds the next."""
    ids = {id(o): o for o in garbage}
    holders: dict[int, list[object]] = {}
    for o in garbage:
        for r in gc.get_referents(o):
            if id(r) in ids:
                holders.setdefault(id(r), []).append(o)
    chain = [describe(target)]
    seen = {id(target)}
    current = target
    for _ in range(limit):
        parents = holders.get(id(current), [])
        if not parents:
            chain.append("(held by nothing in the garbage: it is part of it only by reachability)")
            break
        parent = next((p for p in parents if id(p) not in seen), parents[0])
        chain.append(f"<- {describe(parent)}{_how(parent, current)}")
        if id(parent) in seen:
            chain.append("(cycle closed)")
            break
        seen.add(id(parent))
        current = parent
    return chain


def describe(obj: object) -> str:
    if isinstance(obj, types.FrameType):
        code = obj.f_code
        return f"frame {code.co_qualname} ({code.co_filename.rsplit('/', 2)[-1]}:{obj.f_lineno})"
    if isinstance(obj, types.TracebackType):
        return f"traceback of {describe(obj.tb_frame)}"
    if isinstance(obj, types.FunctionType):
        return f"function {obj.__qualname__}"
    if isinstance(obj, types.MethodType):
        return f"bound method {obj.__func__.__qualname__} of {type(obj.__self__).__name__}"
    if isinstance(obj, types.CellType):
        return "closure cell"
    if isinstance(obj, BaseException):
        return f"exception {type(obj).__name__}: {str(obj)[:80]}"
    if isinstance(obj, dict):
        return f"dict ({len(obj)} keys)"
    if isinstance(obj, list | tuple):
        return f"{type(obj).__name__} of {len(obj)}"
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _how(parent: object, child: object) -> str:
    if isinstance(parent, types.FrameType):
        for name, value in parent.f_locals.items():
            if value is child:
                return f" [local {name!r}]"
    if isinstance(parent, dict):
        for key, value in parent.items():
            if value is child:
                return f" [key {key!r}]"
    if isinstance(parent, list | tuple):
        for i, value in enumerate(parent):
            if value is child:
                return f" [item {i}]"
    if isinstance(parent, types.FunctionType) and parent.__closure__:
        names = parent.__code__.co_freevars
        for name, cell in zip(names, parent.__closure__, strict=False):
            if cell is child:
                return f" [free variable {name!r}]"
    d = getattr(parent, "__dict__", None)
    if isinstance(d, dict):
        if d is child:
            return " [__dict__]"
        for key, value in d.items():
            if value is child:
                return f" [.{key}]"
    for name in ("__traceback__", "__context__", "__cause__", "tb_next", "tb_frame", "f_back"):
        if getattr(parent, name, None) is child:
            return f" [.{name}]"
    return ""


def assert_engine_leaves_nothing(scenario: Callable[[Any], None], expected: set[str]) -> None:
    """Run `scenario(session)` on a fresh engine under the watch, then fail on any
    pjsua2 object found in cyclic garbage, freed off the engine thread or outliving
    the engine - and unless the watch saw every class named in `expected` (else it
    would pass for nothing). The test's thread."""
    from softphone.engine import events as ev
    from softphone.engine.engine import Engine
    from softphone.tasks.session import EngineSession

    watch = Pjsua2Watch()
    watch.install()
    try:
        s = EngineSession(Engine())
        with s:
            s.wait_for(ev.EngineDidStart)
            try:
                scenario(s)
                s.drain(1.5)  # past the ports' grace period: the last ones are freed
            finally:
                watch.release(s.engine)
        outlived = watch.alive()
    finally:
        watch.uninstall()
    made = {name for name, _ in watch.created}
    assert expected <= made, made
    assert not watch.findings and not watch.wrong_thread_deaths(), watch.report()
    assert not outlived, f"pjsua2 objects outlive the engine: {outlived}"
