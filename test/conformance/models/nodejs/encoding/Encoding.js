// Returns JavaScript values a user method may return, chosen by the request (data.names[0], strData or jsonData.kind).
const OUTPUTS = {
  mixed_rows: () => [
    [1, 0.7, true],
    [2, 0.4, false],
  ],
  mixed_strings_rows: () => [
    [1, 'x'],
    [2, 'y'],
  ],
  none_in_rows: () => [
    [1, null],
    [2, 3],
  ],
  nan_in_dict: () => ({ x: NaN, y: Infinity, z: -Infinity }),
  nan_in_rows: () => [[1.0, NaN]],
  int_keys: () => ({ 1: 'a', 2: 'b' }),
};
const kind = (X, names) => (names && names.length ? names[0] : typeof X === 'string' ? X : X.kind);
class Encoding {
  predict(X, names) {
    const make = OUTPUTS[kind(X, names)];
    if (!make) throw new Error(`no JavaScript value for ${kind(X, names)}`);
    return make();
  }
}
module.exports = Encoding;
