// Reads the request meta and reports what it saw.
const shape = (x) => (Array.isArray(x) ? [x.length, ...(x.length ? shape(x[0]) : [])] : []);
class MetaAware {
  predict(X, names, meta) {
    return {
      meta_type: meta === undefined || meta === null ? 'NoneType' : 'dict',
      meta: meta ?? null,
      names: names ?? null,
      x_type: Array.isArray(X) ? 'ndarray' : typeof X === 'string' ? 'str' : 'dict',
      x_dtype: Array.isArray(X) ? 'int64' : '',
      x_shape: shape(X),
    };
  }
  transform_input(X, names, meta) {
    return [[Object.keys((meta && meta.tags) || {}).length]];
  }
}
module.exports = MetaAware;
