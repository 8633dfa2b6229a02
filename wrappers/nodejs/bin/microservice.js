#!/usr/bin/env node
'use strict';
// seldon-nodejs-microservice MODEL_NAME [REST|GRPC] [--service-type TYPE]: serve a JavaScript model
// (lib/server.js). A user's mistake is one `ERROR:` line and a non-zero exit; the model's own
// exceptions at start-up keep their stack trace.
const { serve } = require('../lib/server');
const { UsageError } = require('../lib/settings');

serve(process.argv.slice(2), process.env).catch((err) => {
  if (err instanceof UsageError) {
    console.error(`ERROR: ${err.message}`);
    process.exit(err.exitCode);
  }
  console.error(err && err.stack ? err.stack : String(err));
  console.error(`ERROR: the model failed to start: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
