// Bundles the compiled workflow code once, at image build time, so the worker starts without
// running webpack: `npm run build && node scripts/bundle-workflows.js` writes
// dist/workflow-bundle.js, which the worker loads as `workflowBundle: { codePath }`.
// Plain JavaScript because scripts/ is not compiled; it reads dist/, the build's output.
'use strict';
const { writeFile } = require('node:fs/promises');
const { join } = require('node:path');
const { bundleWorkflowCode } = require('@temporalio/worker');

async function main() {
  const dist = join(__dirname, '..', 'dist');
  const { workflowBundleOptions } = require(join(dist, 'worker', 'workflow-tracing'));
  const { code } = await bundleWorkflowCode(workflowBundleOptions(require.resolve(join(dist, 'workflows'))));
  const codePath = join(dist, 'workflow-bundle.js');
  await writeFile(codePath, code);
  console.log(JSON.stringify({ msg: 'workflow bundle written', codePath, bytes: Buffer.byteLength(code) }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
