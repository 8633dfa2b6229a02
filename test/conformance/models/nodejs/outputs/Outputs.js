// Returns different JavaScript values, chosen by strData (or jsonData.kind); other payloads echo.
const OUTPUTS = {
  strings: () => [
    ['a', 'b'],
    ['c', 'd'],
  ],
  strings_list: () => [['a', 'b']],
  mixed_list: () => [[1, 'x', 2.5, null, true]],
  bools: () => [[true, false]],
  dict: () => ({ b: 2, a: [1, 2.5, 'three'], nested: { é: 'ü', none: null } }),
  str: () => 'héllo wörld',
  bytes: () => Buffer.from([0, 1, ...Buffer.from('binary'), 255]),
  ints: () => [
    [1, 2],
    [3, 4],
  ],
  '1d': () => [1.5, 2.5],
  '3d': () => [
    [
      [0, 0],
      [0, 0],
      [0, 0],
    ],
  ],
  empty_list: () => [],
  list_floats: () => [
    [1.0, 2.0],
    [3.0, 4.0],
  ],
  unicode_list: () => [['\u20ac', '\u{1F600}']],
  ints_floats_list: () => [
    [1, 2.5],
    [3, 4],
  ],
  mixed_1d_list: () => [1, 'a', 2.5],
  list_of_dicts: () => [{ a: 1 }, { b: [1, 2] }],
  int: () => 42,
  float: () => 0.25,
  bool: () => true,
  none_in_dict: () => ({ a: null, b: [null] }),
};
class Outputs {
  predict(X) {
    if (typeof X === 'string') return OUTPUTS[X]();
    if (X && !Array.isArray(X) && typeof X === 'object' && !Buffer.isBuffer(X)) return OUTPUTS[X.kind]();
    return X;
  }
}
module.exports = Outputs;
