// Returns SeldonResponse with runtime tags and metrics, on top of static tags().
const { SeldonResponse } = require('seldon-s2i-nodejs');
const twice = (x) => (Array.isArray(x) ? x.map(twice) : x * 2);
class SeldonResponseModel {
  predict(X) {
    return new SeldonResponse(twice(X), { runtime: 'yes', model_tag: 'overridden' }, [
      { type: 'GAUGE', key: 'sr_gauge', value: 5 },
    ]);
  }
  transform_input(X) {
    return new SeldonResponse(X, { stage: 'input' });
  }
  route() {
    return new SeldonResponse(1, { routed: true });
  }
  tags() {
    return { model_tag: 'static' };
  }
}
module.exports = SeldonResponseModel;
