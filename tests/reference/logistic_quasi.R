# Reference values for the provider logistic regression under quasi-complete separation
# (tests/test_provider_regression.py): the terms that stay finite, as R's glm converges to them.
# R's glm(family = binomial) with a tight convergence criterion drives the separated terms
# towards infinity (their SEs explode) while the other coefficients and SEs settle at their
# limits; this script prints those (estimate, SE) from the full data, and the exact
# profile-likelihood limits and deviance of the limit model: the programmes whose fitted
# probability the full fit puts at 0 or 1 (predicted perfectly) left out, the separated terms
# dropped. Data sets: "quasi" of logistic_input.csv (every programme with item_a has the
# outcome), and "quasi_level" written here (every programme financed by both has the outcome:
# one level of a three-level item separated, the other finite).
# Run from the repository root:  Rscript tests/reference/logistic_quasi.R
# (writes logistic_quasi_input.csv and logistic_quasi_values.csv)
set.seed(2026)
f <- function(x) sprintf("%.15g", x)
yes_no <- function(x) ifelse(x, "yes", "no")
expit <- function(x) 1 / (1 + exp(-x))
levels_of <- list(finance = c("rha", "nav", "both"), item_a = c("no", "yes"),
                  item_b = c("no", "yes"))
n <- 90
finance <- sample(c("rha", "nav", "both"), n, TRUE, c(0.45, 0.35, 0.2))
a <- runif(n) < 0.5
b <- runif(n) < 0.4
eta <- -0.3 + 0.8 * (finance == "nav") + 0.9 * a - 0.6 * b
quasi_level <- data.frame(outcome = yes_no(runif(n) < expit(eta)), finance = finance,
                          item_a = yes_no(a), item_b = yes_no(b))
quasi_level$outcome[quasi_level$finance == "both"] <- "yes"
write.csv(cbind(dataset = "quasi_level", quasi_level), "tests/reference/logistic_quasi_input.csv",
          row.names = FALSE, quote = FALSE)
given <- read.csv("tests/reference/logistic_input.csv", na.strings = "")
quasi <- given[given$dataset == "quasi", c("outcome", "finance", "item_a", "item_b")]
datasets <- list(quasi = quasi, quasi_level = quasi_level)

control <- glm.control(epsilon = 1e-14, maxit = 100)
profile_limit <- function(fit, X, y, j, side) {
  z <- qnorm(0.975)
  b <- coef(fit)[j]; se <- sqrt(diag(vcov(fit)))[j]
  signed <- function(value) {
    off <- glm.fit(X[, -j, drop = FALSE], y, offset = value * X[, j], family = binomial(),
                   control = control)
    sign(value - b) * sqrt(max(off$deviance - deviance(fit), 0)) - side * z
  }
  far <- b + side * 2 * z * se
  while (sign(signed(far)) == sign(signed(b))) far <- far + side * z * se
  uniroot(signed, sort(c(b, far)), tol = 1e-12)$root
}
rows <- list()
for (name in names(datasets)) {
  d <- datasets[[name]]
  for (item in names(levels_of)) d[[item]] <- factor(d[[item]], levels_of[[item]])
  d$outcome <- as.integer(d$outcome == "yes")
  full <- suppressWarnings(glm(outcome ~ ., family = binomial(), data = d, control = control))
  X <- model.matrix(full); y <- d$outcome
  colnames(X) <- c("(Intercept)", "finance:nav", "finance:both", "item_a:yes", "item_b:yes")
  se <- sqrt(diag(vcov(full)))
  separated <- se > 1e3  # the terms glm drives to infinity
  predicted <- abs(fitted(full) - y) < 1e-8
  Xr <- X[!predicted, !separated, drop = FALSE]; yr <- y[!predicted]
  limit <- glm.fit(Xr, yr, family = binomial(), control = control)
  class(limit) <- c("glm", "lm")
  limit_se <- sqrt(diag(summary.glm(limit)$cov.unscaled))
  for (j in seq_len(ncol(Xr))) {
    term <- colnames(Xr)[j]
    rows[[length(rows) + 1]] <- data.frame(
      dataset = name, term = term, estimate = f(coef(full)[[which(colnames(X) == term)]]),
      se = f(se[[which(colnames(X) == term)]]), limit_estimate = f(coef(limit)[[j]]),
      limit_se = f(limit_se[[j]]),
      profile_low = f(profile_limit(limit, Xr, yr, j, -1)),
      profile_high = f(profile_limit(limit, Xr, yr, j, 1)),
      deviance = f(limit$deviance), predicted = sum(predicted),
      separated = paste(colnames(X)[separated], collapse = " "))
  }
}
write.csv(do.call(rbind, rows), "tests/reference/logistic_quasi_values.csv", row.names = FALSE,
          quote = FALSE)
