#!/usr/bin/env node
// The installed command (package.json "bin"): `npx goaudits-pipeline status` runs the built
// client as `npm run pipeline -- status` does, without the build check. Plain JavaScript because
// scripts/ is not compiled; it reads dist/, the build's output.
'use strict';
try {
  require.resolve('../dist/client/main.js');
} catch {
  console.error('goaudits-pipeline: the client is not built yet; run `npm run build` (or `npm run pipeline -- <command>`) first');
  process.exit(1);
}
require('../dist/client/main.js');
