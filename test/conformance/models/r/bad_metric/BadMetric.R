# A metric without a value (models/python/bad_metric/BadMetric.py).
initialise_seldon <- function(params) structure(list(), class = "bad_metric")
predict.bad_metric <- function(obj, newdata = list()) newdata
metrics.bad_metric <- function(obj) list(list(type = "COUNTER", key = "oops"))
