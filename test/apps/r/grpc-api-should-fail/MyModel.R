initialise_seldon <- function(params) structure(list(), class = "m")
