'use strict';
/**
 * seldon-s2i-nodejs: the Seldon Core v1 microservice wrapper for JavaScript models.
 *
 * Code map: settings.js (argv + environment, read once), loader.js (MODEL_NAME -> the user's object),
 * codec.js (SeldonMessage <-> what user methods see; response rules), component.js (calling the user's
 * methods, transport-neutral), rest.js (node:http transport), grpc.js (@grpc/grpc-js transport),
 * metrics.js (prom-client), metadata.js, errors.js, server.js (start-up and graceful shutdown).
 *
 * What a model may require from here: SeldonMicroserviceException, SeldonNotImplementedError, SeldonResponse.
 */
const { SeldonMicroserviceException, SeldonNotImplementedError } = require('./errors');
const { SeldonResponse } = require('./component');

module.exports = { SeldonMicroserviceException, SeldonNotImplementedError, SeldonResponse };
