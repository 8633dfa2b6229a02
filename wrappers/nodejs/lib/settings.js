'use strict';
/**
 * Command line and environment -> one frozen settings object, read once at start-up
 * (the rules of src/seldon_s2i/runtime/settings.py, which copies seldon-core 1.17.1's microservice.py).
 *
 * Ports: explicit PREDICTIVE_UNIT_{HTTP,GRPC,METRICS}_SERVICE_PORT win; else API_TYPE=REST serves REST
 * only on 5000, API_TYPE=GRPC gRPC only on 5000, anything else REST 9000 + gRPC 5000; metrics 6000.
 */
const fs = require('node:fs');

const SERVICE_TYPES = ['MODEL', 'ROUTER', 'TRANSFORMER', 'OUTPUT_TRANSFORMER', 'COMBINER', 'OUTLIER_DETECTOR'];
const NOT_IMPLEMENTED = 'NOT_IMPLEMENTED';
const MiB = 1024 * 1024;

/** A start-up mistake of the user: reported as one `ERROR:` line, exit code `exitCode`. */
class UsageError extends Error {
  constructor(message, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

function int(name, value, fallback) {
  if (value === undefined || value === null || value === '') return fallback;
  if (!/^-?\d+$/.test(String(value).trim())) throw new UsageError(`${name} must be an integer, got '${value}'`);
  return Number.parseInt(value, 10);
}

function port(name, value) {
  const n = int(name, value, 0);
  if (!(n > 0 && n < 65536)) throw new UsageError(`${name} must be a port number 1-65535, got '${value}'`);
  return n;
}

/** {http, grpc, metrics}: null for a listener that is off. */
function resolvePorts(env, apiType) {
  const http = env.PREDICTIVE_UNIT_HTTP_SERVICE_PORT;
  const grpc = env.PREDICTIVE_UNIT_GRPC_SERVICE_PORT;
  const metrics = env.PREDICTIVE_UNIT_METRICS_SERVICE_PORT;
  const api = apiType.trim().toUpperCase();
  const pick = (name, value, fallback) => (value ? port(name, value) : fallback);
  if (api === 'REST')
    return {
      http: pick('http port', http, 5000),
      grpc: pick('grpc port', grpc, null),
      metrics: pick('metrics port', metrics, 6000),
    };
  if (api === 'GRPC')
    return {
      http: pick('http port', http, null),
      grpc: pick('grpc port', grpc, 5000),
      metrics: pick('metrics port', metrics, 6000),
    };
  return {
    http: pick('http port', http, 9000),
    grpc: pick('grpc port', grpc, 5000),
    metrics: pick('metrics port', metrics, 6000),
  };
}

/** Who this unit is: metric labels, meta.requestPath, default metadata. */
function identityFromEnv(env) {
  const image = env.PREDICTIVE_UNIT_IMAGE || '';
  const full = image || `${NOT_IMPLEMENTED}:${NOT_IMPLEMENTED}`;
  const colon = full.lastIndexOf(':');
  const [imageName, imageVersion] = colon > 0 ? [full.slice(0, colon), full.slice(colon + 1)] : [full, NOT_IMPLEMENTED];
  let predictorVersion = NOT_IMPLEMENTED;
  try {
    const labels = JSON.parse(env.PREDICTOR_LABELS || '{}');
    if (labels && typeof labels === 'object' && labels.version) predictorVersion = String(labels.version);
  } catch {
    /* not JSON: the default stays */
  }
  return {
    unitId: env.PREDICTIVE_UNIT_ID ?? NOT_IMPLEMENTED,
    unitIdSet: env.PREDICTIVE_UNIT_ID !== undefined,
    image,
    imageName,
    imageVersion,
    deployment: env.SELDON_DEPLOYMENT_ID ?? NOT_IMPLEMENTED,
    predictor: env.PREDICTOR_ID ?? NOT_IMPLEMENTED,
    predictorVersion,
  };
}

/** k8s downward-API annotations (`key="value"` per line); {} when the file is absent. */
function readAnnotations(path) {
  let text;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  const out = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && value[0] === '"' && value.at(-1) === '"') value = value.slice(1, -1);
    out[line.slice(0, eq).trim()] = value;
  }
  return out;
}

/**
 * argv (after `node microservice.js`) and the environment -> settings. Usage:
 *   microservice.js MODEL_NAME [REST|GRPC] [--service-type TYPE] [--persistence N]
 * @throws {UsageError} for a user mistake (unknown argument, bad port, unknown service type)
 */
function parseSettings(argv, env) {
  const positional = [];
  let serviceType = env.SERVICE_TYPE || 'MODEL';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`, 255);
      return argv[++i];
    };
    if (arg === '--service-type') serviceType = value();
    else if (arg.startsWith('--service-type=')) serviceType = arg.split('=', 2)[1];
    else if (arg === '--persistence') {
      if (argv[i + 1] && /^\d+$/.test(argv[i + 1])) i++;
    } else if (arg.startsWith('--')) throw new UsageError(`unknown arguments ['${arg}']`, 255);
    else positional.push(arg);
  }
  if (positional.length < 1)
    throw new UsageError('MODEL_NAME is not set: give the model file (MyModel.js) or set MODEL_NAME');
  if (positional.length > 2) throw new UsageError(`unknown arguments ${JSON.stringify(positional.slice(2))}`, 255);
  let apiType = env.API_TYPE || '';
  if (positional.length === 2) {
    if (!['REST', 'GRPC'].includes(positional[1].toUpperCase()))
      throw new UsageError(`unknown API type '${positional[1]}': expected REST or GRPC`, 255);
    apiType = positional[1];
  }
  serviceType = serviceType.toUpperCase();
  if (!SERVICE_TYPES.includes(serviceType))
    throw new UsageError(`SERVICE_TYPE=${serviceType} is not one of ${SERVICE_TYPES.join(', ')}`);
  const annotations = readAnnotations(env.SELDON_S2I_ANNOTATIONS_FILE || '/etc/podinfo/annotations');
  let grpcMax = int('seldon.io/grpc-max-message-size', annotations['seldon.io/grpc-max-message-size'], 256 * MiB);
  grpcMax = int('GRPC_MAX_MESSAGE_LENGTH', env.GRPC_MAX_MESSAGE_LENGTH, grpcMax);
  return Object.freeze({
    modelName: positional[0],
    serviceType,
    apiType,
    parameters: env.PREDICTIVE_UNIT_PARAMETERS || '[]',
    ports: resolvePorts(env, apiType),
    host: (env.SELDON_S2I_HOST || '0.0.0.0').replace(/^\[|\]$/g, ''),
    metricsPath: env.PREDICTIVE_UNIT_METRICS_ENDPOINT || '/metrics',
    grpcMaxMessage: grpcMax,
    maxRequestBytes: int('SELDON_S2I_MAX_REQUEST_BYTES', env.SELDON_S2I_MAX_REQUEST_BYTES, 256 * MiB),
    includeMetricsInResponse: (env.INCLUDE_METRICS_IN_CLIENT_RESPONSE || 'true').toLowerCase() === 'true',
    executorEnabled: (env.SELDON_EXECUTOR_ENABLED || 'true').toLowerCase() !== 'false',
    modelMetadata: env.MODEL_METADATA,
    identity: identityFromEnv(env),
  });
}

module.exports = { SERVICE_TYPES, UsageError, parseSettings, resolvePorts, identityFromEnv };
