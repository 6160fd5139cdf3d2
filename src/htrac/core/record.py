"""Record classes for what every read decodes — items, ops, claims — without `dataclasses`.

`dataclasses` imports `inspect` (and with it `ast`, `tokenize`, `dis`): about 10 ms before the
first class, then about 1 ms per slotted class. `show` decodes one item from the index and was
paying more for that machinery than for the rest of its work (issue 19). `record` builds the
same kind of class — slots, an `__init__` with defaults and default factories, `__repr__`,
`__eq__`, and for a frozen record `__hash__` and no assignment — from the class's annotations,
with one `exec` for the `__init__`. Type checkers see it as a dataclass (`dataclass_transform`).

Only what htrac's records use is here: positional or keyword fields, `field(default_factory=…)`,
`frozen`. Anything richer should stay a dataclass.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` costs every read command
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar, dataclass_transform

    T = TypeVar("T")
    C = TypeVar("C", bound=type)
else:
    def dataclass_transform(**_options):
        return lambda function: function


class _Factory:
    """A field's default made fresh for each record (`field(default_factory=list)`)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A default built anew for each record, as `dataclasses.field(default_factory=…)`."""
    return _Factory(default_factory)  # type: ignore[return-value]


def fields(cls: type) -> tuple[str, ...]:
    """The record's field names, in order."""
    names: tuple[str, ...] = cls.__record_fields__  # type: ignore[attr-defined]
    return names


@dataclass_transform(field_specifiers=(field,))
def record(*, frozen: bool = False) -> Callable[[C], C]:
    """Make the decorated class a slotted record of its annotated fields."""
    return lambda cls: _build(cls, frozen)


class FrozenRecordError(AttributeError):
    """Assignment to a field of a frozen record."""


def _build(cls: Any, frozen: bool) -> Any:
    names = tuple(name for name, kind in cls.__dict__.get("__annotations__", {}).items()
                  if not str(kind).startswith(("ClassVar", "typing.ClassVar")))
    namespace = {key: value for key, value in cls.__dict__.items()
                 if key not in names and key not in ("__dict__", "__weakref__")}
    defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
    namespace["__slots__"] = names
    namespace["__record_fields__"] = names
    namespace["__match_args__"] = names
    namespace["__init__"] = _init(cls.__qualname__, names, defaults, frozen)
    namespace["__repr__"] = _repr
    namespace["__eq__"] = _eq
    if frozen:
        namespace["__hash__"] = _hash
        namespace["__setattr__"] = namespace["__delattr__"] = _refuse
        namespace["__getstate__"], namespace["__setstate__"] = _getstate, _setstate
    else:
        namespace["__hash__"] = None  # mutable and compared by value, as a dataclass
    made = type(cls)(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


def _init(qualname: str, names: tuple[str, ...], defaults: dict[str, Any],
          frozen: bool) -> Callable[..., None]:
    """`__init__` written out as source: as fast to call as a dataclass's own."""
    scope: dict[str, Any] = {"_set": object.__setattr__}
    params, body = ["self"], []
    for name in names:
        if name not in defaults:
            params.append(name)
            value = name
        elif isinstance(defaults[name], _Factory):
            scope[f"_make_{name}"] = defaults[name].make
            params.append(f"{name}=_MISSING")
            value = f"_make_{name}() if {name} is _MISSING else {name}"
        else:
            scope[f"_default_{name}"] = defaults[name]
            params.append(f"{name}=_default_{name}")
            value = name
        body.append(f"_set(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    scope["_MISSING"] = _MISSING
    source = f"def __init__({', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])
    exec(source, scope)  # noqa: S102 - source built here from the class's own field names
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{qualname}.__init__"
    return init


_MISSING = object()


def _values(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in self.__record_fields__)


def _repr(self: Any) -> str:
    inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_fields__)
    return f"{type(self).__qualname__}({inner})"


def _eq(self: Any, other: object) -> object:  # a bool, or NotImplemented for another class
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _refuse(self: Any, name: str, *_value: Any) -> None:
    raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen record")


def _getstate(self: Any) -> tuple[Any, ...]:
    return _values(self)


def _setstate(self: Any, state: tuple[Any, ...]) -> None:
    for name, value in zip(self.__record_fields__, state, strict=True):
        object.__setattr__(self, name, value)
