// Loaded in <head> without defer so the first paint already has the right theme.
// The server renders data-theme="light|dark|system" and class="dark" for "dark";
// only "system" needs the browser's opinion. External file: the CSP allows no inline script.
const root = document.documentElement;
if (root.dataset.theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches) {
  root.classList.add("dark");
}
