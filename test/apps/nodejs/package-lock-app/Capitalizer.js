// Uses an npm dependency installed from package-lock.json (npm ci): capitalizes strData.
const capitalize = require('capitalize');

class Capitalizer {
  predict(X) {
    return typeof X === 'string' ? capitalize.words(X) : X;
  }
}
module.exports = Capitalizer;
