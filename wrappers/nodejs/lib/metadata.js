'use strict';
/**
 * Model metadata (GET /metadata, gRPC Model/Metadata): defaults from PREDICTIVE_UNIT_IMAGE, overlaid by
 * the user's init_metadata() and then MODEL_METADATA (JSON), validated by the rules of
 * src/seldon_s2i/runtime/metadata.py (seldon-core 1.17.1's schema).
 */
const { isNotImplemented } = require('./errors');

const TOP_LEVEL_KEYS = ['name', 'versions', 'platform', 'inputs', 'outputs', 'custom'];
const ARRAY_MESSAGE_TYPES = ['tensor', 'ndarray', 'tftensor'];
const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const intList = (v) => Array.isArray(v) && v.every(Number.isInteger);
const strList = (v) => Array.isArray(v) && v.every((s) => typeof s === 'string');

function checkItem(item, where) {
  if (!isObject(item)) return `${where} must be an object`;
  if ('messagetype' in item) {
    if (typeof item.messagetype !== 'string') return `${where}.messagetype must be a string`;
    const schema = item.schema ?? {};
    if (!isObject(schema)) return `${where}.schema must be an object`;
    if (ARRAY_MESSAGE_TYPES.includes(item.messagetype)) {
      if (!strList(schema.names ?? [])) return `${where}.schema.names must be a list of strings`;
      if (!intList(schema.shape ?? [])) return `${where}.schema.shape must be a list of integers`;
    }
    return null;
  }
  if (typeof item.name !== 'string') return `${where} needs a messagetype, or a name, datatype and shape`;
  if (!DATATYPES.includes(item.datatype)) return `${where}.datatype must be one of ${DATATYPES.join(', ')}`;
  if (!intList(item.shape)) return `${where}.shape must be a list of integers`;
  return null;
}

/** null if `metadata` is valid, else the first problem in one line. */
function validate(metadata) {
  if (!isObject(metadata)) return 'metadata must be an object';
  for (const key of Object.keys(metadata)) if (!TOP_LEVEL_KEYS.includes(key)) return `unknown metadata key '${key}'`;
  for (const key of ['name', 'platform'])
    if (key in metadata && typeof metadata[key] !== 'string') return `${key} must be a string`;
  if (!strList(metadata.versions ?? [])) return 'versions must be a list of strings';
  for (const key of ['inputs', 'outputs']) {
    const items = metadata[key] ?? [];
    if (!Array.isArray(items)) return `${key} must be a list`;
    for (let i = 0; i < items.length; i++) {
      const problem = checkItem(items[i], `${key}[${i}]`);
      if (problem) return problem;
    }
  }
  const custom = metadata.custom ?? {};
  if (!isObject(custom) || !Object.values(custom).every((v) => typeof v === 'string'))
    return 'custom must be an object of strings';
  return null;
}

/**
 * The unit's metadata, or null (logged) when the result is invalid.
 * @param {object} user  the model object  @param {string} image  PREDICTIVE_UNIT_IMAGE
 * @param {string|undefined} modelMetadataEnv  MODEL_METADATA (JSON)
 */
function buildMetadata(user, image, modelMetadataEnv) {
  const colon = image.lastIndexOf(':');
  const [name, version] = colon >= 0 ? [image.slice(0, colon), image.slice(colon + 1)] : [image, ''];
  const metadata = { name, versions: [version], platform: '', inputs: [], outputs: [], custom: {} };
  if (typeof user.init_metadata === 'function') {
    let own = {};
    try {
      own = user.init_metadata();
    } catch (err) {
      if (!isNotImplemented(err)) console.error(`init_metadata() failed: ${err.message}`);
    }
    if (isObject(own)) Object.assign(metadata, own);
  }
  if (modelMetadataEnv) {
    let env;
    try {
      env = JSON.parse(modelMetadataEnv);
    } catch (err) {
      console.error(`Model metadata unavailable: MODEL_METADATA is not JSON: ${err.message}`);
      return null;
    }
    if (!isObject(env)) {
      console.error('Model metadata unavailable: MODEL_METADATA must be an object');
      return null;
    }
    Object.assign(metadata, env);
  }
  const problem = validate(metadata);
  if (problem) {
    console.error(`Model metadata unavailable: ${problem}`);
    return null;
  }
  return metadata;
}

module.exports = { buildMetadata, validate };
