// The audio player: one queue and one <audio> that live for the whole visit.
//
// The audio element is created here, outside the page, and the queue lives in an
// Alpine store: boosted navigation swaps the page around the preserved #player,
// and even if the player's markup were rebuilt nothing would stop or be forgotten.
// The queue, position and settings are saved in localStorage and restored (paused)
// after a reload. Page buttons talk to the player through [data-player] attributes
// (see library.js); nothing here needs eval, inline script or x-data literals.

const STORAGE_KEY = "tastemaker.player.v1";
const SCROBBLE_AFTER_SECONDS = 240; // ...or half the track, whichever comes first
const PRELOAD_AFTER_SECONDS = 5;
const SEEK_STEP = 10;

let keySeq = 0;
const nextKey = () => `q${Date.now().toString(36)}${(keySeq++).toString(36)}`;

export function basePath() {
  return document.getElementById("player")?.dataset.base || "";
}

export function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
  } catch {
    return "";
  }
}

export async function api(method, path, body) {
  const response = await fetch(basePath() + path, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "X-CSRF-Token": csrfToken(),
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try {
      detail = (await response.json()).detail || detail;
    } catch {}
    throw new Error(detail);
  }
  return response.status === 204 ? null : response.json();
}

export const streamUrl = (id) => `${basePath()}/api/library/songs/${encodeURIComponent(id)}/stream`;
export const coverUrl = (coverId, size = 300) =>
  coverId ? `${basePath()}/api/library/cover/${encodeURIComponent(coverId)}?size=${size}` : "";

