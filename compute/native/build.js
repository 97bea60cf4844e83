#!/usr/bin/env node
// Builds the native compute addon (oneDNN + OpenBLAS, see README "Compute") at `npm ci`.
// It never fails the install: where a library or the compiler is missing, it says what
// to install, writes the reason next to where the addon would be (the platform repeats
// it at start-up and in GET /health) and exits 0; the platform then computes on wasm.
// `npm run build:native` runs it again, printing the compiler's whole output.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const HERE = __dirname;
const BUILD = path.join(HERE, 'build');
const REASON_FILE = path.join(BUILD, 'unavailable.txt');
const verbose = process.argv.includes('--verbose');
const INSTALL_HINT = 'apt-get install g++ make python3 libdnnl-dev libopenblas-dev, then npm run build:native';

/** What a failed build's output says is missing, in a user's words. */
function diagnose(output) {
  if (/dnnl\.hpp: No such file/.test(output)) return 'the oneDNN headers are missing (Debian package libdnnl-dev)';
  if (/cblas\.h: No such file/.test(output)) return 'the OpenBLAS headers are missing (Debian package libopenblas-dev)';
  if (/cannot find -ldnnl/.test(output)) return 'the oneDNN library is missing (Debian package libdnnl-dev)';
  if (/cannot find -lopenblas/.test(output)) return 'the OpenBLAS library is missing (Debian package libopenblas-dev)';
  const noTool = /(g\+\+|c\+\+|cc|make)'?: (not found|No such file)|No such file or directory: '[^']*(g\+\+|c\+\+|cc|make)'|not found: make|spawn (make|g\+\+)|ENOENT/;
  if (noTool.test(output)) return 'no C++ compiler or make (Debian packages g++ and make)';
  if (/find Python|python.*not found/i.test(output)) return 'node-gyp found no Python 3';
  if (/napi\.h: No such file/.test(output)) return 'node-addon-api is not installed (run npm ci)';
  if (/node_api\.h: No such file|common\.gypi.*(not found|ENOENT)|gyp.*(ENOTFOUND|EAI_AGAIN|ECONNREFUSED)/.test(output)) return 'node-gyp found no Node.js headers (install them, or set npm_config_nodedir)';
  const lines = output.trim().split('\n').filter((l) => /error/i.test(l));
  return `the build failed: ${(lines[0] ?? output.trim().split('\n').pop() ?? 'no output').trim().slice(0, 300)}`;
}

/** node-gyp as npm ships it (npm passes its path to scripts), else one on PATH. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const found = candidates.find((c) => c && fs.existsSync(c));
  return found ? [process.execPath, found] : ['node-gyp'];
}

/** The local Node headers, so that node-gyp needs no download. */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return unavailable(`the native addon is built for Linux x86-64 only (this is ${process.platform}/${process.arch})`);
  }
  const [command, ...pre] = nodeGyp();
  const dir = nodeDir();
  const args = [...pre, 'rebuild', '--jobs=max', ...(dir ? [`--nodedir=${dir}`] : [])];
  const started = Date.now();
  const run = spawnSync(command, args, { cwd: HERE, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
  const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}${run.error ? `\n${run.error.message}` : ''}`;
  if (verbose) process.stdout.write(output);
  if (run.status !== 0) return unavailable(diagnose(output));
  fs.rmSync(REASON_FILE, { force: true });
  console.log(`native compute addon built (oneDNN + OpenBLAS) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function unavailable(reason) {
  fs.mkdirSync(BUILD, { recursive: true });
  fs.writeFileSync(REASON_FILE, `${reason}\n`);
  console.log(`native compute addon not built: ${reason}. The platform will compute on WebAssembly. To build it: ${INSTALL_HINT}.`);
}

main();
