"""The tools the model may call: found in this folder, described by the SDK's `beta_tool` (schemas
from type hints and docstrings), and called with arguments that `beta_tool` has validated.

Failures are data: an unknown tool, arguments that do not validate, a tool's own error and an
unexpected exception each come back as an is_error result; the unexpected ones are logged.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pydantic
from anthropic import beta_tool
from anthropic.lib.tools import BetaFunctionTool

import agents.tools
from agents.tools import ToolContext, ToolResult

log = logging.getLogger("agentops.tools")


@dataclass(frozen=True)
class Tool:
    function: Callable[..., ToolResult]
    described: BetaFunctionTool  # the model's view: no ctx parameter

    @property
    def name(self) -> str:
        return self.function.__name__

    def run(self, ctx: ToolContext, arguments: object) -> ToolResult:
        """Validate `arguments` against the schema the model was given, then run the tool.
        Raises ValueError (from pydantic) or TypeError when the arguments do not fit."""
        # `described` wraps a function that hands back its arguments, validated by pydantic
        args, kwargs = cast(tuple[tuple, dict], self.described.call(arguments))
        return self.function(ctx, *args, **kwargs)


def describe(fn: Callable[..., ToolResult]) -> Tool:
    """A tool from a function taking a ToolContext first (how the folder's tools are made, and how a
    caller offers one more, e.g. a test's slow tool)."""
    return Tool(fn, _as_the_model_sees_it(fn))


def _as_the_model_sees_it(fn: Callable[..., ToolResult]) -> BetaFunctionTool:
    """`fn` without its ctx parameter; calling it returns the validated arguments."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def arguments(*args: Any, **kwargs: Any) -> tuple[tuple, dict]:
        return args, kwargs

    arguments.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for name, p in signature.parameters.items() if name != "ctx"])
    arguments.__annotations__ = {k: v for k, v in fn.__annotations__.items() if k != "ctx"}
    return beta_tool(arguments)


@functools.cache
def tools() -> dict[str, Tool]:
    """Every `@investigation_tool` in agents/tools/, in a stable order (module, then line): the tool
    list is part of the cacheable prefix of every request."""
    found: list[tuple[str, int, Callable[..., ToolResult]]] = []
    for module_info in pkgutil.iter_modules(agents.tools.__path__):
        module = importlib.import_module(f"agents.tools.{module_info.name}")
        for value in vars(module).values():
            if callable(value) and f"{module.__name__}.{getattr(value, '__name__', '')}" in agents.tools.MARKED:
                found.append((module.__name__, value.__code__.co_firstlineno, value))
    return {fn.__name__: describe(fn) for _, _, fn in sorted(found, key=lambda f: f[:2])}


@functools.cache
def schemas() -> tuple[dict, ...]:
    return tuple(schema(tool) for tool in tools().values())


def schema(tool: Tool) -> dict:
    """The tool as the model sees it: docstring line breaks joined into sentences, and no pydantic
    'title' keys (tokens in every request's prefix that tell the model nothing)."""
    def tidy(node: object) -> object:
        if isinstance(node, dict):
            return {k: (" ".join(v.split()) if k == "description" and isinstance(v, str) else tidy(v))
                    for k, v in node.items() if not (k == "title" and isinstance(v, str))}
        if isinstance(node, list):
            return [tidy(v) for v in node]
        return node
    return cast(dict, tidy(dict(tool.described.to_dict())))


def call(ctx: ToolContext, name: str, arguments: object, available: dict[str, Tool] | None = None) -> tuple[str, bool]:
    """(content for the tool_result, is_error), from the folder's tools or those `available`."""
    offered = tools() if available is None else available
    tool = offered.get(name)
    if tool is None:
        return f"unknown tool {name!r}; available: {', '.join(offered)}", True
    try:
        result = tool.run(ctx, arguments)
    except (ValueError, TypeError) as error:  # arguments the model got wrong
        return f"bad arguments for {name}: {_why(error)}", True
    except Exception as error:
        log.exception("tool %s failed", name)
        return f"{name} failed: {type(error).__name__}: {error}", True
    return result.summary, result.status == "error"


def _why(error: Exception) -> str:
    cause = error.__cause__
    if isinstance(cause, pydantic.ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in cause.errors())
    return str(error)
