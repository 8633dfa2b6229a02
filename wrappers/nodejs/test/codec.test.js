'use strict';
// The codec: what user methods receive, the response rules, and JSON with NaN/Infinity.
const test = require('node:test');
const assert = require('node:assert/strict');
const c = require('../lib/codec');

const noNames = () => null;

test('a tensor is reshaped to nested arrays; values that do not fit the shape are a 400', () => {
  assert.deepEqual(c.decode({ data: { tensor: { shape: [2, 2], values: [1, 2, 3, 4] } } }).X, [
    [1, 2],
    [3, 4],
  ]);
  assert.throws(
    () => c.decode({ data: { tensor: { shape: [3, 3], values: [1, 2] } } }),
    (err) => err.statusCode === 400,
  );
});

test('a ragged ndarray, invalid base64 and an unknown payload are 400s from the runtime', () => {
  for (const message of [{ data: { ndarray: [[1, 2], [3]] } }, { binData: '!!not*base64??' }, { foo: 1 }, [1, 2]]) {
    assert.throws(
      () => c.decode(message),
      (err) => err.statusCode === 400 && err.fromRuntime === true,
    );
  }
});

test('binData decodes to a Buffer, strData to a string, jsonData as it is', () => {
  assert.deepEqual(c.decode({ binData: 'AAFo' }).X, Buffer.from([0, 1, 0x68]));
  assert.equal(c.decode({ strData: 'hi' }).X, 'hi');
  assert.deepEqual(c.decode({ jsonData: { a: [1] } }).X, { a: [1] });
});

test('numeric rows keep the request kind; without data they become a tensor, with t:N names', () => {
  assert.deepEqual(c.shapeOutput([[1, 2]], 'ndarray', noNames), {
    kind: 'ndarray',
    value: [[1, 2]],
    names: ['t:0', 't:1'],
  });
  assert.deepEqual(c.shapeOutput([[1, 2]], 'strData', noNames), {
    kind: 'tensor',
    value: { shape: [1, 2], values: [1, 2] },
    names: ['t:0', 't:1'],
  });
  assert.deepEqual(c.shapeOutput([[1, 2]], 'tensor', () => ['a', 'b']).names, ['a', 'b']);
});

test('objects, strings and Buffers pick jsonData, strData and binData; a scalar or nothing is a 400', () => {
  assert.equal(c.shapeOutput({ a: 1 }, 'ndarray', noNames).kind, 'jsonData');
  assert.equal(c.shapeOutput('x', 'ndarray', noNames).kind, 'strData');
  assert.equal(c.shapeOutput(Buffer.from('x'), 'ndarray', noNames).kind, 'binData');
  for (const value of [3.5, null, undefined, true]) {
    assert.throws(() => c.shapeOutput(value, 'ndarray', noNames), /Unknown data type returned as payload/);
  }
});

test('JSON answers write NaN and Infinity as Python does; requests may carry them', () => {
  assert.equal(
    c.toJson({ x: NaN, y: [Infinity, -Infinity], z: null, s: 'NaN' }),
    '{"x":NaN,"y":[Infinity,-Infinity],"z":null,"s":"NaN"}',
  );
  const parsed = c.parseJson('{"v": [NaN, -Infinity], "s": "NaN here"}');
  assert.ok(Number.isNaN(parsed.v[0]));
  assert.equal(parsed.v[1], -Infinity);
  assert.equal(parsed.s, 'NaN here');
  assert.throws(() => c.parseJson('{"data": '), SyntaxError);
});

test('JSON nested deeper than 1024 levels is refused at parse time, as the Python wrapper does', () => {
  const deep = (n) => '['.repeat(n) + ']'.repeat(n);
  assert.equal(c.parseJson(`{"data":{"ndarray":${deep(1000)}}}`).data.ndarray.length, 1);
  assert.throws(() => c.parseJson(deep(100000)), /nested deeper than 1024 levels/);
  assert.throws(() => c.parseJson(`{"data":{"ndarray":${deep(2000)}}}`), SyntaxError);
});
