"""The media loop's aioice patches: host addresses per session, ICE that reports at once."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("aiortc")

import aioice
import aioice.ice

from softphone.e2e import loop as media_loop


def test_ice_pacing_patch_only_for_the_version_it_copies():
    if aioice.__version__ == "0.13.0":
        assert aioice.ice.Connection.connect is media_loop._connect
    else:
        assert aioice.ice.Connection.connect is not media_loop._connect


def test_two_ice_agents_on_loopback_complete_well_within_one_pacing_tick():
    import asyncio

    async def pair() -> float:
        a = aioice.ice.Connection(ice_controlling=True, use_ipv6=False)
        b = aioice.ice.Connection(ice_controlling=False, use_ipv6=False)
        with media_loop.host_addresses(("127.0.0.1",)):
            await a.gather_candidates()
            await b.gather_candidates()
        for one, other in ((a, b), (b, a)):
            one.remote_username, one.remote_password = other.local_username, other.local_password
            for candidate in other.local_candidates:
                await one.add_remote_candidate(candidate)
            await one.add_remote_candidate(None)
        started = time.monotonic()
        await asyncio.gather(a.connect(), b.connect())
        took = time.monotonic() - started
        await a.close()
        await b.close()
        return took

    took = min(asyncio.run(pair()) for _ in range(3))
    assert took < media_loop.ICE_PACING_S, took  # aioice's own waits a tick (20 ms)
