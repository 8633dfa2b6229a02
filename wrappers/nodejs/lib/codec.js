'use strict';
/**
 * The Seldon v1 message codec (REST JSON; gRPC messages are converted to the same JSON by grpc.js).
 *
 * decode(): a SeldonMessage -> what user methods receive {X, names, kind, meta}:
 *   data.ndarray -> X is the nested array as sent; data.tensor -> X is the values reshaped to `shape`
 *   (nested arrays); strData -> a string; binData -> a Buffer; jsonData -> the JSON value.
 * shapeOutput(): the response rules of src/seldon_s2i/runtime/codec.py shape_output (spec §3.3-3.4):
 *   a plain object -> jsonData, Buffer/Uint8Array -> binData, string -> strData; an array of numbers keeps
 *   the request's data kind (tensor or ndarray; tensor when the request had no `data`), any other array is
 *   an ndarray; names are class_names or t:0..t:{columns-1} for 2+ dimensions; anything else is a 400.
 */
const { SeldonMicroserviceException } = require('./errors');

const TENSOR = 'tensor';
const NDARRAY = 'ndarray';
const TFTENSOR = 'tftensor';
const DATA_KINDS = [TENSOR, NDARRAY, TFTENSOR];

/** A 400 the runtime raises for bad input (gRPC: INVALID_ARGUMENT; a user's exception is UNKNOWN). */
function bad(message) {
  const err = new SeldonMicroserviceException(message, 400);
  err.fromRuntime = true;
  return err;
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !Buffer.isBuffer(v);
}

/**
 * The shape of a rectangular nested array and whether every leaf is a number:
 * {shape: number[], numeric: boolean}, or null when ragged.
 */
function arrayInfo(value) {
  if (!Array.isArray(value)) return { shape: [], numeric: typeof value === 'number' };
  const shape = [];
  let level = [value];
  while (Array.isArray(level[0])) {
    const width = level[0].length;
    shape.push(width);
    for (let i = 0; i < level.length; i++) {
      if (!Array.isArray(level[i]) || level[i].length !== width) return null;
    }
    if (width === 0) return { shape, numeric: true };
    level = level.length === 1 ? level[0] : level.flat();
  }
  let numeric = true;
  for (let i = 0; i < level.length; i++) {
    const leaf = level[i];
    if (typeof leaf !== 'number') {
      if (Array.isArray(leaf)) return null;
      numeric = false;
    }
  }
  return { shape, numeric };
}

function reshape(values, shape) {
  if (shape.length <= 1) return values.slice();
  const [head, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  const out = new Array(head);
  for (let i = 0; i < head; i++) out[i] = reshape(values.slice(i * size, (i + 1) * size), rest);
  return out;
}

function tensorFromJson(tensor) {
  if (!isPlainObject(tensor)) throw bad('data.tensor must be an object with shape and values');
  const values = tensor.values ?? [];
  const shape = tensor.shape ?? [];
  if (!Array.isArray(values) || !Array.isArray(shape))
    throw bad("data.tensor needs a list 'values' and a list 'shape'");
  if (!values.every((v) => typeof v === 'number')) throw bad('data.tensor values must be a flat list of numbers');
  if (!shape.every((d) => Number.isInteger(d) && d >= -1))
    throw bad(`data.tensor shape must be a list of integers, got ${JSON.stringify(shape)}`);
  let dims = shape.slice();
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (dims.includes(-1) && known > 0) dims = dims.map((d) => (d === -1 ? values.length / known : d));
  const size = dims.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(size) || size !== values.length) {
    throw bad(`data.tensor shape ${JSON.stringify(shape)} does not fit ${values.length} values`);
  }
  return reshape(values, dims);
}

/** Strict base64 (whitespace allowed): a 400 instead of silently corrupted bytes. */
function b64decode(text) {
  const compact = String(text).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw bad('binData is not valid base64');
  return Buffer.from(compact, 'base64');
}

const pyRepr = (v) => JSON.stringify(v);

/**
 * A REST SeldonMessage (parsed JSON) -> {X, names, kind, meta}.
 * @throws {SeldonMicroserviceException} 400 for anything that is not a SeldonMessage
 */
function decode(message) {
  if (!isPlainObject(message)) throw bad(`Invalid request data type: ${pyRepr(message)}`);
  const meta = message.meta;
  if (meta !== undefined && meta !== null && !isPlainObject(meta)) throw bad('meta must be a JSON object');
  if ('data' in message) {
    const data = message.data;
    if (!isPlainObject(data)) throw bad('data must be a JSON object');
    const names = data.names || [];
    if (!Array.isArray(names)) throw bad('data.names must be a list');
    if ('tensor' in data) return { X: tensorFromJson(data.tensor), names, kind: TENSOR, meta };
    if ('ndarray' in data) {
      if (Array.isArray(data.ndarray) && arrayInfo(data.ndarray) === null)
        throw bad('data.ndarray is not a rectangular array');
      return { X: data.ndarray, names, kind: NDARRAY, meta };
    }
    if ('tftensor' in data)
      throw bad('data.tftensor is not supported by the NodeJS wrapper: send data.tensor or data.ndarray');
    return { X: [], names, kind: NDARRAY, meta };
  }
  if ('jsonData' in message) return { X: message.jsonData, names: [], kind: 'jsonData', meta };
  if ('strData' in message) {
    if (typeof message.strData !== 'string') throw bad('strData must be a string');
    return { X: message.strData, names: [], kind: 'strData', meta };
  }
  if ('binData' in message) {
    const bin = message.binData;
    if (Buffer.isBuffer(bin)) return { X: bin, names: [], kind: 'binData', meta };
    if (typeof bin !== 'string') throw bad('binData must be a base64 string');
    return { X: b64decode(bin), names: [], kind: 'binData', meta };
  }
  throw bad(`Invalid request data type: ${pyRepr(message)}`);
}

