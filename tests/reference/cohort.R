# Reference values for the cohort chapter on the shipped synthetic cohort, from R's survival
# package. cohort_input.csv is the chapter's analysis frame (censored at 360 days) with the
# dummy-coded covariates as the chapter codes them (NA where the variable is missing).
# Run from the repository root:  Rscript tests/reference/cohort.R   (writes cohort_values.csv)
suppressPackageStartupMessages(library(survival))
f <- function(x) sprintf("%.15g", x)
d <- read.csv("tests/reference/cohort_input.csv", check.names = FALSE)
confounders <- c("age_group_31-49", "age_group_50+", "sex_male", "marital_status_no_partner",
                 "education_upper_secondary", "education_university_short",
                 "education_university_long", "diagnosis_group_psychiatric",
                 "diagnosis_group_cancer", "diagnosis_group_other", "pain_rest_yes",
                 "pain_activity_yes", "depressive_mood_yes", "anxiety_yes",
                 "prior_sick_leave_yes", "household_income_middle", "household_income_high")
models <- list(
  cox_unadjusted = "coordinator",
  cox_without_programme_type = c("coordinator", confounders),
  cox_adjusted = c("coordinator", confounders, "programme_type_treatment",
                   "programme_type_follow_up"))
rows <- list()
add <- function(outcome, model, statistic, value) {
  rows[[length(rows) + 1]] <<- data.frame(outcome = outcome, model = model,
                                          statistic = statistic, value = f(value))
}
control <- coxph.control(eps = 1e-12, iter.max = 100)
for (outcome in c("first_rtw", "full_rtw")) {
  for (model in names(models)) {
    vars <- models[[model]]
    m <- na.omit(d[, c(paste0("days_to_", outcome), outcome, "programme_id", vars)])
    names(m)[1:2] <- c("time", "status")
    x <- as.matrix(m[, vars, drop = FALSE])
    efron <- coxph(Surv(m$time, m$status) ~ x, ties = "efron", control = control)
    breslow <- coxph(Surv(m$time, m$status) ~ x, ties = "breslow", control = control)
    clustered <- coxph(Surv(m$time, m$status) ~ x, ties = "efron", cluster = m$programme_id,
                       control = control)
    add(outcome, model, "n", nrow(m))
    add(outcome, model, "efron_hr", exp(coef(efron)[1]))
    add(outcome, model, "efron_se", sqrt(vcov(efron)[1, 1]))
    add(outcome, model, "efron_p", summary(efron)$coefficients[1, "Pr(>|z|)"])
    add(outcome, model, "breslow_hr", exp(coef(breslow)[1]))
    add(outcome, model, "breslow_se", sqrt(vcov(breslow)[1, 1]))
    add(outcome, model, "cluster_se", sqrt(vcov(clustered)[1, 1]))
    add(outcome, model, "cluster_p", summary(clustered)$coefficients[1, "Pr(>|z|)"])
    for (transform in c("km", "rank")) {
      zph <- cox.zph(efron, transform = transform, terms = FALSE)$table
      add(outcome, model, paste0("zph_", transform, "_coordinator_chisq"), zph[1, "chisq"])
      add(outcome, model, paste0("zph_", transform, "_coordinator_p"), zph[1, "p"])
      add(outcome, model, paste0("zph_", transform, "_global_chisq"), zph["GLOBAL", "chisq"])
      add(outcome, model, paste0("zph_", transform, "_global_df"), zph["GLOBAL", "df"])
      add(outcome, model, paste0("zph_", transform, "_global_p"), zph["GLOBAL", "p"])
    }
  }
  time <- d[[paste0("days_to_", outcome)]]
  status <- d[[outcome]]
  for (group in c(1, 0)) {
    name <- if (group == 1) "coordinator" else "no_coordinator"
    for (type in c("log", "log-log")) {
      q <- quantile(survfit(Surv(time, status) ~ 1, subset = d$coordinator == group,
                            conf.type = type), probs = 0.5)
      add(outcome, paste0("km_", name, "_", type), "median", q$quantile)
      add(outcome, paste0("km_", name, "_", type), "lower", q$lower)
      add(outcome, paste0("km_", name, "_", type), "upper", q$upper)
    }
  }
  test <- survdiff(Surv(time, status) ~ coordinator, data = d)
  add(outcome, "logrank", "chisq", test$chisq)
}
write.csv(do.call(rbind, rows), "tests/reference/cohort_values.csv", row.names = FALSE)
