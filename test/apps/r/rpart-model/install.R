# Installs hellor from the local repository of R_REPOS (.s2i/environment), and trains the model at
# build time: an rpart classification tree of iris, saved as model.Rds.
install.packages("hellor")
library(rpart)
saveRDS(rpart(Species ~ ., data = iris), "model.Rds")
