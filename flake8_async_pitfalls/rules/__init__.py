"""Every rule, in catalogue order. Adding a rule = a module here and one entry in ALL_RULES."""

from __future__ import annotations

from collections.abc import Mapping

from .base import Rule
from .blocking import BlockingConfiguredCall
from .blocking import BlockingSleep
from .blocking import BlockingHttp
from .blocking import BlockingSubprocess
from .blocking import BlockingFileIO
from .blocking import BlockingNetwork
from .blocking import BlockingWait
from .blocking import BlockingInput
from .blocking import BlockingDatabase
from .blocking import CpuHeavyCall
from .busy_wait import BusyWait
from .coroutine_values import CoroutineInBooleanContext
from .coroutine_values import CoroutineNeverAwaited
from .cpu import CpuHeavyLoop
from .sync_async import AwaitOutsideAsync
from .sync_async import AsyncioRunInRunningLoop
from .sync_async import SyncUseOfAsyncConstruct
from .sync_async import GetEventLoopInCoroutine
from .tasks import DanglingTask
from .tasks import GatherWithList
from .transitive import TransitiveBlocking
from .unawaited import UnawaitedCoroutine

ALL_RULES: tuple[Rule, ...] = (
    UnawaitedCoroutine(),
    CoroutineInBooleanContext(),
    CoroutineNeverAwaited(),
    DanglingTask(),
    GatherWithList(),
    BlockingConfiguredCall(),
    BlockingSleep(),
    BlockingHttp(),
    BlockingSubprocess(),
    BlockingFileIO(),
    BlockingNetwork(),
    BlockingWait(),
    BlockingInput(),
    BlockingDatabase(),
    TransitiveBlocking(),
    CpuHeavyLoop(),
    BusyWait(),
    CpuHeavyCall(),
    AwaitOutsideAsync(),
    AsyncioRunInRunningLoop(),
    SyncUseOfAsyncConstruct(),
    GetEventLoopInCoroutine(),
)

RULES_BY_CODE: Mapping[str, Rule] = {rule.code: rule for rule in ALL_RULES}
