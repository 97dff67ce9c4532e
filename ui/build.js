// Bundle the operator UI into dist/ui with esbuild: index.html plus one
// minified JS and one minified CSS file, no source maps.
//   node ui/build.js [--outdir DIR]
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const uiDir = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUTDIR = path.resolve(uiDir, '..', 'dist', 'ui');

/** Build the UI into outdir (emptied first). Resolves to the list of files written. */
export async function buildUi({ outdir = DEFAULT_OUTDIR } = {}) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { main: path.join(uiDir, 'src', 'main.js'), styles: path.join(uiDir, 'src', 'styles.css') },
    outdir,
    bundle: true,
    minify: true,
    sourcemap: false,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  await copyFile(path.join(uiDir, 'index.html'), path.join(outdir, 'index.html'));
  return [...Object.keys(result.metafile.outputs).map((f) => path.resolve(f)), path.join(outdir, 'index.html')];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--outdir');
  const outdir = i > 0 ? path.resolve(process.argv[i + 1] ?? '') : DEFAULT_OUTDIR;
  try {
    const files = await buildUi({ outdir });
    for (const f of files) process.stdout.write(`built ${path.relative(process.cwd(), f)}\n`);
  } catch (err) {
    process.stderr.write(`build:ui failed: ${err.message}\n`);
    process.exit(1);
  }
}
