"""The Lidarr client against the simulated Lidarr over loopback HTTP, one behaviour each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tastemaker.errors import ServiceNotFound, ServiceRejected
from tastemaker.integrations.lidarr import Artist, LidarrClient
from tastemaker.simulators import catalogue

from .conftest import Receiver, Sim, eventually

# Not owned in the demo library, with at least two albums.
NEW_ARTIST = next(a for a in catalogue.catalogue()[20:] if len(a.albums) >= 2)


async def add_new_artist(
    lidarr: LidarrClient, *albums: catalogue.Album, **options: object
) -> Artist:
    return await lidarr.add_artist(
        foreign_artist_id=NEW_ARTIST.mbid,
        artist_name=NEW_ARTIST.name,
        quality_profile_id=1,
        metadata_profile_id=1,
        root_folder_path="/music",
        monitor="none",
        albums_to_monitor=[album.mbid for album in albums],
        **options,  # type: ignore[arg-type]
    )


async def test_system_status_names_lidarr_and_its_version(lidarr: LidarrClient) -> None:
    status = await lidarr.system_status()
    assert status.app_name == "Lidarr"
    assert status.version
    assert status.version.count(".") >= 2


async def test_setup_lists_come_from_lidarr(lidarr: LidarrClient) -> None:
    folders = await lidarr.root_folders()
    quality = await lidarr.quality_profiles()
    metadata = await lidarr.metadata_profiles()
    assert [f.path for f in folders] == ["/music"]
    assert folders[0].accessible
    assert {p.name for p in quality} >= {"Any", "Lossless"}
    assert {p.name for p in metadata} == {"Standard", "None"}


async def test_artist_lookup_by_name_and_by_mbid(lidarr: LidarrClient) -> None:
    by_name = await lidarr.lookup_artists(NEW_ARTIST.name)
    assert by_name[0].foreign_artist_id == NEW_ARTIST.mbid
    assert by_name[0].artist_name == NEW_ARTIST.name
    assert not by_name[0].in_library

    by_mbid = await lidarr.lookup_artist_by_mbid(NEW_ARTIST.mbid)
    assert by_mbid is not None
    assert by_mbid.artist_name == NEW_ARTIST.name
    assert await lidarr.lookup_artists("lidarr:not-a-guid") == []
    assert await lidarr.lookup_artist_by_mbid("00000000-0000-0000-0000-000000000000") is None


async def test_album_lookup_by_title_and_by_release_group_mbid(lidarr: LidarrClient) -> None:
    album = NEW_ARTIST.albums[0]
    by_title = await lidarr.lookup_albums(f"{album.title} {NEW_ARTIST.name}")
    assert album.mbid in [found.foreign_album_id for found in by_title]

    found = await lidarr.lookup_album_by_mbid(album.mbid)
    assert found is not None
    assert found.title == album.title
    assert found.artist is not None
    assert found.artist.foreign_artist_id == NEW_ARTIST.mbid
    assert found.releases
    assert found.releases[0].track_count == len(album.tracks)


async def test_adding_an_artist_for_one_album_monitors_only_that_album(
    lidarr: LidarrClient,
) -> None:
    wanted = NEW_ARTIST.albums[1]
    artist = await add_new_artist(lidarr, wanted)
    assert artist.in_library
    assert artist.path == f"/music/{NEW_ARTIST.name}"
    assert not artist.monitored  # addOptions.monitor "none" leaves the artist unmonitored

    assert [a.id for a in await lidarr.artists(mbid=NEW_ARTIST.mbid)] == [artist.id]
    assert (await lidarr.artist(artist.id)).artist_name == NEW_ARTIST.name
    albums = await lidarr.albums(artist_id=artist.id)
    assert {a.foreign_album_id for a in albums} == {a.mbid for a in NEW_ARTIST.albums}
    assert [a.foreign_album_id for a in albums if a.monitored] == [wanted.mbid]

    # A lookup of an artist already in Lidarr returns the library row.
    again = await lidarr.lookup_artist_by_mbid(NEW_ARTIST.mbid)
    assert again is not None
    assert again.id == artist.id


async def test_adding_the_same_artist_twice_is_refused_with_lidarrs_reason(
    lidarr: LidarrClient,
) -> None:
    await add_new_artist(lidarr)
    with pytest.raises(ServiceRejected, match="already been added") as caught:
        await add_new_artist(lidarr)
    assert caught.value.service == "lidarr"


async def test_an_unknown_artist_id_is_not_found(lidarr: LidarrClient) -> None:
    with pytest.raises(ServiceNotFound, match="Lidarr has no artist 999"):
        await lidarr.artist(999)


async def test_albums_can_be_monitored_and_unmonitored(lidarr: LidarrClient) -> None:
    artist = await add_new_artist(lidarr)
    albums = await lidarr.albums(artist_id=artist.id)
    ids = [a.id for a in albums]

    changed = await lidarr.set_albums_monitored(ids, True)
    assert sorted(a.id for a in changed) == sorted(ids)
    assert all(a.monitored for a in changed)
    assert all(a.monitored for a in await lidarr.albums(album_ids=ids))

    await lidarr.set_albums_monitored(ids[:1], False)
    first = await lidarr.albums(foreign_album_id=albums[0].foreign_album_id)
    assert [a.monitored for a in first] == [False]


@pytest.mark.parametrize("kind", ["refresh", "artist_search"])
async def test_artist_commands_run_to_completion(lidarr: LidarrClient, kind: str) -> None:
    artist = await add_new_artist(lidarr)
    start = lidarr.refresh_artist if kind == "refresh" else lidarr.artist_search
    command = await start(artist.id)
    assert command.status in ("queued", "started")

    async def finished() -> bool:
        return (await lidarr.command_status(command.id)).finished

    await eventually(finished)
    done = await lidarr.command_status(command.id)
    assert (done.status, done.result) == ("completed", "successful")


async def test_a_requested_album_goes_from_search_to_imported(
    lidarr: LidarrClient, sim: Sim, receiver: Receiver
) -> None:
    """The whole request flow a user sees: add, monitor, search, progress, imported."""
    since = datetime.now(UTC) - timedelta(seconds=1)
    await lidarr.add_webhook("Tastemaker", receiver.url)
    album = NEW_ARTIST.albums[0]
    artist = await add_new_artist(lidarr, album)
    (lib_album,) = await lidarr.albums(foreign_album_id=album.mbid)
    await lidarr.set_albums_monitored([lib_album.id], True)

    command = await lidarr.album_search([lib_album.id])
    assert command.name == "AlbumSearch"

    async def downloading() -> object:
        page = await lidarr.queue()
        rows = [r for r in page.records if r.album_id == lib_album.id]
        return rows and 0 < rows[0].progress < 100 and rows[0]

    row = await eventually(downloading)
    assert row.tracked_download_state == "downloading"
    assert row.artist is not None
    assert row.artist.id == artist.id
    assert row.album is not None
    assert row.album.foreign_album_id == album.mbid
    assert row.timeleft is not None
    assert row.download_id

    await eventually(lambda: _true(sim.imported))
    assert [a.mbid for a in sim.imported] == [album.mbid]
    assert (await lidarr.queue()).total_records == 0
    (done,) = await lidarr.albums(album_ids=[lib_album.id])
    assert done.has_all_tracks

    history = await lidarr.history_since(since)
    kinds = [h.event_type for h in history if h.download_id == row.download_id]
    assert kinds[0] == "grabbed"
    assert kinds[-1] == "downloadImported"
    assert kinds.count("trackFileImported") == len(album.tracks)
    only_imports = await lidarr.history_since(since, event_type="downloadImported")
    assert [h.album_id for h in only_imports] == [lib_album.id]

    await eventually(lambda: _true("Download" in receiver.events()))
    assert receiver.events() == ["Grab", "Download"]
    grab, download = receiver.received
    assert grab["downloadId"] == download["downloadId"] == row.download_id
    assert grab["albums"][0]["mbId"] == album.mbid
    assert download["album"]["mbId"] == album.mbid
    assert download["artist"]["mbId"] == NEW_ARTIST.mbid
    assert len(download["trackFiles"]) == len(album.tracks)


async def _true(value: object) -> bool:
    return bool(value)


async def test_adding_with_search_for_missing_albums_starts_downloads(
    lidarr: LidarrClient, sim: Sim
) -> None:
    album = NEW_ARTIST.albums[0]
    await add_new_artist(lidarr, album, search_for_missing_albums=True)
    await eventually(lambda: _true(sim.imported))
    assert [a.mbid for a in sim.imported] == [album.mbid]


async def test_a_queue_item_can_be_removed(lidarr: LidarrClient, sim: Sim) -> None:
    artist = await add_new_artist(lidarr)
    album_ids = [a.id for a in await lidarr.albums(artist_id=artist.id)]
    await lidarr.album_search(album_ids[:1])

    async def row() -> object:
        return (await lidarr.queue(artist_ids=[artist.id])).records

    (item,) = await eventually(row)
    await lidarr.delete_queue_item(item.id)
    assert (await lidarr.queue()).records == []
    with pytest.raises(ServiceNotFound):
        await lidarr.delete_queue_item(item.id)


async def test_the_queue_is_paged(lidarr: LidarrClient) -> None:
    artist = await add_new_artist(lidarr)
    album_ids = [a.id for a in await lidarr.albums(artist_id=artist.id)]
    await lidarr.album_search(album_ids)

    async def all_grabbed() -> bool:
        return (await lidarr.queue()).total_records == len(album_ids)

    await eventually(all_grabbed)
    first = await lidarr.queue(page=1, page_size=1)
    second = await lidarr.queue(page=2, page_size=1)
    assert (first.page, first.page_size, first.total_records) == (1, 1, len(album_ids))
    assert len(first.records) == len(second.records) == 1
    assert first.records[0].id != second.records[0].id
