'use strict';
/**
 * The gRPC transport with @grpc/grpc-js: the seldon.protos services of seldon-core 1.17.1's
 * prediction.proto (Generic, Model, Router, Transformer, OutputTransformer, Combiner, Seldon).
 *
 * Each request message is converted to its REST JSON form (google.protobuf.Value/ListValue/Struct to
 * plain values, Tensor to {shape, values}, binData stays bytes), handed to the same Component as REST,
 * and the answer converted back: gRPC carries the REST JSON. A client error is INVALID_ARGUMENT, a model
 * error UNKNOWN ("Exception calling application: <message>", grpcio's form), as the Python wrapper.
 */
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const c = require('./codec');
const { describe } = require('./errors');
const comp = require('./component');

const PROTO_DIR = path.join(__dirname, '..', 'proto');
const LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

// --- google.protobuf.Value <-> plain values (protobufjs names the well-known types' fields in camelCase) ---
function valueToJs(v) {
  if (!v) return null;
  switch (v.kind) {
    case 'numberValue':
      return v.numberValue;
    case 'stringValue':
      return v.stringValue;
    case 'boolValue':
      return v.boolValue;
    case 'listValue':
      return (v.listValue.values || []).map(valueToJs);
    case 'structValue':
      return structToJs(v.structValue);
    default:
      return null;
  }
}

function structToJs(s) {
  const out = {};
  for (const [k, v] of Object.entries((s && s.fields) || {})) out[k] = valueToJs(v);
  return out;
}

function jsToValue(x) {
  if (x === null || x === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof x === 'number') return { numberValue: x };
  if (typeof x === 'boolean') return { boolValue: x };
  if (typeof x === 'string') return { stringValue: x };
  if (Buffer.isBuffer(x)) return { stringValue: x.toString('base64') };
  if (Array.isArray(x)) return { listValue: { values: x.map(jsToValue) } };
  if (typeof x === 'object') return { structValue: jsToStruct(x) };
  throw new TypeError(`Object of type ${typeof x} is not JSON serializable`);
}

function jsToStruct(o) {
  const fields = {};
  for (const [k, v] of Object.entries(o)) fields[k] = jsToValue(v);
  return { fields };
}

// --- SeldonMessage proto object <-> REST JSON --------------------------------------------------
function metaToJson(meta) {
  if (!meta) return undefined;
  const out = {};
  if (meta.puid) out.puid = meta.puid;
  if (meta.tags && Object.keys(meta.tags).length)
    out.tags = Object.fromEntries(Object.entries(meta.tags).map(([k, v]) => [k, valueToJs(v)]));
  if (meta.routing && Object.keys(meta.routing).length) out.routing = meta.routing;
  if (meta.requestPath && Object.keys(meta.requestPath).length) out.requestPath = meta.requestPath;
  if (meta.metrics && meta.metrics.length) {
    out.metrics = meta.metrics.map((m) => {
      const metric = { key: m.key || '', type: m.type || 'COUNTER', value: m.value || 0 };
      if (m.tags && Object.keys(m.tags).length) metric.tags = m.tags;
      return metric;
    });
  }
  return out;
}

function messageToJson(m) {
  if (!m) return {};
  const out = { meta: metaToJson(m.meta) || {} }; // gRPC hands a model meta {} when there is none, as grpcio
  switch (m.data_oneof) {
    case 'data': {
      const d = m.data;
      const data = { names: d.names || [] };
      if (d.data_oneof === 'tensor') data.tensor = { shape: d.tensor.shape || [], values: d.tensor.values || [] };
      else if (d.data_oneof === 'ndarray') data.ndarray = (d.ndarray.values || []).map(valueToJs);
      else if (d.data_oneof === 'tftensor') data.tftensor = d.tftensor;
      out.data = data;
      break;
    }
    case 'binData':
      out.binData = m.binData;
      break;
    case 'strData':
      out.strData = m.strData;
      break;
    case 'jsonData':
      out.jsonData = valueToJs(m.jsonData);
      break;
    case 'customData':
      out.customData = m.customData;
      break;
    default:
      break;
  }
  return out;
}

function metaToProto(meta) {
  const out = {};
  if (!c.isPlainObject(meta)) return out;
  if (meta.puid) out.puid = String(meta.puid);
  if (c.isPlainObject(meta.tags))
    out.tags = Object.fromEntries(Object.entries(meta.tags).map(([k, v]) => [k, jsToValue(v)]));
  if (c.isPlainObject(meta.routing)) out.routing = meta.routing;
  if (c.isPlainObject(meta.requestPath))
    out.requestPath = Object.fromEntries(Object.entries(meta.requestPath).map(([k, v]) => [k, String(v)]));
  if (Array.isArray(meta.metrics)) {
    out.metrics = meta.metrics.map((m) => ({
      key: m.key,
      type: m.type,
      value: m.value,
      tags: Object.fromEntries(Object.entries(m.tags || {}).map(([k, v]) => [k, String(v)])),
    }));
  }
  return out;
}

