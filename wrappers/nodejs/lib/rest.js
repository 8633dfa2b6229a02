'use strict';
/**
 * The REST transport on node:http: seldon-core 1.17.1's routes (spec §2, as src/seldon_s2i/runtime/rest/).
 *
 * A SeldonMessage arrives as a JSON body (application/json or application/*+json), a form or query
 * field `json=`, or multipart/form-data (busboy): text parts parsed as JSON except strData, file parts
 * as UTF-8 text except a binData file, whose bytes are the payload. Every answer is JSON with CORS
 * headers; every error a Seldon status body: 400 for the client's mistakes, 500 for the model's, and
 * unknown routes and methods 500 as the reference answers them (spec §9.1).
 */
const http = require('node:http');
const busboy = require('busboy');
const c = require('./codec');
const { SeldonMicroserviceException, describe, statusBody, BAD_METADATA } = require('./errors');
const comp = require('./component');

const NO_JSON = "Can't find JSON in data";
const TOO_LARGE = 'Request body larger than the limit (SELDON_S2I_MAX_REQUEST_BYTES)';
const CORS_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';
const NOT_FOUND_TEXT =
  '404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
const NOT_ALLOWED_TEXT = '405 Method Not Allowed: The method is not allowed for the requested URL.';

/** path -> {methods, label, handler(message)} for the SeldonMessage routes, plus health, metadata. */
function routeTable(component, metadata) {
  const both = ['GET', 'POST'];
  const post = ['POST'];
  const table = new Map();
  const add = (paths, methods, label, handler, kind = 'message') => {
    for (const p of paths) table.set(p, { methods, label, handler, kind });
  };
  add(['/predict'], both, comp.PREDICT, (m) => component.predict(m));
  add(['/api/v1.0/predictions', '/api/v0.1/predictions'], post, comp.PREDICT, (m) => component.predict(m));
  add(['/send-feedback'], both, comp.FEEDBACK, (m) => component.sendFeedback(m));
  add(['/api/v1.0/feedback', '/api/v0.1/feedback'], post, comp.FEEDBACK, (m) => component.sendFeedback(m));
  add(['/transform-input'], both, comp.TRANSFORM_INPUT, (m) => component.transformInput(m));
  add(['/transform-output'], both, comp.TRANSFORM_OUTPUT, (m) => component.transformOutput(m));
  add(['/route'], both, comp.ROUTE, (m) => component.route(m));
  add(['/aggregate'], both, comp.AGGREGATE, (m) => component.aggregate(m));
  add(['/health/status', '/api/v1.0/health/status'], ['GET'], comp.HEALTH, () => component.healthStatus(), 'none');
  add(
    ['/metadata', '/api/v1.0/metadata'],
    ['GET'],
    null,
    () => {
      if (metadata === null) throw new SeldonMicroserviceException('Model metadata unavailable', 500, BAD_METADATA);
      return metadata;
    },
    'none',
  );
  add(['/health/ping'], ['GET'], null, null, 'ping');
  return table;
}

function corsHeaders(req) {
  const origin = req.headers.origin;
  return origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : { 'Access-Control-Allow-Origin': '*' };
}

/** The whole body as a Buffer, refusing more than `limit` bytes with a 413. */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] || 0);
    if (declared > limit) {
      req.resume();
      reject(new SeldonMicroserviceException(TOO_LARGE, 413));
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(new SeldonMicroserviceException(TOO_LARGE, 413));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJsonOr400(text) {
  try {
    return c.parseJson(text);
  } catch {
    throw new SeldonMicroserviceException(NO_JSON);
  }
}

/** A multipart/form-data SeldonMessage (see the module comment). */
function readMultipart(req, limit) {
  return new Promise((resolve, reject) => {
    const message = {};
    const files = {};
    let failed = null;
    let parser;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: limit, fieldSize: limit } });
    } catch (err) {
      reject(new SeldonMicroserviceException(`malformed multipart request: ${err.message}`));
      return;
    }
    parser.on('field', (name, value) => {
      try {
        message[name] = name === 'strData' ? value : parseJsonOr400(value);
      } catch (err) {
        failed = failed || err;
      }
    });
    parser.on('file', (name, stream) => {
      const chunks = [];
      stream.on('data', (d) => chunks.push(d));
      stream.on('end', () => {
        files[name] = Buffer.concat(chunks);
      });
    });
    parser.on('error', (err) => reject(new SeldonMicroserviceException(`malformed multipart request: ${err.message}`)));
    parser.on('close', () => {
      if (failed) {
        reject(failed);
        return;
      }
      for (const [name, content] of Object.entries(files)) {
        if (name === 'binData') {
          message[name] = content.toString('base64');
          continue;
        }
        const text = new TextDecoder('utf-8', { fatal: true });
        try {
          message[name] = text.decode(content);
        } catch {
          reject(
            new SeldonMicroserviceException(`multipart part '${name}' is not UTF-8 text: send binary files as binData`),
          );
          return;
        }
      }
      resolve(message);
    });
    req.pipe(parser);
  });
}

