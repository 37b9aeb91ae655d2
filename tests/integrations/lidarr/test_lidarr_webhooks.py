"""Failures in the download flow, as the queue, history and Lidarr's webhooks report them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tastemaker.errors import ServiceRejected
from tastemaker.integrations.lidarr import LidarrClient
from tastemaker.simulators.lidarr import LidarrSimConfig

from .conftest import Receiver, Sim, eventually, fast_config
from .test_lidarr_client import NEW_ARTIST, add_new_artist

ALBUM = NEW_ARTIST.albums[0]


async def _search(lidarr: LidarrClient, receiver: Receiver) -> int:
    await lidarr.add_webhook("Tastemaker", receiver.url)
    artist = await add_new_artist(lidarr, ALBUM)
    (album,) = await lidarr.albums(foreign_album_id=ALBUM.mbid)
    command = await lidarr.album_search([album.id])

    async def finished() -> bool:
        return (await lidarr.command_status(command.id)).finished

    await eventually(finished)
    return artist.id


@pytest.mark.parametrize("sim_config", [fast_config(fail_albums=frozenset({ALBUM.mbid}))])
async def test_a_failed_download_is_reported_without_import(
    lidarr: LidarrClient, sim: Sim, receiver: Receiver, sim_config: LidarrSimConfig
) -> None:
    await _search(lidarr, receiver)
    await eventually(lambda: _has(receiver, "DownloadFailure"))
    grab, failure = receiver.received
    # DownloadFailure carries no artist or album: it is matched on downloadId.
    assert failure["downloadId"] == grab["downloadId"]
    assert "artist" not in failure
    assert failure["releaseTitle"].startswith(NEW_ARTIST.name)
    history = await lidarr.history_since(a_minute_ago(), event_type="downloadFailed")
    assert history
    assert history[0].data["message"]
    assert (await lidarr.queue()).records == []
    assert sim.imported == []


@pytest.mark.parametrize("sim_config", [fast_config(no_release_albums=frozenset({ALBUM.mbid}))])
async def test_a_search_that_finds_no_release_grabs_nothing(
    lidarr: LidarrClient, sim: Sim, receiver: Receiver, sim_config: LidarrSimConfig
) -> None:
    await _search(lidarr, receiver)
    assert (await lidarr.queue()).records == []
    assert await lidarr.history_since(a_minute_ago(), event_type="grabbed") == []
    assert receiver.received == []


@pytest.mark.parametrize("sim_config", [fast_config(import_fail_albums=frozenset({ALBUM.mbid}))])
async def test_a_failed_import_stays_in_the_queue_with_its_reason(
    lidarr: LidarrClient, sim: Sim, receiver: Receiver, sim_config: LidarrSimConfig
) -> None:
    await _search(lidarr, receiver)
    await eventually(lambda: _has(receiver, "ImportFailure"))
    (row,) = (await lidarr.queue()).records
    assert (row.tracked_download_state, row.tracked_download_status) == ("importFailed", "warning")
    assert row.status_messages
    assert row.status_messages[0].messages
    incomplete = await lidarr.history_since(a_minute_ago(), event_type="albumImportIncomplete")
    assert [h.download_id for h in incomplete] == [row.download_id]
    assert sim.imported == []


async def test_a_registered_webhook_is_listed_and_can_be_tested(
    lidarr: LidarrClient, receiver: Receiver
) -> None:
    created = await lidarr.add_webhook(
        "Tastemaker", receiver.url, username="lidarr", password="s3cret", headers={"X-T": "1"}
    )
    assert created.id > 0
    assert created.on_grab
    assert created.on_release_import
    (listed,) = await lidarr.notifications()
    assert listed.field("url") == receiver.url
    assert listed.field("password") == "********"  # Lidarr never sends secrets back

    await lidarr.test_webhook("Tastemaker", receiver.url, username="lidarr", password="s3cret")
    (test,) = receiver.received
    assert test["eventType"] == "Test"
    assert test["artist"]["name"] == "Test Name"
    assert receiver.auth_headers[0] is not None
    assert receiver.auth_headers[0].startswith("Basic ")

    await lidarr.delete_notification(created.id)
    assert await lidarr.notifications() == []


async def test_testing_a_webhook_nobody_listens_to_is_refused(lidarr: LidarrClient) -> None:
    with pytest.raises(ServiceRejected, match="Unable to send test message"):
        await lidarr.test_webhook("Tastemaker", "http://127.0.0.1:9/hook")


async def _has(receiver: Receiver, event: str) -> bool:
    return event in receiver.events()


def a_minute_ago() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=1)