function jsonToMessage(j) {
  if (!c.isPlainObject(j))
    throw new TypeError(`a gRPC answer must be a SeldonMessage object, got ${JSON.stringify(j)}`);
  const out = {};
  if ('meta' in j) out.meta = metaToProto(j.meta);
  if (c.isPlainObject(j.status)) {
    out.status = {
      code: j.status.code | 0,
      info: String(j.status.info ?? ''),
      reason: String(j.status.reason ?? ''),
      status: j.status.status === 1 || j.status.status === 'FAILURE' ? 'FAILURE' : 'SUCCESS',
    };
  }
  if (c.isPlainObject(j.data)) {
    const d = { names: (j.data.names || []).map(String) };
    if (c.isPlainObject(j.data.tensor))
      d.tensor = { shape: j.data.tensor.shape || [], values: j.data.tensor.values || [] };
    else if ('ndarray' in j.data) {
      if (!Array.isArray(j.data.ndarray))
        throw new TypeError(`a gRPC data.ndarray must be a list, got ${JSON.stringify(j.data.ndarray)}`);
      d.ndarray = { values: j.data.ndarray.map(jsToValue) };
    }
    out.data = d;
  } else if ('binData' in j)
    out.binData = Buffer.isBuffer(j.binData) ? j.binData : Buffer.from(String(j.binData), 'base64');
  else if ('strData' in j) out.strData = String(j.strData);
  else if ('jsonData' in j) out.jsonData = jsToValue(j.jsonData);
  return out;
}

function feedbackToJson(f) {
  const out = {};
  for (const key of ['request', 'response', 'truth']) if (f[key]) out[key] = messageToJson(f[key]);
  if (f.reward !== undefined) out.reward = f.reward;
  return out;
}

function metadataMessage(metadata) {
  if (!metadata) return {};
  const item = (i) => ({ ...i, ...(i.schema !== undefined ? { schema: jsToValue(i.schema) } : {}) });
  return {
    name: metadata.name,
    versions: metadata.versions,
    platform: metadata.platform,
    inputs: (metadata.inputs || []).map(item),
    outputs: (metadata.outputs || []).map(item),
    custom: metadata.custom,
  };
}

/**
 * The gRPC server with every seldon.protos service (not yet bound).
 * @param {import('./component').Component} component  @param {object|null} metadata
 * @param {import('./metrics').MetricsRecorder} recorder  @param {number} maxMessage bytes
 */
function createGrpcServer(component, metadata, recorder, maxMessage) {
  const definition = protoLoader.loadSync(path.join(PROTO_DIR, 'prediction.proto'), LOADER_OPTIONS);
  const protos = grpc.loadPackageDefinition(definition).seldon.protos;
  const server = new grpc.Server({
    'grpc.max_send_message_length': maxMessage,
    'grpc.max_receive_message_length': maxMessage,
  });

  const unary = (label, toJson, call) => async (rpc, callback) => {
    const started = process.hrtime.bigint();
    let code = 'OK';
    try {
      callback(null, jsonToMessage(await call(toJson(rpc.request))));
    } catch (err) {
      const [status, , info] = describe(err);
      const client = Boolean(err && err.fromRuntime) && status < 500; // the user's own exceptions are UNKNOWN, as grpcio
      code = client ? 'INVALID_ARGUMENT' : 'UNKNOWN';
      if (!client) console.error(err && err.stack ? err.stack : String(err));
      callback({
        code: client ? grpc.status.INVALID_ARGUMENT : grpc.status.UNKNOWN,
        details: `Exception calling application: ${info}`,
      });
    }
    recorder.request(label, 'grpc', code, Number(process.hrtime.bigint() - started) / 1e9);
  };
  const list = (m) => ({ seldonMessages: (m.seldonMessages || []).map(messageToJson) });
  const predict = unary(comp.PREDICT, messageToJson, (m) => component.predict(m));
  const feedback = unary(comp.FEEDBACK, feedbackToJson, (m) => component.sendFeedback(m));
  const transformInput = unary(comp.TRANSFORM_INPUT, messageToJson, (m) => component.transformInput(m));
  const transformOutput = unary(comp.TRANSFORM_OUTPUT, messageToJson, (m) => component.transformOutput(m));
  const route = unary(comp.ROUTE, messageToJson, (m) => component.route(m));
  const aggregate = unary(comp.AGGREGATE, list, (m) => component.aggregate(m));
  const meta = (_call, callback) => {
    callback(null, metadataMessage(metadata)); // invalid metadata: an empty message, as the reference
  };
  const graphMeta = (_call, callback) =>
    callback({
      code: grpc.status.UNIMPLEMENTED,
      details: 'GraphMetadata is answered by the Seldon executor, not a unit',
    });

  server.addService(protos.Generic.service, {
    TransformInput: transformInput,
    TransformOutput: transformOutput,
    Route: route,
    Aggregate: aggregate,
    SendFeedback: feedback,
  });
  server.addService(protos.Model.service, { Predict: predict, SendFeedback: feedback, Metadata: meta });
  server.addService(protos.Router.service, { Route: route, SendFeedback: feedback });
  server.addService(protos.Transformer.service, { TransformInput: transformInput });
  server.addService(protos.OutputTransformer.service, { TransformOutput: transformOutput });
  server.addService(protos.Combiner.service, { Aggregate: aggregate });
  server.addService(protos.Seldon.service, {
    Predict: predict,
    SendFeedback: feedback,
    ModelMetadata: meta,
    GraphMetadata: graphMeta,
  });
  return server;
}

module.exports = { createGrpcServer };
