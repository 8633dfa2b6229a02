# An rpart tree of iris (trained by install.R at build time): class probabilities per row.
library(rpart)
initialise_seldon <- function(params) {
  structure(list(fit = readRDS("model.Rds"), greeting = hellor::greeting("seldon")), class = "mymodel")
}
predict.mymodel <- function(obj, newdata = list()) {
  names(newdata) <- c("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width")
  predict(obj$fit, newdata = newdata)
}
tags.mymodel <- function(obj) list(greeting = obj$greeting)
