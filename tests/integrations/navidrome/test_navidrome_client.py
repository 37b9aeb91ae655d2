"""The Navidrome client against real Subsonic servers: supysonic and the simulator.

Each test runs against both peers; where supysonic lacks a Navidrome behaviour
(see specs/subsonic-notes.md) the test says so and checks what supysonic does.
"""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from PIL import Image

from tastemaker.errors import ServiceAuthFailed, ServiceNotFound, ServiceRejected
from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tastemaker.simulators.catalogue import owned_artists
from tastemaker.simulators.sample_library import WrittenLibrary
from tests.servers.navidrome import SubsonicServer

OWNED = owned_artists()


async def test_ping_names_the_server_and_learns_its_auth_style(
    navidrome: NavidromeClient, peer: str
) -> None:
    info = await navidrome.ping()

    assert info.status == "ok"
    if peer == "simulator":
        assert (info.type, info.open_subsonic, navidrome.auth_style) == ("navidrome", True, "token")
    else:  # supysonic is a classic 1.12 server that only takes passwords
        assert (info.version, info.type, navidrome.auth_style) == ("1.12.0", None, "password")


async def test_extensions_are_listed_by_opensubsonic_servers_only(
    navidrome: NavidromeClient, peer: str
) -> None:
    names = {extension.name for extension in await navidrome.extensions()}

    assert ("formPost" in names) is (peer == "simulator")


async def test_the_artist_index_lists_every_sample_artist(navidrome: NavidromeClient) -> None:
    index = await navidrome.artists()

    assert {artist.name for artist in index.artists} == {artist.name for artist in OWNED}
    assert all(entry.name for entry in index.index)


async def test_an_artist_page_lists_its_albums_and_an_album_its_tracks_in_order(
    navidrome: NavidromeClient,
) -> None:
    expected = OWNED[0]
    index = await navidrome.artists()
    found = next(a for a in index.artists if a.name == expected.name)

    artist = await navidrome.artist(found.id)
    assert {album.name for album in artist.album} == {album.title for album in expected.albums}

    first = expected.albums[0]
    album = await navidrome.album(next(a.id for a in artist.album if a.name == first.title))
    assert [song.title for song in album.song] == [track.title for track in first.tracks]
    assert [song.track for song in album.song] == list(range(1, len(first.tracks) + 1))
    assert album.song_count == len(first.tracks)
    assert album.year == first.year
    assert album.genre == first.genre
    assert all(song.duration == 3 for song in album.song)  # the test clips are 3 s long

    song = await navidrome.song(album.song[0].id)
    assert (song.title, song.album_id) == (first.tracks[0].title, album.id)


async def test_an_unknown_album_is_not_found(navidrome: NavidromeClient) -> None:
    with pytest.raises(ServiceNotFound, match="Navidrome"):
        await navidrome.album(str(uuid.uuid4()))


async def test_search_finds_artists_albums_and_songs(navidrome: NavidromeClient) -> None:
    artist = OWNED[1]
    result = await navidrome.search(artist.name.split()[-1])

    assert artist.name in {found.name for found in result.artist}

    album = artist.albums[0]
    result = await navidrome.search(album.title, artist_count=0, song_count=0)
    assert album.title in {found.name for found in result.album}


async def test_search_pages_through_all_songs_without_overlap(navidrome: NavidromeClient) -> None:
    first = await navidrome.search("", artist_count=0, album_count=0, song_count=7)
    second = await navidrome.search("", artist_count=0, album_count=0, song_count=7, song_offset=7)

    assert len(first.song) == len(second.song) == 7
    assert not {s.id for s in first.song} & {s.id for s in second.song}


async def test_album_lists_page_alphabetically(navidrome: NavidromeClient) -> None:
    page_one = await navidrome.album_list("alphabeticalByName", size=5)
    page_two = await navidrome.album_list("alphabeticalByName", size=5, offset=5)
    albums = page_one.album + page_two.album
    names = [album.name for album in albums]

    assert len({album.id for album in albums}) == 10  # two pages, no album twice
    assert names == sorted(names, key=str.casefold)


