'use strict';
/**
 * Calling the user's model: the transport-neutral half of every endpoint (a port of
 * src/seldon_s2i/runtime/component.py). Messages in and out are REST-form JSON objects; gRPC converts.
 *
 * User contract (each method optional, sync or async):
 *   predict(X, names, meta)  transform_input(X, names, meta)  transform_output(X, names, meta)
 *   route(X, names, meta) -> integer   aggregate(Xs, namesList)   send_feedback(X, names, reward, truth, routing)
 *   predict_raw(msg) / transform_input_raw / transform_output_raw / route_raw / aggregate_raw / send_feedback_raw
 *   tags() -> object   metrics() -> [{key, type, value, tags?}]   class_names() or .class_names
 *   health_status()   health_status_raw()   init_metadata()
 * A hook throwing SeldonNotImplementedError counts as absent. A result may be a SeldonResponse
 * ({data, tags, metrics}) to add runtime tags and metrics.
 */
const c = require('./codec');
const { isNotImplemented } = require('./errors');
const { validateMetrics } = require('./metrics');

const PREDICT = 'predict';
const TRANSFORM_INPUT = 'inputtransform';
const TRANSFORM_OUTPUT = 'outputtransform';
const ROUTE = 'router';
const AGGREGATE = 'aggregate';
const FEEDBACK = 'feedback';
const HEALTH = 'health';
const NOT_FOUND = Symbol('not found');

/** A result with runtime tags and metrics: return new SeldonResponse(data, tags, metrics). */
class SeldonResponse {
  constructor(data, tags = {}, metrics = []) {
    this.data = data;
    this.tags = tags;
    this.metrics = metrics;
  }
}

function unwrap(result) {
  if (
    result &&
    typeof result === 'object' &&
    result.constructor &&
    result.constructor.name === 'SeldonResponse' &&
    'data' in result
  ) {
    return [result.data, { ...(result.tags || {}) }, [...(result.metrics || [])]];
  }
  return [result, {}, []];
}

/**
 * A feedback answer as the reference gives it: it goes through the SeldonMessage proto on both
 * transports, whose JSON form leaves out empty repeated fields (data.names, tensor values and shape) and
 * enum zeros (a metric's type COUNTER).
 */
function protoView(message) {
  const data = message.data;
  if (c.isPlainObject(data)) {
    if (Array.isArray(data.names) && data.names.length === 0) delete data.names;
    if (c.isPlainObject(data.tensor))
      for (const k of ['shape', 'values']) if (data.tensor[k].length === 0) delete data.tensor[k];
  }
  const metrics = message.meta && message.meta.metrics;
  if (Array.isArray(metrics))
    message.meta.metrics = metrics.map(({ type, ...rest }) => (type === 'COUNTER' ? rest : { type, ...rest }));
  return message;
}

/** The user object plus what is known about it at start-up. */
class Component {
  /**
   * @param {object} user  the model object  @param {object} settings  settings.parseSettings()
   * @param {import('./metrics').MetricsRecorder} recorder
   */
  constructor(user, settings, recorder) {
    this.user = user;
    this.recorder = recorder;
    this.includeMetrics = settings.includeMetricsInResponse;
    this.executorEnabled = settings.executorEnabled;
    const id = settings.identity;
    this.unitId = id.unitIdSet ? id.unitId : null;
    this.unitPath = id.unitIdSet ? { [id.unitId]: id.image || `${id.imageName}:${id.imageVersion}` } : {};
    this.classNames = () => this.userClassNames();
  }

  has(name) {
    return typeof this.user[name] === 'function';
  }

  userClassNames() {
    const source = this.user.class_names;
    if (source == null) return null;
    if (typeof source !== 'function') return source;
    try {
      return source.call(this.user);
    } catch (err) {
      if (isNotImplemented(err)) return null;
      throw err;
    }
  }

  /** The hook's result, or NOT_FOUND when it is absent or not implemented. */
  async optional(name, ...args) {
    if (!this.has(name)) return NOT_FOUND;
    try {
      return await this.user[name](...args);
    } catch (err) {
      if (isNotImplemented(err)) return NOT_FOUND;
      throw err;
    }
  }

  async raw(name, message, method) {
    const result = await this.optional(name, message);
    if (result === NOT_FOUND) return result;
    const metrics =
      result && c.isPlainObject(result.meta) && Array.isArray(result.meta.metrics) ? result.meta.metrics : [];
    if (metrics.length) {
      try {
        this.recorder.record(validateMetrics(metrics), method);
      } catch (err) {
        console.error(err.message);
      }
      if (!this.includeMetrics) delete result.meta.metrics;
    }
    return result;
  }

  async userTags() {
    const tags = await this.optional('tags');
    return c.isPlainObject(tags) ? tags : {};
  }

  async customMetrics(runtimeMetrics, method) {
    const own = await this.optional('metrics');
    const metrics = [...(own === NOT_FOUND ? [] : validateMetrics(own)), ...validateMetrics(runtimeMetrics)];
    if (!metrics.length) return [];
    this.recorder.record(metrics, method);
    return metrics.map((m) => (c.isPlainObject(m.tags) ? { ...m, tags: { ...m.tags, method } } : m));
  }

