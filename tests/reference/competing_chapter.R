# Reference values for the cohort chapter's declared competing outcome and RMSTs on the
# foreign cohort of tests/helpers.py (competing_cohort), from R's survival package. Run from
# the repository root, after writing the input with
#   .venv/bin/python -c 'from tests.helpers import *; write_competing_reference_input()'
#   Rscript tests/reference/competing_chapter.R
# writes competing_chapter_values.csv (15 digits).
suppressPackageStartupMessages(library(survival))
f <- function(x) sprintf("%.15g", x)
out <- "tests/reference"
rows <- list()
add <- function(analysis, group, statistic, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    analysis = analysis, group = group, statistic = statistic, term = term,
    value = ifelse(is.na(value), "NA", f(value)))
}
control <- coxph.control(eps = 1e-12, iter.max = 100)
follow_up <- 360
d <- read.csv(file.path(out, "competing_chapter_input.csv"), stringsAsFactors = FALSE)
d$coordinator <- factor(d$coordinator, levels = c("no", "yes"))
# Follow-up ends at day 360: a later end is censored there.
codes <- c(censored = 0, rtw = 1, aap = 2, uforetrygd = 3)
d$time <- pmin(d$days_to_end, follow_up)
d$status <- ifelse(d$days_to_end <= follow_up, codes[d$end_type], 0)
d$first_time <- pmin(d$days_to_first_rtw, follow_up)
d$first_event <- as.integer(d$first_rtw == 1 & d$days_to_first_rtw <= follow_up)

# Aalen-Johansen cumulative incidence by coordinator, read at the declared times.
times <- c(30, 90, 180, 270, 360)
aj <- survfit(Surv(time, factor(status)) ~ coordinator, data = d)
stopifnot(aj$conf.type == "log")
s <- summary(aj, times = times, extend = TRUE)
for (i in seq_along(s$time)) {
  g <- sub("coordinator=", "", as.character(s$strata[i]))
  for (k in names(codes)[-1]) {
    j <- match(as.character(codes[k]), s$states)
    t <- as.character(s$time[i])
    add("cif", g, paste0("estimate_", k), t, s$pstate[i, j])
    add("cif", g, paste0("lower_", k), t, s$lower[i, j])
    add("cif", g, paste0("upper_", k), t, s$upper[i, j])
  }
}
# Risk table of the event of interest (competing events and censoring as "ended otherwise").
km_rtw <- survfit(Surv(time, status == 1) ~ coordinator, data = d)
s <- summary(km_rtw, times = times, extend = TRUE)
for (i in seq_along(s$time)) {
  g <- sub("coordinator=", "", as.character(s$strata[i]))
  first <- match(s$strata[i], s$strata)
  t <- as.character(s$time[i])
  add("risk_table", g, "at_risk", t, s$n.risk[i])
  add("risk_table", g, "events", t, sum(s$n.event[first:i]))
  add("risk_table", g, "censored", t, sum(s$n.censor[first:i]))
}
# Cause-specific log-rank tests and Cox models (Efron), the other causes censored.
for (k in names(codes)[-1]) {
  test <- survdiff(Surv(time, status == codes[k]) ~ coordinator, data = d)
  add(paste0("logrank_", k), "", "chisq", "", test$chisq)
  fit <- coxph(Surv(time, status == codes[k]) ~ coordinator, data = d, control = control)
  co <- summary(fit)$coefficients
  ci <- summary(fit)$conf.int
  add(paste0("cox_", k), "", "hr", "", ci[1, "exp(coef)"])
  add(paste0("cox_", k), "", "lower", "", ci[1, "lower .95"])
  add(paste0("cox_", k), "", "upper", "", ci[1, "upper .95"])
  add(paste0("cox_", k), "", "p", "", co[1, "Pr(>|z|)"])
}
# RMST: of the time free of every cause to day 180, and of the time to first RTW to day 360.
rmst <- function(name, fit, tau) {
  r <- survival:::survmean(fit, rmean = tau)$matrix
  for (g in rownames(r)) {
    add(name, sub("coordinator=", "", g), "rmean", "", r[g, "rmean"])
    add(name, sub("coordinator=", "", g), "se", "", r[g, "se(rmean)"])
  }
  z <- qnorm(0.975)
  a <- r["coordinator=yes", ]
  b <- r["coordinator=no", ]
  diff <- a["rmean"] - b["rmean"]
  diff_se <- sqrt(a["se(rmean)"]^2 + b["se(rmean)"]^2)
  log_ratio <- log(a["rmean"] / b["rmean"])
  log_ratio_se <- sqrt((a["se(rmean)"] / a["rmean"])^2 + (b["se(rmean)"] / b["rmean"])^2)
  add(name, "yes-no", "difference", "estimate", diff)
  add(name, "yes-no", "difference", "lower", diff - z * diff_se)
  add(name, "yes-no", "difference", "upper", diff + z * diff_se)
  add(name, "yes-no", "difference", "p", 2 * pnorm(-abs(diff / diff_se)))
  add(name, "yes-no", "ratio", "estimate", exp(log_ratio))
  add(name, "yes-no", "ratio", "lower", exp(log_ratio - z * log_ratio_se))
  add(name, "yes-no", "ratio", "upper", exp(log_ratio + z * log_ratio_se))
  add(name, "yes-no", "ratio", "p", 2 * pnorm(-abs(log_ratio / log_ratio_se)))
}
rmst("rmst_leaving_sick_leave", survfit(Surv(time, status > 0) ~ coordinator, data = d), 180)
rmst("rmst_first_rtw", survfit(Surv(first_time, first_event) ~ coordinator, data = d), 360)

write.csv(do.call(rbind, rows), file.path(out, "competing_chapter_values.csv"), row.names = FALSE)
