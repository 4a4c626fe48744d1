# Reference values for the cohort chapter's competing-risks, restricted-mean, stratified-Cox and
# risk-table statistics, from R's survival package. Run from the repository root:
#   Rscript tests/reference/competing.R
# writes competing_input_<data>.csv (the data as used) and competing_values.csv (15 digits).
suppressPackageStartupMessages(library(survival))
f <- function(x) sprintf("%.15g", x)
out <- "tests/reference"
rows <- list()
add <- function(data, analysis, group, statistic, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    data = data, analysis = analysis, group = group, statistic = statistic, term = term,
    value = ifelse(is.na(value), "NA", f(value)))
}
control <- coxph.control(eps = 1e-12, iter.max = 100)

# Competing-risks data: time, status (0 censored, 1 and 2 the two causes), group, x, stratum.
# "simulated": 150 persons in weeks (many ties), a group "c" of about 15;
# "mgus2": plasma-cell malignancy (1) or death (2) first, by sex (survival::mgus2, months).
set.seed(20261207)
n <- 150
group <- sample(c("a", "b", "c"), n, replace = TRUE, prob = c(0.45, 0.45, 0.1))
x <- round(rnorm(n), 2)
stratum <- sample(c("s1", "s2", "s3"), n, replace = TRUE)
rate1 <- 0.010 * exp(0.5 * x) * ifelse(group == "b", 1.6, ifelse(group == "c", 0.7, 1))
rate2 <- 0.006 * ifelse(stratum == "s2", 2, 1)
t1 <- rexp(n, rate1)
t2 <- rexp(n, rate2)
censor <- runif(n, 20, 300)
first <- pmin(t1, t2, censor)
simulated <- data.frame(
  time = ceiling(first / 7), status = ifelse(first == censor, 0, ifelse(first == t1, 1, 2)),
  group = group, x = x, stratum = stratum)
m <- na.omit(survival::mgus2[, c("ptime", "pstat", "futime", "death", "sex", "age")])
mgus2 <- data.frame(
  time = ifelse(m$pstat == 1, m$ptime, m$futime),
  status = ifelse(m$pstat == 1, 1, 2 * m$death), group = as.character(m$sex),
  x = m$age, stratum = ifelse(m$age < 70, "under70", "70plus"))
sets <- list(simulated = simulated, mgus2 = mgus2)
grids <- list(simulated = c(0, 5, 10, 20, 30, 40), mgus2 = c(0, 60, 120, 180, 240, 300))
horizons <- list(simulated = 30, mgus2 = 240)

