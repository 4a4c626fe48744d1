# Three small designs on which no Cox model exists (tests/test_cohort_reference.py expects
# NotEstimable with the reason in cox_degenerate_input.csv): what R's coxph makes of them.
# Run from the repository root:  Rscript tests/reference/cox_degenerate.R
#   (reads cox_degenerate_input.csv, writes cox_degenerate_values.csv)
suppressPackageStartupMessages(library(survival))
d <- read.csv("tests/reference/cox_degenerate_input.csv")
rows <- list()
for (design in unique(d$design)) {
  warnings <- character()
  fit <- withCallingHandlers(
    coxph(Surv(time, event) ~ a + b + c, d[d$design == design, ]),
    warning = function(w) {
      warnings <<- c(warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  rows[[design]] <- data.frame(
    design = design, term = names(coef(fit)), coef = sprintf("%.15g", coef(fit)),
    se = sprintf("%.15g", sqrt(diag(fit$var))), iterations = fit$iter,
    warning = paste(warnings, collapse = "; "))
}
write.csv(do.call(rbind, rows), "tests/reference/cox_degenerate_values.csv", row.names = FALSE)
