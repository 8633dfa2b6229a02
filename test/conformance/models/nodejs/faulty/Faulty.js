// Misbehaves on request (strData selects how): user errors, wrong return types.
const { SeldonMicroserviceException } = require('seldon-s2i-nodejs');
class Faulty {
  predict(X) {
    if (X === 'seldon-418') throw new SeldonMicroserviceException('I am a teapot', 418, 'TEAPOT');
    if (X === 'seldon-default') throw new SeldonMicroserviceException('bad input here');
    if (X === 'plain') throw new Error('plain failure');
    if (X === 'none') return null;
    if (X === 'tuple') return Object.freeze([1, 2]);
    if (X === 'scalar') return 3.5;
    if (X === 'key') throw new Error("'missing'");
    return X;
  }
  transform_input() {
    throw new Error('transform failed');
  }
}
module.exports = Faulty;
