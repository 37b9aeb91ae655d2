// Builds Tastemaker's front-end assets into src/tastemaker/static/dist/:
//   app-[hash].css    Tailwind v4 + basecoat-css, scanned from the Jinja templates
//   app-[hash].js     htmx 2, Alpine.js (CSP build), basecoat's component scripts, app glue
//   theme-[hash].js   the tiny blocking script that applies the OS theme for "system"
//   icons-[hash].svg  a sprite of only the lucide icons the templates and Python use
//   manifest.json     logical name -> hashed file name, read by tastemaker.assets
// Each text file also gets .br and .gz siblings so the server can send them as they are.
//
//   node build.mjs          one-shot, minified, compressed
//   node build.mjs --watch  rebuild on changes (unminified, no compression)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgRoot = path.resolve(here, "../src/tastemaker");
const outDir = path.join(pkgRoot, "static/dist");
const srcDir = path.join(here, "src");
const lucideDir = path.join(here, "node_modules/lucide-static/icons");
const swaggerDir = path.join(here, "node_modules/swagger-ui-dist");
const watch = process.argv.includes("--watch");
const minify = !watch;

// icon("name" / icon('name' in templates and Python, and icon="name" / icon_name="name"
// keyword arguments to macros. Names built at run time go in frontend/icons.txt.
const ICON_CALL = /\bicon\(\s*["']([a-z0-9-]+)["']/g;
const ICON_KWARG = /\bicon(?:_name)?\s*=\s*["']([a-z0-9-]+)["']/g;

function walk(dir, accept, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (["node_modules", "dist", "__pycache__"].includes(entry.name)) continue;
      walk(full, accept, out);
    } else if (accept(full)) {
      out.push(full);
    }
  }
  return out;
}

function usedIcons() {
  const files = walk(pkgRoot, (f) => f.endsWith(".html") || f.endsWith(".py"));
  const names = new Map(); // name -> first file that uses it
  const extra = path.join(here, "icons.txt"); // icons named only at run time
  if (fs.existsSync(extra)) {
    for (const line of fs.readFileSync(extra, "utf8").split("\n")) {
      const name = line.replace(/#.*/, "").trim();
      if (name) names.set(name, "frontend/icons.txt");
    }
  }
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const re of [ICON_CALL, ICON_KWARG]) {
      for (const m of text.matchAll(re)) {
        if (!names.has(m[1])) names.set(m[1], path.relative(path.dirname(here), file));
      }
    }
  }
  return names;
}

function buildSprite() {
  const names = usedIcons();
  const missing = [...names].filter(([name]) => !fs.existsSync(path.join(lucideDir, `${name}.svg`)));
  if (missing.length) {
    const list = missing.map(([n, f]) => `  "${n}" (used in ${f})`).join("\n");
    throw new Error(`Unknown lucide icon(s):\n${list}\nSee https://lucide.dev/icons for names.`);
  }
  const symbols = [...names.keys()].sort().map((name) => {
    const svg = fs.readFileSync(path.join(lucideDir, `${name}.svg`), "utf8");
    const inner = svg
      .slice(svg.indexOf(">", svg.indexOf("<svg")) + 1, svg.lastIndexOf("</svg>"))
      .replace(/\s*\n\s*/g, "")
      .replace(/\s*\/>/g, "/>");
    return `<symbol id="${name}" viewBox="0 0 24 24">${inner}</symbol>`;
  });
  // Stroke attributes live on the root so every <use> inherits lucide's look.
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" fill="none" stroke="currentColor" stroke-width="2" ' +
    'stroke-linecap="round" stroke-linejoin="round">' +
    symbols.join("") +
    "</svg>\n"
  );
}

function buildCss() {
  const tmp = path.join(here, ".build");
  fs.mkdirSync(tmp, { recursive: true });
  const out = path.join(tmp, "app.css");
  const bin = path.join(here, "node_modules/.bin/tailwindcss");
  const args = ["-i", path.join(srcDir, "app.css"), "-o", out];
  if (minify) args.push("--minify");
  const run = spawnSync(bin, args, { cwd: here, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`tailwindcss failed:\n${run.stderr}`);
  return fs.readFileSync(out, "utf8");
}

async function buildJs(entry) {
  const result = await esbuild.build({
    entryPoints: [path.join(srcDir, entry)],
    bundle: true,
    format: "iife",
    target: ["es2020"],
    minify,
    legalComments: "none",
    write: false,
    logLevel: "warning",
  });
  return result.outputFiles[0].text;
}

const hashed = (logical, content) => {
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 10);
  const ext = path.extname(logical);
  return `${path.basename(logical, ext)}-${hash}${ext}`;
};

async function build() {
  const started = Date.now();
  const outputs = {
    "app.css": buildCss(),
    "app.js": await buildJs("app.js"),
    "theme.js": await buildJs("theme.js"),
    "icons.svg": buildSprite(),
    "favicon.svg": fs.readFileSync(path.join(srcDir, "favicon.svg"), "utf8"),
    // The API docs page (/api/docs) is served from here too, never from a CDN.
    "swagger-ui.css": fs.readFileSync(path.join(swaggerDir, "swagger-ui.css"), "utf8"),
    "swagger-ui-bundle.js": fs.readFileSync(path.join(swaggerDir, "swagger-ui-bundle.js"), "utf8"),
  };
  fs.mkdirSync(outDir, { recursive: true });
  const manifest = {};
  const keep = new Set(["manifest.json"]);
  const sizes = [];
  for (const [logical, content] of Object.entries(outputs)) {
    const name = hashed(logical, content);
    manifest[logical] = name;
    const file = path.join(outDir, name);
    const raw = Buffer.from(content);
    fs.writeFileSync(file, raw);
    keep.add(name);
    let br = 0;
    let gz = 0;
    if (!watch) {
      const brotli = zlib.brotliCompressSync(raw, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        },
      });
      const gzip = zlib.gzipSync(raw, { level: 9 });
      fs.writeFileSync(`${file}.br`, brotli);
      fs.writeFileSync(`${file}.gz`, gzip);
      keep.add(`${name}.br`).add(`${name}.gz`);
      br = brotli.length;
      gz = gzip.length;
    }
    sizes.push({ name, raw: raw.length, gz, br });
  }
  // Written last: the Makefile treats manifest.json as "the build finished".
  fs.writeFileSync(path.join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const f of fs.readdirSync(outDir)) if (!keep.has(f)) fs.rmSync(path.join(outDir, f));

  const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
  for (const s of sizes) {
    const compressed = watch ? "" : `  gzip ${kb(s.gz)}  brotli ${kb(s.br)}`;
    console.log(`  ${s.name.padEnd(28)} ${kb(s.raw)}${compressed}`);
  }
  console.log(`built ${path.relative(process.cwd(), outDir)} in ${Date.now() - started} ms`);
}

async function main() {
  await build();
  if (!watch) return;
  let timer = null;
  let running = Promise.resolve();
  const schedule = (file) => {
    if (!file || file.includes("static/dist") || file.includes("__pycache__")) return;
    if (!/\.(html|css|js|mjs|py|svg|txt)$/.test(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() => build().catch((err) => console.error(err.message)));
    }, 120);
  };
  fs.watch(srcDir, { recursive: true }, (_e, f) => schedule(f));
  fs.watch(pkgRoot, { recursive: true }, (_e, f) => schedule(f));
  fs.watch(path.join(here, "icons.txt"), () => schedule("icons.txt"));
  console.log("watching frontend/src and src/tastemaker for changes…");
}

main().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
