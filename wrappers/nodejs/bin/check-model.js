#!/usr/bin/env node
'use strict';
// check-model.js MODEL_NAME: prove at build time that MODEL_NAME loads from the current directory the
// way the server will load it (lib/loader.js): the file exists, it runs (a syntax error or a missing
// module fails with the user's stack trace), it exports a class or constructor, and
// PREDICTIVE_UNIT_PARAMETERS parse. The model is not constructed (its init() may need the runtime).
const { importModel, parseParameters } = require('../lib/loader');
const { UsageError } = require('../lib/settings');

async function main(modelName) {
  await importModel(modelName, process.cwd());
  parseParameters(process.env.PREDICTIVE_UNIT_PARAMETERS);
}

main(process.argv[2] || '').catch((err) => {
  // The user's stack trace, or the one-line reason; assemble adds the one ERROR: line.
  console.error(
    err instanceof UsageError || !(err && err.stack) ? String(err && err.message ? err.message : err) : err.stack,
  );
  process.exit(1);
});
