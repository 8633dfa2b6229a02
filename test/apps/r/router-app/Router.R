# Routes rows whose first feature is above 5 to child 1, others to child 0; counts rewards.
initialise_seldon <- function(params) {
  state <- new.env()
  state$rewards <- 0
  structure(list(state = state), class = "router")
}
route.router <- function(obj, data) if (as.numeric(data[[1]][1]) > 5) 1L else 0L
send_feedback.router <- function(obj, request = list(), reward = 1, truth = NULL, routing = NULL) {
  obj$state$rewards <- obj$state$rewards + reward
  NULL
}
