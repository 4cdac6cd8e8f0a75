#!/usr/bin/env node
/*
 * The installed `kemu` command (dist/kemu.cjs, written by cli/build-bundle.mjs).
 *
 * It runs the one-file bundle dist/kemu-bundle.cjs with V8's code cache
 * dist/kemu-bundle.cjs.v8cache, so that a start does not parse and compile kemu's
 * JavaScript again (about half of a `kemu run` of a hello world without it).
 * A cache that does not match this Node (another V8 version or flags) is
 * rejected by V8 and the bundle is compiled as usual: it is only ever a
 * speed-up. KEMU_WRITE_CODE_CACHE=1 writes the cache at exit, with every
 * function the run compiled; the build does that once on a hello world.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const file = path.join(__dirname, 'kemu-bundle.cjs');
const cacheFile = `${file}.v8cache`;
let cachedData;
try { cachedData = fs.readFileSync(cacheFile); } catch { cachedData = undefined; }
// The build wrote the bundle as a CommonJS module function (Module.wrap), ready to compile.
const src = fs.readFileSync(file, 'utf8');
const script = new vm.Script(src, { filename: file, cachedData });
if (process.env.KEMU_WRITE_CODE_CACHE) {
  process.on('exit', () => { fs.writeFileSync(cacheFile, script.createCachedData()); });
}
const m = new Module(file, module);
m.filename = file;
m.paths = Module._nodeModulePaths(__dirname);
script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, __dirname);
