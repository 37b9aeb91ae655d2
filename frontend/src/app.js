// Tastemaker's page behaviour: htmx navigation, Alpine (CSP build) for small client
// state, basecoat's component scripts, and the shell's glue. Nothing here may need
// eval or inline script: the Content-Security-Policy allows only this file.
import htmx from "htmx.org";
import Alpine from "@alpinejs/csp";
// basecoat's scripts are IIFEs that register on window.basecoat, so order matters.
import "basecoat-css/basecoat";
import "basecoat-css/dropdown-menu";
import "basecoat-css/sidebar";
import "basecoat-css/toast";
// The player and the library pages' buttons (play, star, rate) and keyboard shortcuts.
import { registerPlayer } from "./player.js";
import "./library.js";

window.htmx = htmx;

Object.assign(htmx.config, {
  // Inline <style>, eval and inline <script> would all be blocked by the CSP.
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  // No page snapshots in sessionStorage (they outlive sign-out and hold private data);
  // Back re-fetches the page over htmx, which keeps the #player alive.
  historyCacheSize: 0,
  refreshOnHistoryMiss: false,
  // Swap error responses too: a boosted link to a 404 shows the styled 404 page, and
  // a form answered with 422 shows its errors.
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[45]..", swap: true, error: true },
    { code: "...", swap: false },
  ],
});

// x-data="dismissible" x-show="open": an alert or notice the user can close.
Alpine.data("dismissible", () => ({
  open: true,
  close() {
    this.open = false;
  },
}));

registerPlayer(Alpine);

window.Alpine = Alpine;
Alpine.start();

const root = document.documentElement;
const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
darkQuery.addEventListener("change", (event) => {
  if (root.dataset.theme === "system") root.classList.toggle("dark", event.matches);
});

const sidebar = () => document.getElementById("app-sidebar");
const isMobile = () => window.innerWidth < 768;

function setSidebar(open) {
  const el = sidebar();
  if (!el || typeof el.toggle !== "function") return;
  if (open) el.open();
  else el.close();
  for (const button of document.querySelectorAll("[data-sidebar-toggle]")) {
    button.setAttribute("aria-expanded", String(open));
  }
  if (open && isMobile()) el.querySelector("nav a, nav button")?.focus();
}

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-sidebar-toggle]");
  if (toggle) setSidebar(sidebar()?.getAttribute("aria-hidden") !== "false");
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !isMobile()) return;
  const el = sidebar();
  if (el?.getAttribute("aria-hidden") === "false" && !event.target.closest(".dropdown-menu")) {
    setSidebar(false);
    document.querySelector("[data-sidebar-toggle]")?.focus();
  }
});

// After boosted navigation, move focus to the new page's content so keyboard and
// screen-reader users start there, as they would after a full page load.
document.body.addEventListener("htmx:pushedIntoHistory", () => {
  document.getElementById("main-content")?.focus({ preventScroll: true });
});

// Restored pages come with basecoat's "initialized" markers but none of its listeners.
document.body.addEventListener("htmx:historyRestore", () => {
  window.basecoat?.initAll({ force: true });
});
