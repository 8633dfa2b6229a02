// Raw hooks: get the whole message (its REST JSON form on both transports) and return one.
const { SeldonNotImplementedError } = require('seldon-s2i-nodejs');
class Raw {
  predict_raw(msg) {
    if (msg.strData === 'fallback') throw new SeldonNotImplementedError('use the normal path');
    if (msg.strData === 'status')
      return { status: { code: 422, info: 'raw says no', reason: 'RAW', status: 'FAILURE' } };
    return {
      jsonData: { raw: 'predict', keys: Object.keys(msg).sort() },
      meta: { metrics: [{ type: 'COUNTER', key: 'raw_counter', value: 1 }] },
    };
  }
  predict() {
    return { normal: 'path' };
  }
  transform_input_raw(msg) {
    return { strData: 'raw transform-input', meta: msg.meta || {} };
  }
  transform_output_raw() {
    return { strData: 'raw transform-output' };
  }
  route_raw() {
    return { data: { ndarray: [[3]] } };
  }
  aggregate_raw(msgs) {
    if (Array.isArray(msgs)) return { jsonData: { count: msgs.length, kind: 'list' } };
    return { jsonData: { count: (msgs.seldonMessages || []).length, kind: 'dict' } };
  }
}
module.exports = Raw;
