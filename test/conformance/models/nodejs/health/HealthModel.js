// health_status returns an array; metadata defaults.
class HealthModel {
  predict(X) {
    return X;
  }
  health_status() {
    return [[1, 2, 3]];
  }
}
module.exports = HealthModel;
