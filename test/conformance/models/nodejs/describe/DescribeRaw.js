// Reports what predict_raw received: type and JSON of every key of the message.
const { describe } = require('./Describe');
class DescribeRaw {
  predict_raw(msg) {
    return { jsonData: Object.fromEntries(Object.entries(msg).map(([k, v]) => [k, describe(v)])) };
  }
}
module.exports = DescribeRaw;
