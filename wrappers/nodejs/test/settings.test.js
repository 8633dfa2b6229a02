'use strict';
// The start-up rules: ports by API_TYPE (the Python wrapper's resolve_ports), parameters, arguments.
const test = require('node:test');
const assert = require('node:assert/strict');
const { parseSettings, resolvePorts, UsageError } = require('../lib/settings');
const { parseParameters } = require('../lib/loader');

test('API_TYPE=REST serves REST only, on 5000', () => {
  assert.deepEqual(resolvePorts({}, 'REST'), { http: 5000, grpc: null, metrics: 6000 });
});

test('API_TYPE=GRPC serves gRPC only, on 5000', () => {
  assert.deepEqual(resolvePorts({}, 'grpc'), { http: null, grpc: 5000, metrics: 6000 });
});

test('no API_TYPE or both serve REST 9000 and gRPC 5000', () => {
  assert.deepEqual(resolvePorts({}, ''), { http: 9000, grpc: 5000, metrics: 6000 });
  assert.deepEqual(resolvePorts({}, 'REST,GRPC'), { http: 9000, grpc: 5000, metrics: 6000 });
});

test('explicit PREDICTIVE_UNIT_*_PORT variables win, and turn a listener on', () => {
  const env = {
    PREDICTIVE_UNIT_HTTP_SERVICE_PORT: '8080',
    PREDICTIVE_UNIT_GRPC_SERVICE_PORT: '8081',
    PREDICTIVE_UNIT_METRICS_SERVICE_PORT: '8082',
  };
  assert.deepEqual(resolvePorts(env, 'REST'), { http: 8080, grpc: 8081, metrics: 8082 });
});

test('a port that is no port is a UsageError naming it', () => {
  assert.throws(() => resolvePorts({ PREDICTIVE_UNIT_HTTP_SERVICE_PORT: '99999' }, ''), UsageError);
  assert.throws(() => resolvePorts({ PREDICTIVE_UNIT_GRPC_SERVICE_PORT: 'x' }, ''), /grpc port must be an integer/);
});

test('the service type comes from --service-type, is upper-cased, and must be a Seldon one', () => {
  assert.equal(parseSettings(['M.js', '--service-type', 'router'], {}).serviceType, 'ROUTER');
  assert.throws(() => parseSettings(['M.js', '--service-type', 'SERVER'], {}), /SERVICE_TYPE=SERVER is not one of/);
  assert.throws(
    () => parseSettings(['M.js', '--bogus'], {}),
    (err) => err instanceof UsageError && err.exitCode === 255,
  );
});

test('PREDICTIVE_UNIT_PARAMETERS become one typed options object', () => {
  const text = JSON.stringify([
    { name: 'a', value: '3', type: 'INT' },
    { name: 'b', value: '2.5', type: 'FLOAT' },
    { name: 'c', value: 'hi', type: 'STRING' },
    { name: 'd', value: 'true', type: 'BOOL' },
    { name: 'e', value: '1e3', type: 'DOUBLE' },
  ]);
  assert.deepEqual(parseParameters(text), { a: 3, b: 2.5, c: 'hi', d: true, e: 1000 });
});

test('a parameter of the wrong type or an unknown type is a UsageError', () => {
  assert.throws(() => parseParameters('[{"name": "a", "value": "x", "type": "INT"}]'), /a="x" is not a INT/);
  assert.throws(() => parseParameters('[{"name": "a", "value": "1", "type": "LONG"}]'), UsageError);
  assert.throws(() => parseParameters('{not json'), /not JSON/);
});
