# Reference values for a cohort with an analysis plan of its own (tests/test_cohort_plan.py):
# cohort_plan_input.csv is the cohort.csv the test writes (exposure arm, cluster clinic, grade,
# region, age), coded here as the plan declares it: horizon 180 days, age in bands 39 or
# younger / 40-54 / 55 or older, references control, 100, north and the first band; and the
# adjusted model with grade as strata instead of a covariate (the plan's strata: grade).
# Run from the repository root:  Rscript tests/reference/cohort_plan.R
# (writes cohort_plan_values.csv)
suppressPackageStartupMessages(library(survival))
f <- function(x) sprintf("%.15g", x)
d <- read.csv("tests/reference/cohort_plan_input.csv", na.strings = "",
              colClasses = c(grade = "character"))
horizon <- 180
d$arm <- factor(d$arm, levels = c("control", "intervention"))
d$grade <- factor(d$grade, levels = c("100", "50"))
d$region <- factor(d$region, levels = c("north", "middle", "south"))
d$age_band <- cut(d$age, c(-Inf, 39, 54, Inf), labels = c("-39", "40-54", "55+"))
models <- list(unadjusted = "arm", adjusted = c("arm", "age_band", "grade", "region"),
               stratified = c("arm", "age_band", "region", "strata(grade)"))
rows <- list()
add <- function(outcome, model, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(outcome = outcome, model = model,
                                          statistic = statistic, value = f(value))
}
control <- coxph.control(eps = 1e-12, iter.max = 100)
for (outcome in c("first_rtw", "full_rtw")) {
  days <- d[[paste0("days_to_", outcome)]]
  d$time <- pmin(days, horizon)
  d$status <- as.integer(d[[outcome]] == 1 & days <= horizon)
  for (model in names(models)) {
    vars <- models[[model]]
    m <- na.omit(d[, c("time", "status", "clinic", sub("strata\\((.*)\\)", "\\1", vars))])
    formula <- as.formula(paste("Surv(time, status) ~", paste(vars, collapse = " + ")))
    efron <- coxph(formula, data = m, ties = "efron", control = control)
    breslow <- coxph(formula, data = m, ties = "breslow", control = control)
    clustered <- coxph(formula, data = m, ties = "efron", cluster = clinic, control = control)
    add(outcome, model, "n", nrow(m))
    add(outcome, model, "efron_coef", coef(efron)[["armintervention"]])
    add(outcome, model, "efron_se", sqrt(vcov(efron)[1, 1]))
    add(outcome, model, "breslow_coef", coef(breslow)[["armintervention"]])
    add(outcome, model, "breslow_se", sqrt(vcov(breslow)[1, 1]))
    add(outcome, model, "robust_se", sqrt(vcov(clustered)[1, 1]))
  }
}
write.csv(do.call(rbind, rows), "tests/reference/cohort_plan_values.csv", row.names = FALSE,
          quote = FALSE)
