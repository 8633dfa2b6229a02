// metrics() returns an invalid metric (no value): 500 MICROSERVICE_BAD_METRIC.
class BadMetric {
  predict(X) {
    return X;
  }
  metrics() {
    return [{ type: 'COUNTER', key: 'oops' }];
  }
}
module.exports = BadMetric;
