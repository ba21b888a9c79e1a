"""One way to connect to Temporal, shared by the API, the worker and the CLI."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from core.settings import Settings

DATA_CONVERTER = pydantic_data_converter


async def connect(settings: Settings, *, lazy: bool = False) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=DATA_CONVERTER,
        lazy=lazy,
    )


def rpc_timeout(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.temporal_rpc_timeout_seconds)
