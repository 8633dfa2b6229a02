install.packages("a.package.that.is.nowhere")