async def test_album_lists_by_genre_year_newest_and_random(navidrome: NavidromeClient) -> None:
    by_genre = await navidrome.album_list("byGenre", genre="Jazz", size=50)
    assert by_genre.album
    assert all(album.genre == "Jazz" for album in by_genre.album)

    by_year = await navidrome.album_list("byYear", from_year=1990, to_year=1999, size=50)
    assert by_year.album
    assert all(1990 <= (album.year or 0) <= 1999 for album in by_year.album)

    assert len((await navidrome.album_list("newest", size=4)).album) == 4
    assert len((await navidrome.album_list("random", size=3)).album) == 3


async def test_highest_rated_albums_come_first_where_supported(
    navidrome: NavidromeClient, peer: str
) -> None:
    if peer == "supysonic":  # the notes: supysonic has no "highest" list type
        with pytest.raises(ServiceRejected, match="Unknown search type"):
            await navidrome.album_list("highest")
        return
    albums = (await navidrome.album_list("alphabeticalByName", size=2)).album
    await navidrome.set_rating(albums[0].id, 2)
    await navidrome.set_rating(albums[1].id, 5)

    highest = await navidrome.album_list("highest", size=2)

    assert [album.id for album in highest.album] == [albums[1].id, albums[0].id]


async def test_starring_and_unstarring_shows_in_starred(navidrome: NavidromeClient) -> None:
    album = (await navidrome.album_list("alphabeticalByArtist", size=1, offset=3)).album[0]
    song = (await navidrome.album(album.id)).song[0]

    await navidrome.star(song_ids=[song.id], album_ids=[album.id])
    starred = await navidrome.starred()
    assert song.id in {s.id for s in starred.song}
    assert album.id in {a.id for a in starred.album}
    assert (await navidrome.song(song.id)).starred is not None

    await navidrome.unstar(song_ids=[song.id], album_ids=[album.id])
    starred = await navidrome.starred()
    assert song.id not in {s.id for s in starred.song}
    assert album.id not in {a.id for a in starred.album}


async def test_rating_a_song_and_clearing_it(navidrome: NavidromeClient) -> None:
    album = (await navidrome.album_list("alphabeticalByName", size=1, offset=6)).album[0]
    song = (await navidrome.album(album.id)).song[-1]

    await navidrome.set_rating(song.id, 4)
    assert (await navidrome.song(song.id)).user_rating == 4

    await navidrome.set_rating(song.id, 0)
    assert (await navidrome.song(song.id)).user_rating is None


async def test_stars_belong_to_each_user(
    http: httpx.AsyncClient, navidrome: NavidromeClient, second_user: SubsonicServer
) -> None:
    album = (await navidrome.album_list("alphabeticalByName", size=1, offset=9)).album[0]
    song = (await navidrome.album(album.id)).song[0]
    other = NavidromeCredentials(second_user.user, second_user.password)

    await navidrome.star(song_ids=[song.id])
    try:
        assert song.id not in {s.id for s in (await navidrome.starred(credentials=other)).song}
        assert song.id in {s.id for s in (await navidrome.starred()).song}
    finally:
        await navidrome.unstar(song_ids=[song.id])


async def test_scrobbling_counts_a_play_where_the_server_counts_scrobbles(
    navidrome: NavidromeClient, peer: str
) -> None:
    album = (await navidrome.album_list("alphabeticalByName", size=1, offset=12)).album[0]
    song = (await navidrome.album(album.id)).song[0]
    before = (await navidrome.song(song.id)).play_count or 0

    await navidrome.scrobble(song.id, submission=False)  # "now playing"
    await navidrome.scrobble(song.id)

    after = await navidrome.song(song.id)
    if peer == "supysonic":  # counts plays on stream, not scrobble, and has no playCount
        assert after.play_count is None
        return
    assert after.play_count == before + 1
    recent = await navidrome.album_list("recent", size=1)
    assert recent.album[0].id == album.id