/** An aggregate request: a list of SeldonMessages, or {seldonMessages: [...]}. */
function decodeList(body) {
  const list = isPlainObject(body) && Array.isArray(body.seldonMessages) ? body.seldonMessages : body;
  if (!Array.isArray(list)) throw bad(`Invalid request data type: ${pyRepr(body)}`);
  if (list.length === 0) throw bad('Invalid request data type: an aggregate needs at least one SeldonMessage');
  return list.map(decode);
}

function defaultNames(width) {
  return Array.from({ length: width }, (_, i) => `t:${i}`);
}

/**
 * A user result -> {kind, value, names}.
 * @param {*} data  what the user method returned
 * @param {string} requestKind  the request's payload kind
 * @param {() => (string[]|null)} classNames  the model's class names, null when it has none
 * @throws {SeldonMicroserviceException} 400 for a value that is no payload (number, null, undefined, ...)
 */
function shapeOutput(data, requestKind, classNames) {
  if (Buffer.isBuffer(data) || data instanceof Uint8Array) return { kind: 'binData', value: Buffer.from(data) };
  if (ArrayBuffer.isView(data)) data = Array.from(data);
  if (typeof data === 'string') return { kind: 'strData', value: data };
  if (isPlainObject(data)) return { kind: 'jsonData', value: data };
  if (Array.isArray(data)) {
    const info = arrayInfo(data);
    const names = () => {
      if (!info || info.shape.length <= 1) return [];
      const own = classNames();
      return own != null ? Array.from(own) : defaultNames(info.shape[1]);
    };
    if (!info || !info.numeric) return { kind: NDARRAY, value: data, names: names() };
    const kind = DATA_KINDS.includes(requestKind) && requestKind !== TFTENSOR ? requestKind : TENSOR;
    if (kind === NDARRAY) return { kind, value: data, names: names() };
    return {
      kind,
      value: { shape: info.shape, values: info.shape.length > 1 ? data.flat(info.shape.length - 1) : data },
      names: names(),
    };
  }
  throw bad(
    `Unknown data type returned as payload (must be list or np array):${data === undefined ? 'None' : String(data)}`,
  );
}

/** {kind, value, names} + meta -> the REST SeldonMessage. */
function encode(output, meta) {
  const { kind, value } = output;
  if (kind === 'jsonData') return { jsonData: value, meta };
  if (kind === 'binData') return { binData: value.toString('base64'), meta };
  if (kind === 'strData') return { strData: value, meta };
  if (kind === TENSOR) return { data: { names: output.names, tensor: value }, meta };
  return { data: { names: output.names, ndarray: value }, meta };
}

const NON_FINITE = {
  NaN: '"\\u0000NaN\\u0000"',
  Infinity: '"\\u0000Infinity\\u0000"',
  '-Infinity': '"\\u0000-Infinity\\u0000"',
};

function nonFiniteReplacer(_key, value) {
  if (typeof value === 'number' && !Number.isFinite(value)) return `\u0000${value}\u0000`;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/**
 * JSON text of an answer. Like Python's json (and the reference), NaN and ±Infinity are written as the
 * bare tokens NaN, Infinity, -Infinity instead of JSON.stringify's null.
 */
function toJson(value) {
  const text = JSON.stringify(value);
  if (text === undefined || !text.includes('null')) return text ?? 'null';
  const careful = JSON.stringify(value, nonFiniteReplacer);
  if (!careful.includes('\\u0000')) return careful;
  return careful
    .replaceAll(NON_FINITE.NaN, 'NaN')
    .replaceAll(NON_FINITE['-Infinity'], '-Infinity')
    .replaceAll(NON_FINITE.Infinity, 'Infinity');
}

/** Nesting the Python wrapper refuses too (orjson's limit): deeper bodies overflowed the stack later. */
const MAX_DEPTH = 1024;

/** Whether arrays/objects in `value` nest deeper than `limit` levels (iterative: no stack to overflow). */
function nestsDeeperThan(value, limit) {
  const stack = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop();
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Parse a JSON request body; like Python's json (the reference), the bare tokens NaN, Infinity and
 * -Infinity are accepted as numbers. @throws {SyntaxError} also for JSON nested deeper than MAX_DEPTH
 * (the Python wrapper's 400; here it was a "Maximum call stack size exceeded" 500 further on)
 */
function parseJson(text) {
  const value = parseJsonTokens(text);
  if (nestsDeeperThan(value, MAX_DEPTH)) throw new SyntaxError(`JSON nested deeper than ${MAX_DEPTH} levels`);
  return value;
}

function parseJsonTokens(text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    // Replace the bare tokens outside strings with sentinel strings (written as JSON escapes), then revive them.
    const replaced = text.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g, (m, str, token) =>
      str ? m : `"\\u0000${token}\\u0000"`,
    );
    return JSON.parse(replaced, (_k, v) => {
      if (typeof v === 'string' && v.length > 2 && v[0] === '\u0000' && v.at(-1) === '\u0000')
        return Number(v.slice(1, -1));
      return v;
    });
  }
}

module.exports = {
  bad,
  decode,
  decodeList,
  shapeOutput,
  encode,
  toJson,
  parseJson,
  arrayInfo,
  isPlainObject,
  TENSOR,
  NDARRAY,
};
