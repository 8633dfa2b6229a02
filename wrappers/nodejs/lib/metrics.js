'use strict';
/**
 * Prometheus metrics with prom-client, served on their own port and path (metricsServer in server.js).
 *
 * The names and labels of the Python wrapper (src/seldon_s2i/runtime/metrics.py, seldon-core 1.17.1 §6):
 * the user's COUNTER/GAUGE/TIMER metrics labelled with their tags plus deployment_name, model_name,
 * model_image, model_version, predictor_name, predictor_version, seldon_deployment_name, image_name,
 * image_version, worker_id and method; TIMER values are milliseconds, observed as seconds in the
 * reference's histogram buckets; seldon_api_model_feedback(_reward) counters; and
 * seldon_s2i_requests_total / seldon_s2i_request_duration_seconds per method, transport and code.
 */
const client = require('prom-client');
const { SeldonMicroserviceException, BAD_METRIC } = require('./errors');

const METRIC_TYPES = ['COUNTER', 'GAUGE', 'TIMER'];
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
// seldon-core 1.17.1's TIMER buckets (np.logspace(-3, log10(30), 50)[1:]), as metrics.py writes them out.
const TIMER_BUCKETS = [
  0.001, 0.0012341553253454693, 0.0015231393670785815, 0.0018797905611233593, 0.0023199535315445415,
  0.002863183005509725, 0.0035336125536884733, 0.004361026750842238, 0.005382184388525997, 0.006642451525090608,
  0.008197816923039709, 0.010117379411776668, 0.012486417679584786, 0.015410178873747385, 0.019018554321561593,
  0.02347185009632733, 0.028967908792092944, 0.03575089889988335, 0.04412216226317852, 0.05445360152285871,
  0.06720420230367624, 0.0829404241586763, 0.10236136616184238, 0.12632982515827532, 0.15591062646904755,
  0.19241792993472334, 0.2374736129208902, 0.2930793240153456, 0.3617054084821892, 0.44640065608455204,
  0.5509277469444613, 0.6799304127720881, 0.8391397397870157, 1.035628778567157, 1.2781267721496807, 1.5774069623151439,
  1.9467652027782552, 2.402610642206036, 2.965194718810281, 3.65951085290597, 4.516404807273444, 5.573945044312399,
  6.879113959621136, 8.489895126924782, 10.477849282518772, 12.931293490187748, 15.959224724520412, 19.696162182151948,
  24.30812344597087, 29.999999999999996,
];

/**
 * The list of {key, type, value[, tags]} a user returned, or a 500 MICROSERVICE_BAD_METRIC.
 * @returns {object[]}
 */
function validateMetrics(metrics) {
  if (!Array.isArray(metrics))
    throw new SeldonMicroserviceException('Bad metric created during request: metrics must be a list', 500, BAD_METRIC);
  for (const m of metrics) {
    const ok =
      m &&
      typeof m === 'object' &&
      typeof m.key === 'string' &&
      METRIC_TYPES.includes(m.type) &&
      typeof m.value === 'number' &&
      (m.tags === undefined || (m.tags && typeof m.tags === 'object' && !Array.isArray(m.tags)));
    if (!ok)
      throw new SeldonMicroserviceException(
        `Bad metric created during request: ${JSON.stringify(metrics)}`,
        500,
        BAD_METRIC,
      );
  }
  return metrics;
}

/** One process's metrics registry and the recording of samples into it. */
class MetricsRecorder {
  /** @param {object} identity  settings.identity */
  constructor(identity) {
    this.registry = new client.Registry();
    this.custom = new Map();
    this.fixed = {
      deployment_name: identity.deployment,
      model_name: identity.unitId,
      model_image: identity.imageName,
      model_version: identity.imageVersion,
      predictor_name: identity.predictor,
      predictor_version: identity.predictorVersion,
      seldon_deployment_name: identity.deployment,
      image_name: identity.imageName,
      image_version: identity.imageVersion,
      worker_id: String(process.pid),
    };
    this.requests = new client.Counter({
      name: 'seldon_s2i_requests_total',
      help: 'Requests served, by method, transport and status',
      labelNames: ['method', 'transport', 'code'],
      registers: [this.registry],
    });
    this.latency = new client.Histogram({
      name: 'seldon_s2i_request_duration_seconds',
      help: 'Request latency, by method and transport',
      labelNames: ['method', 'transport'],
      buckets: REQUEST_BUCKETS,
      registers: [this.registry],
    });
  }

  metric(kind, key, labelNames) {
    const id = `${kind}\u0000${key}\u0000${labelNames.join(',')}`;
    let metric = this.custom.get(id);
    if (!metric) {
      const registers = [this.registry];
      if (kind === 'COUNTER')
        metric = new client.Counter({
          name: key.endsWith('_total') ? key : `${key}_total`,
          help: key,
          labelNames,
          registers,
        });
      else if (kind === 'GAUGE') metric = new client.Gauge({ name: key, help: key, labelNames, registers });
      else metric = new client.Histogram({ name: key, help: key, labelNames, buckets: TIMER_BUCKETS, registers });
      this.custom.set(id, metric);
    }
    return metric;
  }

  /** Record validated custom metrics for endpoint `method`. @throws 500 BAD_METRIC (a bad name, a clash) */
  record(metrics, method) {
    for (const item of metrics) {
      const labels = {};
      for (const [k, v] of Object.entries(item.tags || {})) labels[k] = String(v);
      Object.assign(labels, this.fixed, { method });
      try {
        const metric = this.metric(item.type, item.key, Object.keys(labels).sort()).labels(labels);
        if (item.type === 'COUNTER') metric.inc(item.value);
        else if (item.type === 'GAUGE') metric.set(item.value);
        else metric.observe(item.value / 1000);
      } catch (err) {
        throw new SeldonMicroserviceException(
          `Bad metric created during request: ${JSON.stringify(item)}: ${err.message}`,
          500,
          BAD_METRIC,
        );
      }
    }
  }

  /** seldon-core's feedback counters (a negative reward counts as feedback, not in the reward total). */
  feedback(reward) {
    const samples = [{ type: 'COUNTER', key: 'seldon_api_model_feedback', value: 1 }];
    if (reward > 0) samples.push({ type: 'COUNTER', key: 'seldon_api_model_feedback_reward', value: reward });
    this.record(samples, 'feedback');
  }

  /** One served request: its count and latency (seconds). */
  request(method, transport, code, seconds) {
    this.requests.labels(method, transport, String(code)).inc();
    this.latency.labels(method, transport).observe(seconds);
  }

  /**
   * The text exposition. Whole-number bucket bounds are written as Python's prometheus_client writes
   * them (le="1.0", prom-client: le="1"): dashboards select on the label's text.
   * @returns {Promise<string>}
   */
  async exposition() {
    return (await this.registry.metrics()).replace(/le="(\d+)"/g, 'le="$1.0"');
  }
}

module.exports = { MetricsRecorder, validateMetrics, TIMER_BUCKETS };
