"""Custom tags and metrics: counter, gauge and timer, with and without tags.

seldon-core 1.17.1's create_* helpers take no tags, so tagged metrics are written as dicts."""
from seldon_core.metrics import create_counter, create_timer


class TagsMetrics:
    def predict(self, X, features_names, **kwargs):
        return X

    def tags(self):
        return {"model_tag": "tm", "number": 7}

    def metrics(self):
        return [
            create_counter("tm_counter", 1),
            {"type": "COUNTER", "key": "tm_counter_tagged", "value": 2, "tags": {"colour": "red"}},
            {"type": "GAUGE", "key": "tm_gauge", "value": 42.5},
            {"type": "GAUGE", "key": "tm_gauge_tagged", "value": 3, "tags": {"colour": "blue"}},
            create_timer("tm_timer", 20.5),
            {"type": "TIMER", "key": "tm_timer_tagged", "value": 1500, "tags": {"size": "big"}},
        ]
