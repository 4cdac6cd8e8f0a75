/**
 * Build the installed `kemu` command (run by `npm run build` and so by
 * `prepare`, which `npm ci` runs): bundle cli/kemu.ts and everything it
 * imports into one CommonJS file, dist/kemu-bundle.cjs, with esbuild; put the
 * loader cli/bundle-loader.cjs beside it as dist/kemu.cjs (the `bin` of
 * package.json); then run a hello world once to write V8's code cache.
 *
 * Why: the tsc output is ~100 ES modules, and Node resolves, reads and
 * compiles each at every start; one CommonJS file skips the ES module loader,
 * and the code cache skips compiling (bench/startup.ts measures it).
 * koffi (a native addon, loaded only for --engine unicorn) stays outside.
 * `import.meta.url` becomes the bundle's own URL.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const bundle = path.join(dist, 'kemu-bundle.cjs');
const command = path.join(dist, 'kemu.cjs');

await build({
  entryPoints: [path.join(root, 'cli/kemu.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['koffi'],
  define: { 'import.meta.url': '__kemu_bundle_url' },
  banner: { js: "const __kemu_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  outfile: bundle,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// The loader runs the bundle as the body of a CommonJS module function: it is
// written wrapped already (shebang dropped, Module.wrap applied), so that a
// start compiles the file as read instead of copying its ~430 KB twice.
fs.writeFileSync(bundle, Module.wrap(fs.readFileSync(bundle, 'utf8').replace(/^#!.*/, '')));
fs.copyFileSync(path.join(root, 'cli/bundle-loader.cjs'), command);
fs.chmodSync(command, 0o755);
fs.rmSync(`${bundle}.v8cache`, { force: true });
const hello = path.join(root, 'fixtures/musl-hello/musl-hello');
if (fs.existsSync(hello)) {
  const r = spawnSync(process.execPath, [command, 'run', hello], { env: { ...process.env, KEMU_WRITE_CODE_CACHE: '1' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the bundle does not run a hello world: status ${r.status}\n${r.stderr}`);
}
