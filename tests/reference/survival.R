# Reference values for the cohort chapter's survival statistics, from R's survival package on
# its bundled data sets. Run from the repository root:
#   Rscript tests/reference/survival.R
# writes survival_input_<data>.csv (the data as used) and survival_values.csv (15 digits).
suppressPackageStartupMessages(library(survival))
f <- function(x) sprintf("%.15g", x)
out <- "tests/reference"
rows <- list()
add <- function(data, analysis, statistic, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    data = data, analysis = analysis, statistic = statistic, term = term,
    value = ifelse(is.na(value), "NA", f(value)))
}

# The data sets: time, status (1 = event), covariates (numeric), cluster.
lung0 <- na.omit(survival::lung[, c("time", "status", "age", "sex", "ph.ecog", "inst")])
sets <- list(
  lung = data.frame(time = lung0$time, status = lung0$status - 1, age = lung0$age,
                    female = as.numeric(lung0$sex == 2), ecog = lung0$ph.ecog,
                    cluster = lung0$inst),
  lung30 = data.frame(time = ceiling(lung0$time / 30), status = lung0$status - 1,
                      age = lung0$age, female = as.numeric(lung0$sex == 2),
                      ecog = lung0$ph.ecog, cluster = lung0$inst),
  veteran = with(survival::veteran, data.frame(
    time = time, status = status, trt2 = as.numeric(trt == 2),
    smallcell = as.numeric(celltype == "smallcell"), adeno = as.numeric(celltype == "adeno"),
    large = as.numeric(celltype == "large"), karno = karno, diagtime = diagtime, age = age,
    prior = as.numeric(prior == 10), cluster = karno)),
  ovarian = with(survival::ovarian, data.frame(
    time = futime, status = fustat, age = age, resid2 = as.numeric(resid.ds == 2),
    rx2 = as.numeric(rx == 2), ecog2 = as.numeric(ecog.ps == 2), cluster = seq_along(age)))
)

for (name in names(sets)) {
  d <- sets[[name]]
  d$id <- seq_len(nrow(d))
  write.csv(d, file.path(out, paste0("survival_input_", name, ".csv")), row.names = FALSE)
  covs <- setdiff(names(d), c("time", "status", "cluster", "id"))
  form <- as.formula(paste("Surv(time, status) ~", paste(covs, collapse = " + ")))
  for (ties in c("efron", "breslow")) {
    fit <- coxph(form, data = d, ties = ties, control = coxph.control(eps = 1e-12, iter.max = 100))
    robust <- coxph(form, data = d, ties = ties, cluster = id,
                    control = coxph.control(eps = 1e-12, iter.max = 100))
    clustered <- coxph(form, data = d, ties = ties, cluster = cluster,
                       control = coxph.control(eps = 1e-12, iter.max = 100))
    a <- paste0("cox_", ties)
    for (j in seq_along(covs)) {
      add(name, a, "coef", covs[j], coef(fit)[j])
      add(name, a, "hr", covs[j], exp(coef(fit)[j]))
      add(name, a, "se", covs[j], sqrt(diag(vcov(fit)))[j])
      add(name, a, "robust_se", covs[j], sqrt(diag(vcov(robust)))[j])
      add(name, a, "cluster_se", covs[j], sqrt(diag(vcov(clustered)))[j])
      add(name, a, "cluster_p", covs[j], summary(clustered)$coefficients[j, "Pr(>|z|)"])
      add(name, a, "p", covs[j], summary(fit)$coefficients[j, "Pr(>|z|)"])
    }
    add(name, a, "loglik", "", fit$loglik[2])
    for (transform in c("km", "rank")) {
      zph <- cox.zph(fit, transform = transform)
      z <- paste0("zph_", ties, "_", transform)
      for (term in rownames(zph$table)) {
        add(name, z, "chisq", term, zph$table[term, "chisq"])
        add(name, z, "df", term, zph$table[term, "df"])
        add(name, z, "p", term, zph$table[term, "p"])
      }
      # scaled Schoenfeld residuals (beta + scaled residual) of the first covariate
      for (i in seq_along(zph$time)) {
        add(name, z, "resid_time", as.character(i), zph$time[i])
        add(name, z, "resid_x", as.character(i), zph$x[i])
        add(name, z, "resid_y", as.character(i), zph$y[i, 1])
      }
    }
  }
}

