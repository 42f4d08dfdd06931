#!/usr/bin/env node
// The project is TypeScript run by tsx; this entry registers it and hands over to the dispatcher.

// Checked before anything else loads: older Nodes fail later in obscure ways (the AWS SDK and
// testcontainers need 22), so say once what to install.
const NODE_FLOOR = 22;
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < NODE_FLOOR) {
  console.error(
    `pets-harness needs Node ${NODE_FLOOR} or newer; this is Node ${process.versions.node}. ` +
      `Install Node ${NODE_FLOOR} (nodejs.org, nvm, or the npm registry's node-${process.platform}-${process.arch}@${NODE_FLOOR} package) and run again.`,
  );
  process.exit(2);
}

require('tsx/cjs');
const { dispatch } = require('../harness/cli.ts');

dispatch(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    const usageLike = error && (error.name === 'UsageError' || error.name === 'CannotRunError');
    process.exitCode = usageLike ? 2 : 1;
    console.error(usageLike ? error.message : error);
  },
);
