# Reference values for the case-weighted (collapsed) cohort statistics: R's weighted fits
# against the fits on the replicated rows (one per person). Run from the repository root:
#   Rscript tests/reference/collapsed.R
# writes collapsed_input.csv (the persons, one row each) and collapsed_values.csv (15 digits).
# Findings (survival 3.x): with integer case weights, Breslow coxph, survfit and survdiff equal
# the replicated rows; Efron coxph does not (its d is the number of tied rows), nor does the
# robust variance without clusters (each weighted row one cluster), nor cox.zph.
suppressPackageStartupMessages(library(survival))
f <- function(x) sprintf("%.15g", x)
out <- "tests/reference"
rows <- list()
add <- function(fit, ties, statistic, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    fit = fit, ties = ties, statistic = statistic, term = term, value = f(value))
}
control <- coxph.control(eps = 1e-12, toler.chol = 1e-13, iter.max = 100)

# 400 persons in days 1-30 (many ties), x in 0-2, group a/b, 12 clusters; the first 150 are
# one pattern (day 10, event, x = 1, group a), spread over the clusters.
set.seed(20261207)
n <- 400
d <- data.frame(time = sample(1:30, n, TRUE), status = rbinom(n, 1, 0.6),
  x = sample(0:2, n, TRUE), group = sample(c("a", "b"), n, TRUE), cluster = sample(1:12, n, TRUE))
d$time[1:150] <- 10; d$status[1:150] <- 1; d$x[1:150] <- 1; d$group[1:150] <- "a"
write.csv(d, file.path(out, "collapsed_input.csv"), row.names = FALSE)
collapsed <- aggregate(weight ~ time + status + x + group + cluster,
  data = transform(d, weight = 1), FUN = sum)

for (ties in c("efron", "breslow")) {
  fits <- list(
    replicated = coxph(Surv(time, status) ~ x + group, data = d, ties = ties, control = control,
      robust = TRUE),
    weighted = coxph(Surv(time, status) ~ x + group, data = collapsed, weights = weight,
      ties = ties, control = control, robust = TRUE))
  clustered <- list(
    replicated = coxph(Surv(time, status) ~ x + group, data = d, ties = ties,
      control = control, cluster = cluster),
    weighted = coxph(Surv(time, status) ~ x + group, data = collapsed, weights = weight,
      ties = ties, control = control, cluster = cluster))
  for (fit in names(fits)) {
    m <- fits[[fit]]
    for (j in seq_along(coef(m))) {
      term <- names(coef(m))[j]
      add(fit, ties, "coef", term, coef(m)[j])
      add(fit, ties, "se", term, sqrt(m$naive.var[j, j]))
      add(fit, ties, "robust_se", term, sqrt(m$var[j, j]))
      add(fit, ties, "cluster_se", term, sqrt(clustered[[fit]]$var[j, j]))
    }
    add(fit, ties, "loglik", "", m$loglik[2])
    z <- cox.zph(update(m, robust = FALSE), transform = "km")
    for (term in rownames(z$table)) add(fit, ties, "zph_chisq", term, z$table[term, "chisq"])
  }
}
km <- list(
  replicated = survfit(Surv(time, status) ~ 1, data = d),
  weighted = survfit(Surv(time, status) ~ 1, data = collapsed, weights = weight))
for (fit in names(km)) {
  s <- summary(km[[fit]], times = c(5, 10, 20))
  for (i in seq_along(s$time)) {
    add(fit, "", "km_surv", s$time[i], s$surv[i])
    add(fit, "", "km_std_err", s$time[i], s$std.err[i])
  }
}
add("replicated", "", "logrank_chisq", "", survdiff(Surv(time, status) ~ group, data = d)$chisq)
write.csv(do.call(rbind, rows), file.path(out, "collapsed_values.csv"), row.names = FALSE)
