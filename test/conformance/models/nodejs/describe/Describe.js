// Reports what the user method received: the type and JSON of X (predict).
function describe(value) {
  const type = Buffer.isBuffer(value)
    ? 'bytes'
    : Array.isArray(value)
      ? 'list'
      : value === null
        ? 'None'
        : typeof value;
  return [type, Buffer.isBuffer(value) ? value.toString('base64') : JSON.stringify(value)];
}
class Describe {
  predict(X, names) {
    return { X: describe(X), names: describe(names) };
  }
}
module.exports = Describe;
module.exports.describe = describe;
