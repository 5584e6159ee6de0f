// Builds the viewer's static files: `node viewer/build.mjs OUTDIR` writes
// exactly OUTDIR/index.html, OUTDIR/app.js and OUTDIR/app.css, which the
// C++ build embeds into the `waymark` binary. No other file is written: the
// few images Leaflet's stylesheet names are inlined as data: URLs (img-src
// allows data:), and no source maps are made.

import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node build.mjs OUTDIR');
  process.exit(2);
}
const out = path.resolve(outdir);
const OUTPUTS = ['index.html', 'app.js', 'app.css'];

// `logLevel: 'warning'` keeps a normal build quiet; esbuild still fails on errors.
const common = {
  bundle: true,
  minify: true,
  sourcemap: false,
  // Leaflet's BSD and Cytoscape's MIT licences ask that their notices travel
  // with every copy: they stay, at the end of app.js and app.css.
  legalComments: 'eof',
  logLevel: 'warning',
  absWorkingDir: here,
  nodePaths: [path.join(here, 'node_modules')],
};

async function main() {
  await mkdir(out, { recursive: true });
  await build({
    ...common,
    entryPoints: [path.join(src, 'main.js')],
    outfile: path.join(out, 'app.js'),
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    // Cytoscape and Leaflet read this to choose debug code paths.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  await build({
    ...common,
    entryPoints: [path.join(src, 'app.css')],
    outfile: path.join(out, 'app.css'),
    target: ['chrome100', 'firefox100', 'edge100', 'safari15'],
    loader: { '.png': 'dataurl', '.svg': 'dataurl' },
    // leaflet.css's `behavior: url(#default#VML)` is old IE only: leave it be.
    external: ['#default#VML'],
  });
  await copyFile(path.join(src, 'index.html'), path.join(out, 'index.html'));
  await checkOutputs();
}

/** Fails the build if anything but the three files ended up in OUTDIR. */
async function checkOutputs() {
  const extra = (await readdir(out)).filter((name) => !OUTPUTS.includes(name));
  for (const name of extra) {
    if (name.endsWith('.map') || name === 'app.LICENSE.txt') await rm(path.join(out, name));
  }
  const left = (await readdir(out)).filter((name) => !OUTPUTS.includes(name));
  if (left.length) console.warn(`build.mjs: ${out} also holds ${left.join(', ')} (not written by this build)`);
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
