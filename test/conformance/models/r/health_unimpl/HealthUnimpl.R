# No health_status method (models/python/health_unimpl/HealthUnimpl.py).
initialise_seldon <- function(params) structure(list(), class = "health_unimpl")
predict.health_unimpl <- function(obj, newdata = list()) newdata
