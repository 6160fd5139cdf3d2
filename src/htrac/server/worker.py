"""Tracker work off the event loop: every service call (files, the index, git) runs on one
worker thread, one at a time, so a slow read never stalls the WebSocket and two requests never
use the tracker's index connection at once."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Worker:
    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="htrac-tracker")
        self._cpu = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="htrac-cpu")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def cpu(self, fn: Callable[..., T], *args: Any) -> T:
        """Work that needs no tracker (bcrypt): beside the tracker's thread, not behind it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._cpu, functools.partial(fn, *args))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._cpu.shutdown(wait=False, cancel_futures=True)
