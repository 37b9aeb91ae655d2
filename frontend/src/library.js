// Library pages' behaviour: play buttons ([data-player]), stars, ratings, and the
// keyboard (/ to search; space, arrows, n and p for the player). Event delegation on
// the document, so it works for pages htmx swaps in without any per-page script.
import { api, trackFromElement, trackFromSong } from "./player.js";

function toast(category, title) {
  const toaster = document.getElementById("toaster");
  if (!toaster) return;
  const el = document.createElement("div");
  el.className = "toast";
  el.setAttribute("role", category === "error" ? "alert" : "status");
  el.dataset.category = category;
  el.dataset.duration = category === "error" ? "8000" : "3000";
  const content = document.createElement("div");
  content.className = "toast-content";
  const section = document.createElement("section");
  const h = document.createElement("h2");
  h.textContent = title;
  section.append(h);
  content.append(section);
  el.append(content);
  toaster.append(el);
}

function tracksIn(container) {
  return container ? [...container.querySelectorAll("[data-track]")].map(trackFromElement) : [];
}

async function albumTracks(albumId) {
  const album = await api("GET", `/api/library/albums/${encodeURIComponent(albumId)}`);
  return album.songs.map((song) => trackFromSong(song, album));
}

async function playlistTracks(playlistId) {
  const playlist = await api("GET", `/api/library/playlists/${encodeURIComponent(playlistId)}`);
  return playlist.songs.map((song) => trackFromSong(song));
}

async function onPlayerAction(button) {
  const player = window.tastemakerPlayer;
  if (!player) return;
  const action = button.dataset.player;
  const row = button.closest("[data-track]");
  const scope = button.dataset.scope ? document.getElementById(button.dataset.scope) : null;
  try {
    switch (action) {
      case "play-album":
        player.playList(await albumTracks(button.dataset.albumId));
        break;
      case "play-playlist": {
        const tracks = await playlistTracks(button.dataset.playlistId);
        if (!tracks.length) {
          toast("info", "This playlist has no songs yet");
          break;
        }
        player.playList(tracks);
        break;
      }
      case "play":
        player.playList(tracksIn(scope));
        break;
      case "shuffle":
        player.playList(tracksIn(scope), 0, { shuffle: true });
        break;
      case "enqueue": {
        const tracks = tracksIn(scope);
        player.add(tracks);
        toast("success", `Added ${tracks.length} song${tracks.length === 1 ? "" : "s"} to the queue`);
        break;
      }
      case "play-track": {
        const list = row?.closest("[data-tracklist]");
        const rows = list ? [...list.querySelectorAll("[data-track]")] : [row];
        player.playList(rows.map(trackFromElement), rows.indexOf(row));
        break;
      }
      case "play-next":
        player.playNext([trackFromElement(row)]);
        toast("success", `“${row.dataset.title}” plays next`);
        break;
      case "add":
        player.add([trackFromElement(row)]);
        toast("success", `“${row.dataset.title}” added to the queue`);
        break;
    }
  } catch (error) {
    toast("error", `Could not play: ${error.message}`);
  }
}

async function onStar(button) {
  const starred = button.getAttribute("aria-pressed") === "true";
  const path = `/api/library/${button.dataset.star}/${encodeURIComponent(button.dataset.id)}/star`;
  button.setAttribute("aria-pressed", String(!starred));
  try {
    await api(starred ? "DELETE" : "PUT", path);
  } catch (error) {
    button.setAttribute("aria-pressed", String(starred));
    toast("error", error.message);
  }
}

async function onRate(button) {
  const group = button.closest(".rating");
  const previous = Number(group.dataset.rating) || 0;
  let value = Number(button.dataset.rate);
  if (value === previous) value = 0; // clicking the current rating clears it
  const paint = (rating) => {
    group.dataset.rating = String(rating);
    for (const star of group.querySelectorAll("[data-rate]")) {
      const v = Number(star.dataset.rate);
      star.toggleAttribute("data-filled", v <= rating);
      star.setAttribute("aria-pressed", String(v === rating));
    }
  };
  paint(value);
  try {
    await api("PUT", `/api/library/${group.dataset.kind}/${encodeURIComponent(group.dataset.id)}/rating`, {
      rating: value,
    });
  } catch (error) {
    paint(previous);
    toast("error", error.message);
  }
}

document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  const action = target.closest("[data-player]");
  if (action) {
    event.preventDefault();
    onPlayerAction(action);
    return;
  }
  const star = target.closest("[data-star]");
  if (star) return onStar(star);
  const rate = target.closest("[data-rate]");
  if (rate) return onRate(rate);
});

function typing(target) {
  return (
    target instanceof Element &&
    (target.closest("input, textarea, select, [contenteditable='true']") !== null)
  );
}

function visibleSearch() {
  return [...document.querySelectorAll("[data-global-search]")].find((el) => el.offsetParent !== null);
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (typing(event.target)) return;
  const player = window.tastemakerPlayer;
  const hasQueue = player && player.state.queue.length > 0;
  const onControl = event.target instanceof Element && event.target.closest("button, a, [role='menuitem']");
  switch (event.key) {
    case "/": {
      const box = visibleSearch();
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      } else {
        window.location.href = `${document.getElementById("player")?.dataset.base || ""}/search`;
      }
      return;
    }
    case " ":
      if (!hasQueue || onControl) return;
      event.preventDefault();
      player.toggle();
      return;
    case "ArrowRight":
      if (!hasQueue || event.target.closest?.("input[type=range]")) return;
      event.preventDefault();
      player.seekBy(event.shiftKey ? 30 : 10);
      return;
    case "ArrowLeft":
      if (!hasQueue) return;
      event.preventDefault();
      player.seekBy(event.shiftKey ? -30 : -10);
      return;
    case "ArrowUp":
    case "ArrowDown":
      // Volume only with Shift: plain up/down keep scrolling the page.
      if (!hasQueue || !event.shiftKey) return;
      event.preventDefault();
      player.setVolume(player.state.volume + (event.key === "ArrowUp" ? 0.1 : -0.1));
      return;
    case "n":
    case "N":
      if (hasQueue) player.next();
      return;
    case "p":
    case "P":
      if (hasQueue) player.prev();
      return;
    case "m":
    case "M":
      if (hasQueue) player.toggleMute();
      return;
  }
});

// On a phone the library's section tabs scroll sideways: bring the current one into view.
function revealCurrentTab() {
  for (const row of document.querySelectorAll("[data-scroll-to-current]")) {
    const current = row.querySelector('[aria-current="page"]');
    if (current) row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  }
}
revealCurrentTab();
document.addEventListener("htmx:afterSettle", revealCurrentTab);
