# SPDX-License-Identifier: MIT
"""The desktop twin of MicroPython's `finaliserproxy` module (same API).

CPython calls ``__del__`` itself; this class keeps the MicroPython module's
promises so that the same client code runs on both:

- ``FinaliserProxy(callback)``: a base class; when an instance of a subclass
  is garbage, ``callback()`` runs once, never twice, also not after an
  explicit ``obj.__del__()``. (A subclass that defines ``__del__`` gets it
  wrapped in the same once-only guard.)
- ``Queue(size)``: small integers handed from finalisers to normal code;
  ``put()`` never grows the queue, overflow is counted in ``overflow``.

On CPython an instance whose callback is its own bound method lives in a
reference cycle, so, as on MicroPython, it is finalised by the garbage
collector (``gc.collect()``), not when the last name for it goes away.
"""
import collections

__all__ = ["FinaliserProxy", "Queue"]

_ARMED, _RUNNING, _DONE = 0, 1, 2


def _finalise(obj):
    if getattr(obj, "_fp_state", None) != _ARMED:
        return
    obj._fp_state = _RUNNING
    try:
        obj._fp_callback()
    finally:
        obj._fp_state = _DONE


def _guard(fun):
    """A subclass's __del__, run at most once per object."""

    def __del__(self):
        state = getattr(self, "_fp_state", None)
        if state is None or state == _RUNNING:
            return fun(self)
        if state == _DONE:
            return None
        self._fp_state = _DONE
        return fun(self)

    __del__._fp_guard = True
    __del__.__doc__ = fun.__doc__
    return __del__


class FinaliserProxy:
    """Base class whose instances call ``callback()`` once when they are garbage."""

    def __init__(self, callback):
        if not callable(callback):
            raise TypeError("callback must be callable")
        self._fp_callback = callback
        self._fp_state = _ARMED

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__del__")
        if own is not None and not getattr(own, "_fp_guard", False):
            cls.__del__ = _guard(own)

    def __del__(self):
        _finalise(self)

    def finalised(self):
        """True once the callback has run (or an explicit __del__ did)."""
        return getattr(self, "_fp_state", None) == _DONE


class Queue:
    """A bounded FIFO of ints: put() stores or counts an overflow, get() takes the oldest."""

    def __init__(self, size):
        size = int(size)
        if size < 1:
            raise ValueError("size must be at least 1")
        self._size = size
        self._items = collections.deque()
        self._overflow = 0

    @property
    def size(self):
        return self._size

    @property
    def overflow(self):
        """How many put() calls found the queue full."""
        return self._overflow

    def put(self, value):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError("Queue holds small ints")
        if len(self._items) >= self._size:
            self._overflow += 1
            return False
        self._items.append(value)
        return True

    def get(self):
        try:
            return self._items.popleft()
        except IndexError:
            raise IndexError("Queue is empty") from None

    def __len__(self):
        return len(self._items)

    def __bool__(self):
        return bool(self._items)

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self._items.popleft()
        except IndexError:
            raise StopIteration from None
