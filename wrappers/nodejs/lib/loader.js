'use strict';
/**
 * Loading the user's model: MODEL_NAME names a file of the app directory (`MyModel.js`, or `MyModel`
 * for MyModel.js / MyModel/index.js) exporting a class or constructor function (module.exports = MyModel,
 * exports.MyModel, or an ES module's default export). The original NodeJS wrapper's contract
 * (seldon-core incubating/wrappers/s2i/nodejs/microservice.js), plus PREDICTIVE_UNIT_PARAMETERS as one
 * typed options object given to the constructor, and an optional, possibly async, init().
 */
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const Module = require('node:module');
const { UsageError } = require('./settings');

const SELF = 'seldon-s2i-nodejs';
const SELF_INDEX = path.join(__dirname, 'index.js');

/**
 * Let the model `require('seldon-s2i-nodejs')` (SeldonMicroserviceException, SeldonNotImplementedError,
 * SeldonResponse) wherever the wrapper is installed, without an npm dependency on it: the one name is
 * resolved to this package (the technique of the module-alias package; Node has no public API for it).
 */
function exposeSelf() {
  const resolve = Module._resolveFilename;
  if (resolve.seldonSelf) return;
  Module._resolveFilename = function resolveWithSelf(request, ...rest) {
    return request === SELF ? SELF_INDEX : resolve.call(this, request, ...rest);
  };
  Module._resolveFilename.seldonSelf = true;
}

const CONVERTERS = {
  INT: (v) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error('not an integer');
    return n;
  },
  FLOAT: (v) => {
    const n = Number(v);
    if (Number.isNaN(n) && v !== 'NaN') throw new Error('not a number');
    return n;
  },
  DOUBLE: (v) => CONVERTERS.FLOAT(v),
  STRING: (v) => String(v),
  BOOL: (v) => ['true', '1', 't', 'yes'].includes(String(v).toLowerCase()),
};

/**
 * PREDICTIVE_UNIT_PARAMETERS (a JSON list of {name, value, type}) -> {name: typed value}.
 * @throws {UsageError} for malformed JSON, an unknown type or a value of the wrong type
 */
function parseParameters(text) {
  let list;
  try {
    list = JSON.parse(text || '[]');
  } catch (err) {
    throw new UsageError(`PREDICTIVE_UNIT_PARAMETERS is not JSON: ${err.message}`);
  }
  if (!Array.isArray(list))
    throw new UsageError('PREDICTIVE_UNIT_PARAMETERS must be a JSON list of {name, value, type}');
  const out = {};
  for (const p of list) {
    const convert = CONVERTERS[String(p && p.type).toUpperCase()];
    if (!p || typeof p.name !== 'string' || !convert) {
      throw new UsageError(
        `PREDICTIVE_UNIT_PARAMETERS: ${JSON.stringify(p)} needs a name, a value and a type (INT, FLOAT, DOUBLE, STRING or BOOL)`,
      );
    }
    try {
      out[p.name] = convert(p.value);
    } catch (err) {
      throw new UsageError(
        `PREDICTIVE_UNIT_PARAMETERS: ${p.name}=${JSON.stringify(p.value)} is not a ${p.type} (${err.message})`,
      );
    }
  }
  return out;
}

/** The absolute file MODEL_NAME names, relative to `dir`. @throws {UsageError} when there is none */
function resolveModelFile(modelName, dir) {
  const candidates = /\.(c|m)?js$/.test(modelName)
    ? [modelName]
    : [`${modelName}.js`, `${modelName}.cjs`, `${modelName}.mjs`, modelName];
  for (const candidate of candidates) {
    try {
      return require.resolve(path.resolve(dir, candidate));
    } catch {
      /* next */
    }
  }
  throw new UsageError(
    `MODEL_NAME=${modelName}: no file ${candidates[0]} in ${dir} (set MODEL_NAME in .s2i/environment to your model's file, e.g. MyModel.js)`,
  );
}

/** The class/constructor a module exports (module.exports, .default, or the export named like the file). */
function pickExport(mod, file) {
  const base = path.basename(file).replace(/\.(c|m)?js$/, '');
  for (const candidate of [mod, mod && mod.default, mod && mod[base]]) {
    if (typeof candidate === 'function') return candidate;
  }
  return null;
}

/** Require the model file and pick its export. @returns {Promise<Function>} */
async function importModel(modelName, dir) {
  const file = resolveModelFile(modelName, dir);
  exposeSelf();
  let mod;
  try {
    mod = require(file);
  } catch (err) {
    if (err && err.code === 'ERR_REQUIRE_ESM') mod = await import(pathToFileURL(file).href);
    else throw err;
  }
  const Model = pickExport(mod, file);
  if (!Model) {
    const base = path.basename(file).replace(/\.(c|m)?js$/, '');
    throw new UsageError(
      `${path.basename(file)} does not export a class or constructor function: end it with module.exports = ${base};`,
    );
  }
  return Model;
}

/**
 * Import MODEL_NAME from `dir` and construct it with the typed parameters, then await its init().
 * @returns {Promise<object>} the user's model object
 * @throws {UsageError} file not found, nothing constructible exported; the user's own errors as they are
 */
async function loadModel(modelName, dir, parametersText) {
  const Model = await importModel(modelName, dir);
  const parameters = parseParameters(parametersText);
  const user = new Model(parameters);
  if (typeof user.init === 'function') await user.init();
  return user;
}

module.exports = { importModel, loadModel, parseParameters, resolveModelFile };