function isJsonType(type) {
  const mime = (type || '').split(';', 1)[0].trim().toLowerCase();
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/** The request's SeldonMessage: multipart, then a `json=` form or query field, then a JSON body. */
async function readMessage(req, url, limit) {
  const type = req.headers['content-type'] || '';
  if (type.includes('multipart/form-data')) return readMultipart(req, limit);
  const body = await readBody(req, limit);
  if (type.split(';', 1)[0].trim().toLowerCase() === 'application/x-www-form-urlencoded') {
    const field = new URLSearchParams(body.toString('utf8')).get('json');
    if (field !== null) return parseJsonOr400(field);
  }
  const query = url.searchParams.get('json');
  if (query !== null) return parseJsonOr400(query);
  if (isJsonType(type) && body.length) {
    const message = parseJsonOr400(body.toString('utf8'));
    if (message === null) throw new SeldonMicroserviceException(NO_JSON);
    return message;
  }
  throw new SeldonMicroserviceException(NO_JSON);
}

function send(res, status, body, headers) {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': payload.length, ...headers });
  res.end(payload);
}

/** (status, body) of a result: a raw result may choose its status through status.code. */
function messageAnswer(result) {
  let status = 200;
  const code = result && c.isPlainObject(result.status) ? result.status.code : undefined;
  if (Number.isInteger(code) && code >= 100 && code <= 599) status = code;
  return [status, c.toJson(result)];
}

function errorAnswer(err) {
  const [status, reason, info] = describe(err);
  if (status >= 500 && !(err && err.name === 'SeldonMicroserviceException'))
    console.error(err && err.stack ? err.stack : String(err));
  else console.error(info);
  return [status, c.toJson(statusBody(info, reason))];
}

/**
 * The REST server (not yet listening).
 * @param {import('./component').Component} component  @param {object|null} metadata
 * @param {import('./metrics').MetricsRecorder} recorder  @param {number} maxRequestBytes
 * @returns {http.Server}
 */
function createRestServer(component, metadata, recorder, maxRequestBytes) {
  const table = routeTable(component, metadata);
  return http.createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url, 'http://localhost');
    const route = table.get(url.pathname);
    const cors = corsHeaders(req);
    if (req.method === 'OPTIONS' && route) {
      const headers = { ...cors, Allow: [...route.methods, 'HEAD', 'OPTIONS'].sort().join(', ') };
      if (req.headers['access-control-request-method']) {
        headers['Access-Control-Allow-Methods'] = CORS_METHODS;
        if (req.headers['access-control-request-headers'])
          headers['Access-Control-Allow-Headers'] = req.headers['access-control-request-headers'];
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': 0, ...headers });
      res.end();
      return;
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (route && route.kind === 'ping' && method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': 4, ...cors });
      res.end(req.method === 'HEAD' ? undefined : 'pong');
      return;
    }
    let status;
    let body;
    try {
      if (!route) throw new SeldonMicroserviceException(NOT_FOUND_TEXT, 500, 'MICROSERVICE_INTERNAL_ERROR');
      if (!route.methods.includes(method))
        throw new SeldonMicroserviceException(NOT_ALLOWED_TEXT, 500, 'MICROSERVICE_INTERNAL_ERROR');
      const message = route.kind === 'message' ? await readMessage(req, url, maxRequestBytes) : undefined;
      [status, body] = messageAnswer(await route.handler(message));
    } catch (err) {
      [status, body] = errorAnswer(err);
      req.resume();
    }
    if (req.method === 'HEAD') body = '';
    send(res, status, body, cors);
    if (route && route.label)
      recorder.request(route.label, 'rest', status, Number(process.hrtime.bigint() - started) / 1e9);
  });
}

module.exports = { createRestServer };