# cox.zph per term with a factor (celltype: three dummies tested together, 3 df).
vet <- survival::veteran
for (transform in c("km", "rank")) {
  zph <- cox.zph(coxph(Surv(time, status) ~ trt + celltype + karno + diagtime + age + prior,
                       data = vet, control = coxph.control(eps = 1e-12, iter.max = 100)),
                 transform = transform)
  for (term in rownames(zph$table)) {
    add("veteran", paste0("zph_terms_efron_", transform), "chisq", term, zph$table[term, "chisq"])
    add("veteran", paste0("zph_terms_efron_", transform), "df", term, zph$table[term, "df"])
    add("veteran", paste0("zph_terms_efron_", transform), "p", term, zph$table[term, "p"])
  }
}

# Kaplan-Meier with Greenwood SE, medians with log and log-log intervals (lung, by sex and all).
lung <- sets$lung
for (group in c("all", "female", "male")) {
  d <- if (group == "all") lung else lung[lung$female == as.numeric(group == "female"), ]
  for (type in c("log", "log-log")) {
    km <- survfit(Surv(time, status) ~ 1, data = d, conf.type = type)
    s <- summary(km)
    a <- paste0("km_", group, "_", type)
    for (i in seq_along(s$time)) {
      add("lung", a, "time", as.character(i), s$time[i])
      add("lung", a, "surv", as.character(i), s$surv[i])
      add("lung", a, "se", as.character(i), s$std.err[i])
    }
    q <- quantile(km, probs = 0.5)
    add("lung", a, "median", "", q$quantile)
    add("lung", a, "median_lower", "", q$lower)
    add("lung", a, "median_upper", "", q$upper)
  }
}
# the same on the 30-day scale (ties and a median CI end beyond the data)
for (type in c("log", "log-log")) {
  km <- survfit(Surv(time, status) ~ 1, data = sets$lung30, conf.type = type)
  q <- quantile(km, probs = 0.5)
  a <- paste0("km_all_", type)
  add("lung30", a, "median", "", q$quantile)
  add("lung30", a, "median_lower", "", q$lower)
  add("lung30", a, "median_upper", "", q$upper)
}

# Curves that reach S = 0 (the last at risk all return): the band there is NA, so a median
# limit that only the band at S = 0 would reach is NA ("not reached").
zero <- data.frame(group = c(rep("steps", 7), rep("tied", 5)),
                   time = c(1, 2, 3, 4, 5, 6, 7, rep(1, 5)),
                   status = c(1, 1, 0, 1, 1, 1, 1, rep(1, 5)))
write.csv(zero, file.path(out, "survival_input_zero.csv"), row.names = FALSE)
for (group in unique(zero$group)) {
  for (type in c("log", "log-log")) {
    q <- quantile(survfit(Surv(time, status) ~ 1, data = zero[zero$group == group, ],
                          conf.type = type), probs = 0.5)
    a <- paste0("km_", group, "_", type)
    add("zero", a, "median", "", q$quantile)
    add("zero", a, "median_lower", "", q$lower)
    add("zero", a, "median_upper", "", q$upper)
  }
}

# Log-rank: 2 groups (sex) and 3 groups (ECOG 0, 1, 2).
two <- survdiff(Surv(time, status) ~ female, data = lung)
add("lung", "logrank_female", "chisq", "", two$chisq)
add("lung", "logrank_female", "p", "", pchisq(two$chisq, 1, lower.tail = FALSE))
three <- survdiff(Surv(time, status) ~ ecog, data = lung[lung$ecog <= 2, ])
add("lung", "logrank_ecog", "chisq", "", three$chisq)
add("lung", "logrank_ecog", "p", "", pchisq(three$chisq, 2, lower.tail = FALSE))

# Logistic regression: odds of ECOG >= 1 for women vs men, Wald interval.
logit <- glm(I(ecog >= 1) ~ female, family = binomial, data = lung)
ci <- confint.default(logit)["female", ]
add("lung", "logit_ecog_female", "or", "", exp(coef(logit)["female"]))
add("lung", "logit_ecog_female", "ci_low", "", exp(ci[1]))
add("lung", "logit_ecog_female", "ci_high", "", exp(ci[2]))
add("lung", "logit_ecog_female", "p", "", summary(logit)$coefficients["female", 4])

write.csv(do.call(rbind, rows), file.path(out, "survival_values.csv"), row.names = FALSE)
