# Its health status is [[1, 2, 3]] (models/python/health/HealthModel.py).
initialise_seldon <- function(params) structure(list(), class = "health_model")
predict.health_model <- function(obj, newdata = list()) newdata
health_status.health_model <- function(obj) matrix(1:3, nrow = 1)
