# Sleeps as many seconds as strData says, then echoes it (for the graceful-shutdown test).
initialise_seldon <- function(params) structure(list(), class = "slow")
predict.slow <- function(obj, newdata = list()) {
  Sys.sleep(as.numeric(newdata))
  newdata
}