  /** Response meta: the request metas merged in order, then the model's and the runtime's tags and metrics. */
  async buildMeta(method, runtimeTags, runtimeMetrics, incoming) {
    const tags = {};
    const requestPath = { ...this.unitPath };
    const metrics = [];
    const puid = incoming.length && incoming[0] ? incoming[0].puid : undefined;
    for (const meta of incoming) {
      if (!meta) continue;
      if (c.isPlainObject(meta.tags)) Object.assign(tags, meta.tags);
      if (c.isPlainObject(meta.requestPath)) Object.assign(requestPath, meta.requestPath);
      if (Array.isArray(meta.metrics)) metrics.push(...meta.metrics);
    }
    Object.assign(tags, await this.userTags(), runtimeTags);
    const custom = await this.customMetrics(runtimeMetrics, method);
    if (this.includeMetrics) metrics.push(...custom);
    const out = {};
    if (puid) out.puid = puid;
    if (Object.keys(tags).length) out.tags = tags;
    if (metrics.length) out.metrics = metrics;
    if (Object.keys(requestPath).length) out.requestPath = requestPath;
    return out;
  }

  async respond(result, request, method, incoming) {
    let [data, tags, metrics] = unwrap(result);
    if (data == null && method === FEEDBACK) data = [];
    const output = c.shapeOutput(data, request.kind, this.classNames);
    const meta = await this.buildMeta(method, tags, metrics, incoming ?? [request.meta || {}]);
    return c.encode(output, meta);
  }

  /** POST /predict. @param {object} message a REST SeldonMessage @returns {Promise<object>} */
  async predict(message) {
    const raw = await this.raw('predict_raw', message, PREDICT);
    if (raw !== NOT_FOUND) return raw;
    const request = c.decode(message);
    const result = this.has('predict') ? await this.user.predict(request.X, request.names, request.meta) : [];
    return this.respond(result, request, PREDICT);
  }

  async transform(base, method, message) {
    const raw = await this.raw(`${base}_raw`, message, method);
    if (raw !== NOT_FOUND) return raw;
    const request = c.decode(message);
    const result = this.has(base) ? await this.user[base](request.X, request.names, request.meta) : request.X;
    return this.respond(result, request, method);
  }

  transformInput(message) {
    return this.transform('transform_input', TRANSFORM_INPUT, message);
  }

  transformOutput(message) {
    return this.transform('transform_output', TRANSFORM_OUTPUT, message);
  }

  /** POST /route: the child index as [[n]]; a non-integer is a 400. */
  async route(message) {
    const raw = await this.raw('route_raw', message, ROUTE);
    if (raw !== NOT_FOUND) return raw;
    const request = c.decode(message);
    if (!this.has('route')) throw c.bad('Route not defined');
    const [data, tags, metrics] = unwrap(await this.user.route(request.X, request.names, request.meta));
    if (!Number.isInteger(data)) throw c.bad(`Routing response must be int but got ${data}`);
    const output = c.shapeOutput([[data]], request.kind, this.classNames);
    const puid = request.meta && request.meta.puid;
    return c.encode(output, await this.buildMeta(ROUTE, tags, metrics, puid ? [{ puid }] : []));
  }

  /** POST /aggregate: a list of SeldonMessages (or {seldonMessages}). */
  async aggregate(body) {
    const raw = await this.raw('aggregate_raw', body, AGGREGATE);
    if (raw !== NOT_FOUND) return raw;
    const requests = c.decodeList(body);
    if (!this.has('aggregate')) throw c.bad('Aggregate not defined');
    const result = await this.user.aggregate(
      requests.map((r) => r.X),
      requests.map((r) => r.names),
    );
    return this.respond(
      result,
      requests[0],
      AGGREGATE,
      requests.map((r) => r.meta || {}),
    );
  }

  /** POST /send-feedback: {request, response, reward, truth} (a Feedback message in JSON form). */
  async sendFeedback(feedback) {
    if (!c.isPlainObject(feedback)) throw c.bad(`Invalid JSON: ${JSON.stringify(feedback)}`);
    for (const key of Object.keys(feedback)) {
      if (!['request', 'response', 'reward', 'truth'].includes(key))
        throw c.bad(`Invalid JSON: Feedback has no field named "${key}"`);
    }
    const raw = await this.raw('send_feedback_raw', feedback, FEEDBACK);
    if (raw !== NOT_FOUND) return raw;
    const dataOnly = (m) =>
      c.isPlainObject(m) && c.isPlainObject(m.data)
        ? c.decode({ data: m.data, meta: m.meta })
        : { X: [], names: [], kind: 'none', meta: undefined };
    const request = dataOnly(feedback.request);
    const truth = dataOnly(feedback.truth);
    const reward = Number(feedback.reward ?? 0);
    let result = null;
    if (this.has('send_feedback')) {
      const routing = feedback.response && feedback.response.meta && feedback.response.meta.routing;
      const route = this.unitId !== null && routing && this.unitId in routing ? routing[this.unitId] : null;
      const got = await this.optional('send_feedback', request.X, request.names, reward, truth.X, route);
      result = got === NOT_FOUND ? null : got;
    }
    if (reward !== 0 && this.executorEnabled) this.recorder.feedback(reward);
    return protoView(await this.respond(result, request, FEEDBACK, []));
  }

  /** GET /health/status: health_status_raw() as is, else health_status() encoded like a response. */
  async healthStatus() {
    const raw = await this.optional('health_status_raw');
    if (raw !== NOT_FOUND) return raw;
    let result = 'healthy';
    if (this.has('health_status')) {
      const got = await this.optional('health_status');
      result = got === NOT_FOUND ? 'not implemented - assuming healthy' : got;
    }
    return this.respond(result, { X: null, names: [], kind: 'none', meta: {} }, HEALTH, []);
  }
}

module.exports = {
  Component,
  SeldonResponse,
  PREDICT,
  TRANSFORM_INPUT,
  TRANSFORM_OUTPUT,
  ROUTE,
  AGGREGATE,
  FEEDBACK,
  HEALTH,
};
