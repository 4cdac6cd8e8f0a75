/**
 * Layers import one way (DESIGN.md): abi <- emulator <- kernel <- binfmt <-
 * umh <- cli. A file may import its own layer and the ones below, never
 * above; abi imports nothing at all.
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers/paths.js';

const LAYERS = ['abi', 'emulator', 'kernel', 'binfmt', 'umh', 'cli'];

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

describe('layering', () => {
  for (const layer of LAYERS) {
    it(`${layer}/ imports only from its own layer and those below`, () => {
      const rank = LAYERS.indexOf(layer);
      const bad: string[] = [];
      for (const file of sources(path.join(REPO_ROOT, layer))) {
        for (const spec of imports(file)) {
          if (!spec.startsWith('.')) {
            if (layer === 'abi') bad.push(`${path.relative(REPO_ROOT, file)} imports ${spec}`);
            continue;
          }
          const target = path.relative(REPO_ROOT, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!;
          const r = LAYERS.indexOf(target);
          if (r < 0 || r > rank) bad.push(`${path.relative(REPO_ROOT, file)} imports ${spec}`);
        }
      }
      expect(bad, 'imports against the layering').to.deep.equal([]);
    });
  }
});
