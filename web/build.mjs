// Bundles the widget into dist/: widget.js (one IIFE, socket.io-client inside),
// widget.css, and the demo clinic page (index.html + demo.css).
// Nothing here is fetched at run time: the bundle carries everything it needs.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [join(here, "src", "widget.ts")],
  outfile: join(dist, "widget.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020"],
  minify: true,
  sourcemap: "linked",
  legalComments: "eof",
  logLevel: "warning",
});
await build({
  entryPoints: [join(here, "src", "widget.css")],
  outfile: join(dist, "widget.css"),
  bundle: true,
  minify: true,
  target: ["chrome90", "firefox88", "safari14"],
  logLevel: "warning",
});
copyFileSync(join(here, "demo", "index.html"), join(dist, "index.html"));
copyFileSync(join(here, "demo", "demo.css"), join(dist, "demo.css"));
console.log("built web/dist: widget.js, widget.css, index.html, demo.css");
