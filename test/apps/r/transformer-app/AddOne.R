# Adds one to every input value; an unknown offset parameter is typed (PREDICTIVE_UNIT_PARAMETERS).
initialise_seldon <- function(params) structure(list(offset = params$offset %||% 1L), class = "add_one")
transform_input.add_one <- function(obj, newdata = list()) newdata + obj$offset