async def _first_song_file(
    navidrome: NavidromeClient, library: WrittenLibrary
) -> tuple[str, bytes]:
    album = (await navidrome.album_list("alphabeticalByName", size=1)).album[0]
    song = (await navidrome.album(album.id)).song[0]
    assert song.path is not None
    return song.id, (library.root / song.path).read_bytes()


async def test_streaming_a_song_gives_the_whole_file(
    navidrome: NavidromeClient, sample_library_dir: WrittenLibrary
) -> None:
    song_id, original = await _first_song_file(navidrome, sample_library_dir)

    async with navidrome.stream(song_id) as media:
        body = b"".join([chunk async for chunk in media])

    assert media.status_code == 200
    assert media.content_type is not None
    assert media.content_type.startswith("audio/ogg")
    assert body == original


async def test_a_range_request_gives_206_and_exactly_those_bytes(
    navidrome: NavidromeClient, sample_library_dir: WrittenLibrary
) -> None:
    song_id, original = await _first_song_file(navidrome, sample_library_dir)

    async with navidrome.stream(song_id, request_headers={"Range": "bytes=100-199"}) as media:
        body = await media.read()

    assert media.status_code == 206
    assert media.content_range == f"bytes 100-199/{len(original)}"
    assert media.content_length == 100
    assert body == original[100:200]


async def test_cover_art_is_an_image_and_can_be_resized(navidrome: NavidromeClient) -> None:
    album = (await navidrome.album_list("alphabeticalByName", size=1)).album[0]
    assert album.cover_art is not None

    async with navidrome.cover_art(album.cover_art) as full:
        full_image = Image.open(io.BytesIO(await full.read()))
    async with navidrome.cover_art(album.cover_art, size=100) as small:
        small_image = Image.open(io.BytesIO(await small.read()))

    assert full.content_type == "image/jpeg"
    assert full_image.size == (500, 500)
    assert max(small_image.size) <= 100


async def test_wrong_password_is_a_clear_auth_error_without_the_password(
    http: httpx.AsyncClient, server: SubsonicServer
) -> None:
    wrong = NavidromeClient(http, server.url, NavidromeCredentials(server.user, "not-the-pw-123"))

    with pytest.raises(ServiceAuthFailed) as caught:
        await wrong.ping()

    assert "Navidrome rejected the user name or password" in caught.value.detail
    assert "not-the-pw-123" not in str(caught.value.detail) + repr(caught.value.extra)


async def test_users_see_their_own_account(
    navidrome: NavidromeClient, server: SubsonicServer
) -> None:
    user = await navidrome.user(server.user)

    assert (user.username, user.admin_role, user.stream_role) == (server.user, True, True)


async def test_genres_count_songs_and_albums(navidrome: NavidromeClient) -> None:
    genres = {genre.name: genre for genre in await navidrome.genres()}
    jazz_albums = [album for artist in OWNED for album in artist.albums if album.genre == "Jazz"]

    assert genres["Jazz"].album_count == len(jazz_albums)
    assert genres["Jazz"].song_count == sum(len(album.tracks) for album in jazz_albums)


async def test_playlists_can_be_created_changed_and_deleted(navidrome: NavidromeClient) -> None:
    album = (await navidrome.album_list("alphabeticalByName", size=1, offset=2)).album[0]
    songs = (await navidrome.album(album.id)).song

    await navidrome.create_playlist("Road trip", [songs[0].id])
    created = next(p for p in (await navidrome.playlists()).playlist if p.name == "Road trip")
    await navidrome.update_playlist(created.id, add_song_ids=[songs[1].id])

    playlist = await navidrome.playlist(created.id)
    assert [song.id for song in playlist.entry] == [songs[0].id, songs[1].id]

    await navidrome.delete_playlist(created.id)
    assert "Road trip" not in {p.name for p in (await navidrome.playlists()).playlist}
