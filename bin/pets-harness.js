#!/usr/bin/env node
// The project is TypeScript run by tsx; this entry registers it and hands over to the dispatcher.
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
