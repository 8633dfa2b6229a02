// health_status throws SeldonNotImplementedError: 'not implemented - assuming healthy'.
const { SeldonNotImplementedError } = require('seldon-s2i-nodejs');
class HealthUnimpl {
  predict(X) {
    return X;
  }
  health_status() {
    throw new SeldonNotImplementedError();
  }
}
module.exports = HealthUnimpl;
