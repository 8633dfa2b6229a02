// Custom tags and metrics: counter, gauge and timer, with and without tags.
class TagsMetrics {
  predict(X) {
    return X;
  }
  tags() {
    return { model_tag: 'tm', number: 7 };
  }
  metrics() {
    return [
      { type: 'COUNTER', key: 'tm_counter', value: 1 },
      { type: 'COUNTER', key: 'tm_counter_tagged', value: 2, tags: { colour: 'red' } },
      { type: 'GAUGE', key: 'tm_gauge', value: 42.5 },
      { type: 'GAUGE', key: 'tm_gauge_tagged', value: 3, tags: { colour: 'blue' } },
      { type: 'TIMER', key: 'tm_timer', value: 20.5 },
      { type: 'TIMER', key: 'tm_timer_tagged', value: 1500, tags: { size: 'big' } },
    ];
  }
}
module.exports = TagsMetrics;
