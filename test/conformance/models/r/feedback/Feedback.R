# Answers feedback with [reward, size of request, size of truth, routing or -1]
# (models/python/feedback/Feedback.py).
initialise_seldon <- function(params) structure(list(), class = "feedback")
predict.feedback <- function(obj, newdata = list()) newdata
send_feedback.feedback <- function(obj, request = list(), reward = 1, truth = NULL, routing = NULL) {
  size <- function(x) if (is.data.frame(x)) nrow(x) * ncol(x) else length(x)
  matrix(c(reward, size(request), size(truth), if (is.null(routing)) -1 else routing) * 1.0, nrow = 1)
}
