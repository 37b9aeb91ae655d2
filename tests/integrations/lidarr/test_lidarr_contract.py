"""Contract: what the client sends and what the simulator answers obey lidarr-openapi.json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tastemaker.integrations.lidarr import LidarrClient

from .conftest import API_KEY, Receiver, Sim, eventually
from .contract import ContractChecker
from .test_lidarr_client import NEW_ARTIST

BASE = "http://127.0.0.1:8686"


async def test_every_client_call_and_answer_matches_the_spec(
    sim: Sim, receiver: Receiver, contract: ContractChecker
) -> None:
    checker = ContractChecker(contract.openapi)  # a fresh record for this test only
    async with httpx.AsyncClient(event_hooks=checker.hooks()) as http:
        lidarr = LidarrClient(sim.url, API_KEY, http=http)
        await lidarr.system_status()
        await lidarr.root_folders()
        await lidarr.quality_profiles()
        await lidarr.metadata_profiles()
        await lidarr.lookup_artists(NEW_ARTIST.name)
        await lidarr.lookup_album_by_mbid(NEW_ARTIST.albums[0].mbid)
        artist = await lidarr.add_artist(
            foreign_artist_id=NEW_ARTIST.mbid,
            artist_name=NEW_ARTIST.name,
            quality_profile_id=1,
            metadata_profile_id=1,
            root_folder_path="/music",
            albums_to_monitor=[NEW_ARTIST.albums[0].mbid],
        )
        await lidarr.artists()
        await lidarr.artists(mbid=NEW_ARTIST.mbid)
        await lidarr.artist(artist.id)
        albums = await lidarr.albums(artist_id=artist.id)
        await lidarr.albums(album_ids=[a.id for a in albums])
        await lidarr.set_albums_monitored([albums[0].id], True)
        await lidarr.refresh_artist(artist.id)
        await lidarr.artist_search(artist.id)
        command = await lidarr.album_search([albums[0].id])
        await lidarr.command_status(command.id)
        await lidarr.add_webhook("Tastemaker", receiver.url, username="u", password="p")
        await lidarr.notifications()
        await lidarr.test_webhook("Tastemaker", receiver.url)

        async def queued() -> object:
            return (await lidarr.queue(artist_ids=[artist.id])).records

        await eventually(queued)
        await lidarr.history_since(datetime.now(UTC) - timedelta(minutes=1), event_type="grabbed")
        await lidarr.history_since(datetime.now(UTC) - timedelta(minutes=1))
        (row,) = (await lidarr.queue()).records
        await lidarr.delete_queue_item(row.id, blocklist=True)

    assert checker.violations == []
    calls = {" ".join(call.split()[:2]) for call in checker.checked}
    # Real Lidarr status codes, which the document alone would have rejected.
    assert "POST /api/v1/artist 201" in checker.checked
    assert "PUT /api/v1/album/monitor 202" in checker.checked
    assert "POST /api/v1/command 201" in checker.checked
    assert len(calls) >= 18


async def test_simulator_routes_the_client_does_not_use_match_the_spec(
    sim: Sim, contract: ContractChecker
) -> None:
    checker = ContractChecker(contract.openapi)
    headers = {"X-Api-Key": API_KEY}
    async with httpx.AsyncClient(
        base_url=sim.url, headers=headers, event_hooks=checker.hooks()
    ) as http:
        await http.get("/ping")
        await http.get("/api/v1/command")
        await http.get("/api/v1/history", params={"page": 1, "pageSize": 5})
        await http.get("/api/v1/album/lookup", params={"term": "the"})
        await http.get("/api/v1/artist/lookup", params={"term": "a"})
        await http.get("/api/v1/queue")
    assert checker.violations == []
    assert len(checker.checked) == 6


def test_the_checker_rejects_what_lidarr_would_not_send(contract: ContractChecker) -> None:
    """The contract check can fail: extra fields, bad enums, missing key, bad dates."""
    checker = ContractChecker(contract.openapi)
    status = httpx.Request("GET", f"{BASE}/api/v1/system/status", headers={"X-Api-Key": "k"})
    checker.check(status, httpx.Response(200, json={"appName": "Lidarr", "bogus": 1}))
    checker.check(status, httpx.Response(201, json={"appName": "Lidarr"}))  # 201 on a GET
    keyless = httpx.Request("GET", f"{BASE}/api/v1/rootfolder")
    checker.check(keyless, httpx.Response(200, json=[]))
    command = httpx.Request(
        "POST", f"{BASE}/api/v1/command", headers={"X-Api-Key": "k"}, json={"name": "X", "foo": 1}
    )
    checker.check(command, httpx.Response(201, json={"id": 1, "status": "weird"}))
    since = httpx.Request(
        "GET", f"{BASE}/api/v1/history/since?date=yesterday", headers={"X-Api-Key": "k"}
    )
    checker.check(since, httpx.Response(200, json=[]))
    assert len(checker.violations) == 6
    assert any("bogus" in v for v in checker.violations)
    assert any("Security" in v for v in checker.violations)
    assert any("date-time" in v for v in checker.violations)