for (name in names(sets)) {
  d <- sets[[name]]
  write.csv(d, file.path(out, paste0("competing_input_", name, ".csv")), row.names = FALSE)
  # Aalen-Johansen: survfit on a factor status is multi-state; std.err is the infinitesimal
  # jackknife, the interval conf.type = "log" (the default) on each state's probability.
  aj <- survfit(Surv(time, factor(status)) ~ group, data = d)
  stopifnot(aj$conf.type == "log")
  s <- summary(aj, times = sort(unique(d$time)), extend = TRUE)
  for (i in seq_along(s$time)) {
    g <- sub("group=", "", as.character(s$strata[i]))
    for (k in c("1", "2")) {
      j <- match(k, s$states)
      t <- as.character(s$time[i])
      add(name, "cif", g, paste0("estimate_", k), t, s$pstate[i, j])
      add(name, "cif", g, paste0("se_", k), t, s$std.err[i, j])
      add(name, "cif", g, paste0("lower_", k), t, s$lower[i, j])
      add(name, "cif", g, paste0("upper_", k), t, s$upper[i, j])
    }
  }
  for (k in 1:2) {
    test <- survdiff(Surv(time, status == k) ~ group, data = d)
    add(name, paste0("logrank_", k), "", "chisq", "", test$chisq)
    add(name, paste0("logrank_", k), "", "df", "", length(test$n) - 1)
    # cause-specific Cox: the competing cause censored
    for (ties in c("efron", "breslow")) {
      fit <- coxph(Surv(time, status == k) ~ group + x, data = d, ties = ties, control = control)
      co <- summary(fit)$coefficients
      for (term in rownames(co)) {
        add(name, paste0("cox_", k, "_", ties), "", "coef", term, co[term, "coef"])
        add(name, paste0("cox_", k, "_", ties), "", "se", term, co[term, "se(coef)"])
        add(name, paste0("cox_", k, "_", ties), "", "p", term, co[term, "Pr(>|z|)"])
      }
    }
  }
  # Restricted mean time free of any event to the horizon (survival:::survmean, as
  # print(survfit, rmean = tau)); difference and ratio by the normal approximation (survRM2).
  tau <- horizons[[name]]
  km <- survfit(Surv(time, status > 0) ~ group, data = d)
  r <- survival:::survmean(km, rmean = tau)$matrix
  for (g in rownames(r)) {
    add(name, "rmst", sub("group=", "", g), "rmean", as.character(tau), r[g, "rmean"])
    add(name, "rmst", sub("group=", "", g), "se", as.character(tau), r[g, "se(rmean)"])
  }
  z <- qnorm(0.975)
  a <- r[2, ]
  b <- r[1, ]
  diff <- a["rmean"] - b["rmean"]
  diff_se <- sqrt(a["se(rmean)"]^2 + b["se(rmean)"]^2)
  log_ratio <- log(a["rmean"] / b["rmean"])
  log_ratio_se <- sqrt((a["se(rmean)"] / a["rmean"])^2 + (b["se(rmean)"] / b["rmean"])^2)
  pair <- paste(sub("group=", "", rownames(r)[2]), sub("group=", "", rownames(r)[1]), sep = "-")
  add(name, "rmst_difference", pair, "estimate", as.character(tau), diff)
  add(name, "rmst_difference", pair, "lower", as.character(tau), diff - z * diff_se)
  add(name, "rmst_difference", pair, "upper", as.character(tau), diff + z * diff_se)
  add(name, "rmst_difference", pair, "p", as.character(tau), 2 * pnorm(-abs(diff / diff_se)))
  add(name, "rmst_ratio", pair, "estimate", as.character(tau), exp(log_ratio))
  add(name, "rmst_ratio", pair, "lower", as.character(tau), exp(log_ratio - z * log_ratio_se))
  add(name, "rmst_ratio", pair, "upper", as.character(tau), exp(log_ratio + z * log_ratio_se))
  add(name, "rmst_ratio", pair, "p", as.character(tau),
      2 * pnorm(-abs(log_ratio / log_ratio_se)))
  # Stratified Cox (any event) and cox.zph on the stratified fit.
  for (ties in c("efron", "breslow")) {
    fit <- coxph(Surv(time, status > 0) ~ group + x + strata(stratum), data = d, ties = ties,
                 control = control)
    co <- summary(fit)$coefficients
    robust <- coxph(Surv(time, status > 0) ~ group + x + strata(stratum), data = d, ties = ties,
                    cluster = seq_len(nrow(d)), control = control)
    for (term in rownames(co)) {
      add(name, paste0("strata_", ties), "", "coef", term, co[term, "coef"])
      add(name, paste0("strata_", ties), "", "se", term, co[term, "se(coef)"])
      add(name, paste0("strata_", ties), "", "robust_se", term, sqrt(vcov(robust)[term, term]))
    }
    add(name, paste0("strata_", ties), "", "loglik", "", fit$loglik[2])
    for (transform in c("km", "rank")) {
      zph <- cox.zph(fit, transform = transform)$table
      for (term in rownames(zph)) {
        add(name, paste0("strata_zph_", ties, "_", transform), "", "chisq", term,
            zph[term, "chisq"])
        add(name, paste0("strata_zph_", ties, "_", transform), "", "df", term, zph[term, "df"])
        add(name, paste0("strata_zph_", ties, "_", transform), "", "p", term, zph[term, "p"])
      }
    }
  }
  # Risk table (KMunicate): at risk, cumulative events and censored at the grid times.
  s <- summary(km, times = grids[[name]], extend = TRUE)
  for (i in seq_along(s$time)) {
    g <- sub("group=", "", as.character(s$strata[i]))
    first <- match(s$strata[i], s$strata)
    t <- as.character(s$time[i])
    add(name, "risk_table", g, "at_risk", t, s$n.risk[i])
    add(name, "risk_table", g, "events", t, sum(s$n.event[first:i]))
    add(name, "risk_table", g, "censored", t, sum(s$n.censor[first:i]))
  }
}

# cox.zph per stratum alongside: veteran with strata(celltype).
vet <- survival::veteran
fit <- coxph(Surv(time, status) ~ trt + karno + age + strata(celltype), data = vet,
             control = control)
write.csv(data.frame(time = vet$time, status = vet$status, trt = vet$trt, karno = vet$karno,
                     age = vet$age, stratum = as.character(vet$celltype)),
          file.path(out, "competing_input_veteran.csv"), row.names = FALSE)
co <- summary(fit)$coefficients
for (term in rownames(co)) {
  add("veteran", "strata_efron", "", "coef", term, co[term, "coef"])
  add("veteran", "strata_efron", "", "se", term, co[term, "se(coef)"])
}
for (transform in c("km", "rank")) {
  zph <- cox.zph(fit, transform = transform)$table
  for (term in rownames(zph)) {
    add("veteran", paste0("strata_zph_efron_", transform), "", "chisq", term, zph[term, "chisq"])
    add("veteran", paste0("strata_zph_efron_", transform), "", "p", term, zph[term, "p"])
  }
}

write.csv(do.call(rbind, rows), file.path(out, "competing_values.csv"), row.names = FALSE)