export function formatTime(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const s = Math.floor(seconds);
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, "0")}`;
}

/** A track as the player keeps it, from a song of the JSON API or a [data-track] element. */
export function trackFromSong(song, album) {
  return {
    id: String(song.id),
    title: song.title,
    artist: song.artist || album?.artist || "",
    artistId: song.artist_id || "",
    album: song.album || album?.title || "",
    albumId: song.album_id || album?.id || "",
    cover: song.cover_art || album?.cover_art || "",
    duration: song.duration || 0,
  };
}

export function trackFromElement(el) {
  const d = el.dataset;
  return {
    id: d.id,
    title: d.title,
    artist: d.artist || "",
    artistId: d.artistId || "",
    album: d.album || "",
    albumId: d.albumId || "",
    cover: d.cover || "",
    duration: Number(d.duration) || 0,
  };
}

function shuffled(items) {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

class Player {
  constructor(Alpine) {
    this.state = Alpine.reactive({
      queue: [],
      index: -1,
      playing: false,
      loading: false,
      time: 0,
      duration: 0,
      volume: 1,
      muted: false,
      shuffle: false,
      repeat: "off", // off | all | one
      error: "",
    });
    this.audio = new Audio();
    this.audio.preload = "auto";
    this.audio.dataset.tastemakerPlayer = "main";
    this.preloader = new Audio();
    this.preloader.preload = "auto";
    this.preloader.muted = true;
    this.preloadedId = null;
    this.lastSaved = 0;
    this.resetListening();
    this.bindAudio();
    this.bindMediaSession();
    this.restore();
  }

  get current() {
    return this.state.queue[this.state.index] || null;
  }

  resetListening() {
    this.listened = 0;
    this.lastTime = null;
    this.scrobbled = false;
    this.announced = false;
  }

  // --- audio events -----------------------------------------------------------------

  bindAudio() {
    const a = this.audio;
    a.addEventListener("play", () => {
      this.state.playing = true;
      this.setPlaybackState();
    });
    a.addEventListener("pause", () => {
      this.state.playing = false;
      this.setPlaybackState();
      this.save(true);
    });
    a.addEventListener("waiting", () => (this.state.loading = true));
    a.addEventListener("playing", () => {
      this.state.loading = false;
      this.state.error = "";
      if (!this.announced && this.current) {
        this.announced = true;
        this.report(this.current.id, false);
      }
    });
    a.addEventListener("loadedmetadata", () => {
      if (Number.isFinite(a.duration)) this.state.duration = a.duration;
      if (this.pendingSeek != null) {
        a.currentTime = Math.min(this.pendingSeek, a.duration || this.pendingSeek);
        this.pendingSeek = null;
      }
    });
    a.addEventListener("timeupdate", () => this.onTime());
    a.addEventListener("ended", () => this.onEnded());
    a.addEventListener("volumechange", () => {
      this.state.volume = a.volume;
      this.state.muted = a.muted;
      this.save(true);
    });
    a.addEventListener("error", () => {
      if (!a.getAttribute("src")) return;
      this.state.loading = false;
      this.state.playing = false;
      this.state.error = "This song could not be played — Navidrome may be down.";
    });
  }

  onTime() {
    const a = this.audio;
    const t = a.currentTime;
    this.state.time = t;
    if (Number.isFinite(a.duration)) this.state.duration = a.duration;
    // Count only time actually heard: a jump (seek) is not listening.
    if (this.lastTime != null && !a.paused) {
      const delta = t - this.lastTime;
      if (delta > 0 && delta < 2) this.listened += delta;
    }
    this.lastTime = t;
    const track = this.current;
    if (track && !this.scrobbled) {
      const length = this.state.duration || track.duration || 0;
      const needed = Math.min(length > 0 ? length / 2 : SCROBBLE_AFTER_SECONDS, SCROBBLE_AFTER_SECONDS);
      if (this.listened >= needed && this.listened > 0) {
        this.scrobbled = true;
        this.report(track.id, true);
      }
    }
    if (t > PRELOAD_AFTER_SECONDS || (this.state.duration && t > this.state.duration / 2)) this.preloadNext();
    this.save(false);
    this.setPositionState();
  }

  onEnded() {
    if (this.state.repeat === "one") {
      this.audio.currentTime = 0;
      this.resetListening();
      this.audio.play().catch(() => {});
      return;
    }
    this.next(true);
  }

  report(songId, submission) {
    api("POST", `/api/library/songs/${encodeURIComponent(songId)}/scrobble`, {
      submission,
    }).catch(() => {}); // a missed scrobble must never stop the music
  }

  nextIndex(auto) {
    const { index, queue, repeat } = this.state;
    if (index + 1 < queue.length) return index + 1;
    if (repeat === "all" || (!auto && repeat === "one")) return queue.length ? 0 : -1;
    return -1;
  }

  preloadNext() {
    const i = this.nextIndex(true);
    const track = i >= 0 ? this.state.queue[i] : null;
    if (!track || track.id === this.preloadedId || i === this.state.index) return;
    this.preloadedId = track.id;
    this.preloader.src = streamUrl(track.id);
    this.preloader.load();
  }

  // --- transport ----------------------------------------------------------------------

  load(index, { autoplay = true, startAt = 0 } = {}) {
    const track = this.state.queue[index];
    if (!track) return;
    this.state.index = index;
    this.state.time = startAt;
    this.state.duration = track.duration || 0;
    this.state.error = "";
    this.resetListening();
    this.pendingSeek = startAt > 0 ? startAt : null;
    this.audio.src = streamUrl(track.id);
    if (autoplay) {
      this.state.loading = true;
      this.audio.play().catch(() => (this.state.loading = false));
    }
    this.setMetadata();
    this.save(true);
  }

  play() {
    if (!this.current) return;
    if (!this.audio.getAttribute("src")) return this.load(this.state.index);
    this.audio.play().catch(() => {});
  }

  pause() {
    this.audio.pause();
  }

  toggle() {
    if (this.audio.paused) this.play();
    else this.pause();
  }

  next(auto = false) {
    const i = this.nextIndex(auto);
    if (i < 0) {
      this.pause();
      if (auto) {
        this.audio.currentTime = 0;
        this.state.time = 0;
      }
      return;
    }
    this.load(i);
  }

  prev() {
    if (this.audio.currentTime > 3 || this.state.index <= 0) {
      this.seek(0);
      return;
    }
    this.load(this.state.index - 1);
  }

  seek(seconds) {
    const max = this.state.duration || this.audio.duration || 0;
    const t = Math.max(0, max ? Math.min(seconds, max - 0.25) : seconds);
    if (!this.audio.getAttribute("src") && this.current) {
      this.load(this.state.index, { autoplay: false, startAt: t });
      return;
    }
    this.audio.currentTime = t;
    this.state.time = t;
    this.lastTime = t;
  }

  seekBy(delta) {
    this.seek((this.audio.currentTime || 0) + delta);
  }

  setVolume(v) {
    this.audio.volume = Math.max(0, Math.min(1, v));
    if (this.audio.volume > 0) this.audio.muted = false;
  }

  toggleMute() {
    this.audio.muted = !this.audio.muted;
  }

  cycleRepeat() {
    const order = ["off", "all", "one"];
    this.state.repeat = order[(order.indexOf(this.state.repeat) + 1) % order.length];
    this.save(true);
  }

  toggleShuffle() {
    const s = this.state;
    s.shuffle = !s.shuffle;
    // Shuffle what is still to come; the playing song stays where it is.
    if (s.shuffle && s.index >= 0) {
      s.queue = [...s.queue.slice(0, s.index + 1), ...shuffled(s.queue.slice(s.index + 1))];
    }
    this.preloadedId = null;
    this.save(true);
  }

  // --- queue --------------------------------------------------------------------------

  withKeys(tracks) {
    return tracks.map((t) => ({ ...t, key: nextKey() }));
  }

  playList(tracks, start = 0, { shuffle = false } = {}) {
    if (!tracks.length) return;
    let list = this.withKeys(tracks);
    let first = Math.max(0, Math.min(start, list.length - 1));
    if (shuffle) {
      list = shuffled(list);
      first = 0;
    }
    this.state.shuffle = shuffle;
    this.state.queue = list;
    this.preloadedId = null;
    this.load(first);
  }

  add(tracks) {
    const wasEmpty = !this.state.queue.length;
    this.state.queue = [...this.state.queue, ...this.withKeys(tracks)];
    if (wasEmpty) this.load(0, { autoplay: false });
    this.save(true);
  }

  playNext(tracks) {
    if (!this.state.queue.length) return this.add(tracks);
    const at = this.state.index + 1;
    const q = this.state.queue.slice();
    q.splice(at, 0, ...this.withKeys(tracks));
    this.state.queue = q;
    this.preloadedId = null;
    this.save(true);
  }

  playAt(i) {
    if (i === this.state.index) return this.toggle();
    this.load(i);
  }

  remove(i) {
    const s = this.state;
    const q = s.queue.slice();
    q.splice(i, 1);
    s.queue = q;
    if (i < s.index) s.index -= 1;
    else if (i === s.index) {
      if (!q.length) return this.clear();
      const wasPlaying = !this.audio.paused;
      this.load(Math.min(i, q.length - 1), { autoplay: wasPlaying });
    }
    this.preloadedId = null;
    this.save(true);
  }

  move(from, to) {
    const s = this.state;
    if (to < 0 || to >= s.queue.length || from === to) return;
    const q = s.queue.slice();
    const [item] = q.splice(from, 1);
    q.splice(to, 0, item);
    const playingKey = s.queue[s.index]?.key;
    s.queue = q;
    s.index = q.findIndex((t) => t.key === playingKey);
    this.preloadedId = null;
    this.save(true);
  }

  clear() {
    this.audio.pause();
    this.audio.removeAttribute("src");
    this.audio.load();
    Object.assign(this.state, { queue: [], index: -1, time: 0, duration: 0, playing: false });
    this.setMetadata();
    this.save(true);
  }

  // --- persistence --------------------------------------------------------------------

  save(now) {
    const t = Date.now();
    if (!now && t - this.lastSaved < 4000) return;
    this.lastSaved = t;
    const s = this.state;
    try {
      localStorage.setItem(
        STORAGE_KEY,
        JSON.stringify({
          queue: s.queue.map(({ key, ...track }) => track),
          index: s.index,
          time: this.audio.currentTime || s.time || 0,
          volume: s.volume,
          muted: s.muted,
          shuffle: s.shuffle,
          repeat: s.repeat,
        }),
      );
    } catch {}
  }

  restore() {
    let saved;
    try {
      saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
    } catch {}
    if (!saved || !Array.isArray(saved.queue)) return;
    const s = this.state;
    s.queue = this.withKeys(saved.queue.filter((t) => t && t.id));
    s.shuffle = !!saved.shuffle;
    s.repeat = ["off", "all", "one"].includes(saved.repeat) ? saved.repeat : "off";
    this.audio.volume = Number.isFinite(saved.volume) ? saved.volume : 1;
    this.audio.muted = !!saved.muted;
    s.volume = this.audio.volume;
    s.muted = this.audio.muted;
    if (s.queue.length) {
      const index = Math.max(0, Math.min(saved.index | 0, s.queue.length - 1));
      this.load(index, { autoplay: false, startAt: Number(saved.time) || 0 });
    }
  }

  // --- Media Session: lock screen, notification and media keys -----------------------------

  bindMediaSession() {
    const ms = navigator.mediaSession;
    if (!ms) return;
    const handlers = {
      play: () => this.play(),
      pause: () => this.pause(),
      stop: () => this.pause(),
      previoustrack: () => this.prev(),
      nexttrack: () => this.next(),
      seekbackward: (d) => this.seekBy(-(d.seekOffset || SEEK_STEP)),
      seekforward: (d) => this.seekBy(d.seekOffset || SEEK_STEP),
      seekto: (d) => this.seek(d.seekTime),
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        ms.setActionHandler(action, handler);
      } catch {} // an action this browser does not know
    }
  }

  setMetadata() {
    const ms = navigator.mediaSession;
    if (!ms) return;
    const t = this.current;
    if (!t) {
      ms.metadata = null;
      return;
    }
    const artwork = t.cover
      ? [96, 256, 512].map((size) => ({ src: coverUrl(t.cover, size), sizes: `${size}x${size}` }))
      : [];
    ms.metadata = new MediaMetadata({ title: t.title, artist: t.artist, album: t.album, artwork });
  }

  setPlaybackState() {
    if (navigator.mediaSession) navigator.mediaSession.playbackState = this.state.playing ? "playing" : "paused";
  }

  setPositionState() {
    const ms = navigator.mediaSession;
    const d = this.audio.duration;
    if (!ms?.setPositionState || !Number.isFinite(d) || d <= 0) return;
    try {
      ms.setPositionState({ duration: d, position: Math.min(this.audio.currentTime, d), playbackRate: 1 });
    } catch {}
  }
}

// --- Alpine views of the player -----------------------------------------------------------

export function registerPlayer(Alpine) {
  const player = new Player(Alpine);
  window.tastemakerPlayer = player;

  Alpine.data("player", () => ({
    expanded: false,
    showQueue: false,
    get s() {
      return player.state;
    },
    get hasQueue() {
      return player.state.queue.length > 0;
    },
    get track() {
      return player.state.queue[player.state.index] || { title: "", artist: "", album: "" };
    },
    get title() {
      return this.track.title;
    },
    get artist() {
      return this.track.artist;
    },
    get albumHref() {
      return this.track.albumId ? `${basePath()}/library/albums/${encodeURIComponent(this.track.albumId)}` : "#";
    },
    get artistHref() {
      return this.track.artistId ? `${basePath()}/library/artists/${encodeURIComponent(this.track.artistId)}` : this.albumHref;
    },
    get coverSmall() {
      return coverUrl(this.track.cover, 96);
    },
    get coverLarge() {
      return coverUrl(this.track.cover, 600);
    },
    get hasCover() {
      return !!this.track.cover;
    },
    get playing() {
      return player.state.playing;
    },
    get paused() {
      return !player.state.playing;
    },
    get loading() {
      return player.state.loading;
    },
    get error() {
      return player.state.error;
    },
    get playLabel() {
      return player.state.playing ? "Pause" : "Play";
    },
    get timeText() {
      return formatTime(player.state.time);
    },
    get durationText() {
      return formatTime(player.state.duration);
    },
    get max() {
      return player.state.duration || 0;
    },
    get time() {
      return player.state.time;
    },
    get progressStyle() {
      const d = player.state.duration;
      return `width: ${d ? Math.min(100, (player.state.time / d) * 100) : 0}%`;
    },
    get volume() {
      return player.state.muted ? 0 : player.state.volume;
    },
    get muted() {
      return player.state.muted || player.state.volume === 0;
    },
    get muteLabel() {
      return this.muted ? "Unmute" : "Mute";
    },
    get shuffleOn() {
      return player.state.shuffle;
    },
    get repeatOn() {
      return player.state.repeat !== "off";
    },
    get repeatOne() {
      return player.state.repeat === "one";
    },
    get repeatLabel() {
      return { off: "Repeat: off", all: "Repeat: all", one: "Repeat: one" }[player.state.repeat];
    },
    get queue() {
      return player.state.queue;
    },
    get queueCount() {
      const n = player.state.queue.length;
      return `${n} song${n === 1 ? "" : "s"}`;
    },
    isCurrent(i) {
      return i === player.state.index;
    },
    toggle() {
      player.toggle();
    },
    next() {
      player.next();
    },
    prev() {
      player.prev();
    },
    seek(event) {
      player.seek(Number(event.target.value));
    },
    setVolume(event) {
      player.setVolume(Number(event.target.value));
    },
    toggleMute() {
      player.toggleMute();
    },
    toggleShuffle() {
      player.toggleShuffle();
    },
    cycleRepeat() {
      player.cycleRepeat();
    },
    playAt(i) {
      player.playAt(i);
    },
    remove(i) {
      player.remove(i);
    },
    moveUp(i) {
      player.move(i, i - 1);
    },
    moveDown(i) {
      player.move(i, i + 1);
    },
    clear() {
      player.clear();
      this.showQueue = false;
      this.setExpanded(false);
    },
    toggleQueue() {
      this.showQueue = !this.showQueue;
    },
    expand() {
      this.setExpanded(true);
    },
    collapse() {
      this.setExpanded(false);
    },
    // The full view must rise above the page (sidebar, header), and the page stop scrolling.
    setExpanded(open) {
      this.expanded = open;
      document.getElementById("player")?.toggleAttribute("data-expanded", open);
      document.documentElement.classList.toggle("overflow-hidden", open);
    },
    durationOf(item) {
      return formatTime(item.duration);
    },
    onKey(event) {
      if (event.key === "Escape") {
        this.setExpanded(false);
        this.showQueue = false;
      }
    },
  }));

  // "Continue listening" on the dashboard: where the player stopped.
  Alpine.data("continueListening", () => ({
    get has() {
      return player.state.queue.length > 0 && player.state.index >= 0;
    },
    get track() {
      return player.state.queue[player.state.index] || { title: "", artist: "" };
    },
    get title() {
      return this.track.title;
    },
    get artist() {
      return this.track.artist;
    },
    get cover() {
      return coverUrl(this.track.cover, 300);
    },
    get where() {
      return `${formatTime(player.state.time)} of ${formatTime(player.state.duration || this.track.duration)}`;
    },
    get label() {
      return player.state.playing ? "Pause" : "Resume";
    },
    get playing() {
      return player.state.playing;
    },
    resume() {
      player.toggle();
    },
  }));

  return player;
}
