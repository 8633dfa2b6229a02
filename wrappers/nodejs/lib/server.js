'use strict';
/**
 * Start-up and shutdown: settings, the model, then the REST, gRPC and metrics listeners of one process
 * (Node serves concurrently on one event loop; the model sees one call at a time unless it awaits).
 * SIGTERM/SIGINT stop accepting, finish in-flight requests (up to 30 s), then exit 0.
 */
const http = require('node:http');
const grpc = require('@grpc/grpc-js');
const { parseSettings, UsageError } = require('./settings');
const { loadModel } = require('./loader');
const { buildMetadata } = require('./metadata');
const { MetricsRecorder } = require('./metrics');
const { Component } = require('./component');
const { createRestServer } = require('./rest');
const { createGrpcServer } = require('./grpc');

const GRACE_MS = 30000;
const IDLE_SWEEP_MS = 100;

function listenHttp(server, port, host, name) {
  return new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new UsageError(
          `cannot listen on ${name} port ${port}: ${err.code || err.message} (choose another with PREDICTIVE_UNIT_${name.toUpperCase()}_SERVICE_PORT)`,
          1,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
}

function bindGrpc(server, port, host) {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err) => {
      if (err)
        reject(
          new UsageError(
            `cannot listen on grpc port ${port}: ${err.message} (choose another with PREDICTIVE_UNIT_GRPC_SERVICE_PORT)`,
            1,
          ),
        );
      else resolve();
    });
  });
}

function metricsServer(recorder, path) {
  return http.createServer(async (req, res) => {
    if (req.url.split('?', 1)[0] === path && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = Buffer.from(await recorder.exposition());
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not Found\n');
  });
}

/**
 * Stop accepting and resolve once every connection is closed. An in-flight request's keep-alive
 * connection becomes idle only after its answer, so idle connections are closed until none is left
 * (close() alone closes those idle at the time, and a client's pooled connection would otherwise hold
 * the process until the keep-alive timeout, past the operator's grace period).
 * @param {http.Server} server  @returns {Promise<void>}
 */
function closeHttp(server) {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Serve the model until SIGTERM/SIGINT.
 * @param {string[]} argv  arguments after the script  @param {object} env  process.env
 * @returns {Promise<void>} resolved once every listener listens
 * @throws {UsageError} a user mistake (settings, MODEL_NAME, ports); the model's own errors as they are
 */
async function serve(argv, env) {
  const settings = parseSettings(argv, env);
  const user = await loadModel(settings.modelName, process.cwd(), settings.parameters);
  const metadata = buildMetadata(user, settings.identity.image, settings.modelMetadata);
  const recorder = new MetricsRecorder(settings.identity);
  const component = new Component(user, settings, recorder);
  const { http: httpPort, grpc: grpcPort, metrics: metricsPort } = settings.ports;
  const closers = [];
  if (httpPort !== null) {
    const rest = createRestServer(component, metadata, recorder, settings.maxRequestBytes);
    rest.keepAliveTimeout = 65000;
    await listenHttp(rest, httpPort, settings.host, 'http');
    closers.push(() => closeHttp(rest));
  }
  if (grpcPort !== null) {
    const server = createGrpcServer(component, metadata, recorder, settings.grpcMaxMessage);
    await bindGrpc(server, grpcPort, settings.host);
    closers.push(() => new Promise((resolve) => server.tryShutdown(() => resolve())));
  }
  const metrics = metricsServer(recorder, settings.metricsPath);
  await listenHttp(metrics, metricsPort, settings.host, 'metrics');
  closers.push(() => closeHttp(metrics));
  console.log(
    `serving ${settings.modelName} (${settings.serviceType}) on ${settings.host}: REST ${httpPort ?? 'off'}, gRPC ${grpcPort ?? 'off'}, metrics ${metricsPort}${settings.metricsPath}`,
  );

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests`);
    setTimeout(() => {
      console.error('in-flight requests did not finish in time; exiting');
      process.exit(0);
    }, GRACE_MS).unref();
    Promise.all(closers.map((close) => close())).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

module.exports = { serve };
