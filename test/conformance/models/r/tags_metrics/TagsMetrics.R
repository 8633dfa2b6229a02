# Model tags and every kind of custom metric (models/python/tags_metrics/TagsMetrics.py).
initialise_seldon <- function(params) structure(list(), class = "tags_metrics")
predict.tags_metrics <- function(obj, newdata = list()) newdata
tags.tags_metrics <- function(obj) list(model_tag = "tm", number = 7L)
metrics.tags_metrics <- function(obj) {
  list(
    list(type = "COUNTER", key = "tm_counter", value = 1L),
    list(type = "COUNTER", key = "tm_counter_tagged", value = 2L, tags = list(colour = "red")),
    list(type = "GAUGE", key = "tm_gauge", value = 42.5),
    list(type = "GAUGE", key = "tm_gauge_tagged", value = 3L, tags = list(colour = "blue")),
    list(type = "TIMER", key = "tm_timer", value = 20.5),
    list(type = "TIMER", key = "tm_timer_tagged", value = 1500L, tags = list(size = "big"))
  )
}
