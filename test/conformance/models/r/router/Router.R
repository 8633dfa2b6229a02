# Routes to the first number of its input; 3 fails, 4 routes to -1 (models/python/router/Router.py;
# R has no separate int64 type, so 2 routes to 2).
initialise_seldon <- function(params) structure(list(), class = "router")
route.router <- function(obj, data) {
  first <- as.numeric(unlist(data))[1]
  if (first == 3) stop("no route for 3")
  if (first == 4) return(-1)
  first
}
