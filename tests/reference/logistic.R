# Reference values for the provider chapter's multivariable logistic regression, from base R
# glm(family = binomial), MASS (confint's profile-likelihood interval) and lpSolve (Konis's
# linear programme for separation). Run from the repository root:
# Rscript tests/reference/logistic.R   (writes logistic_input.csv, logistic_values.csv and
#                                       logistic_separation.csv)
suppressPackageStartupMessages({
  library(MASS)
  library(lpSolve)
})
set.seed(2015)
f <- function(x) sprintf("%.15g", x)
yes_no <- function(x) ifelse(x, "yes", "no")
expit <- function(x) 1 / (1 + exp(-x))

survey <- function(n, missing) {
  finance <- sample(c("rha", "nav", "both"), n, TRUE, c(0.45, 0.35, 0.2))
  a <- runif(n) < 0.55
  b <- runif(n) < 0.3
  eta <- -0.4 + 0.9 * (finance == "nav") - 0.7 * (finance == "both") + 1.1 * a - 0.8 * b
  d <- data.frame(outcome = yes_no(runif(n) < expit(eta)), finance = finance,
                  item_a = yes_no(a), item_b = yes_no(b))
  d$item_a[sample(n, missing)] <- NA
  d$outcome[sample(n, missing)] <- NA
  d
}
# Quasi-complete separation: every programme with item_a has the outcome (a zero cell).
quasi <- survey(60, 0)
quasi$outcome[quasi$item_a == "yes"] <- "yes"
# Complete separation: the outcome is item_a.
complete <- survey(40, 0)
complete$outcome <- complete$item_a
# Complete separation with no zero cell in any item × outcome table: the outcome is the
# majority of three yes/no items (each pattern six times).
patterns <- expand.grid(item_a = c(FALSE, TRUE), item_b = c(FALSE, TRUE), item_c = c(FALSE, TRUE))
majority <- patterns[rep(seq_len(8), each = 6), ]
majority <- data.frame(outcome = yes_no(rowSums(majority) >= 2), item_a = yes_no(majority$item_a),
                       item_b = yes_no(majority$item_b), item_c = yes_no(majority$item_c))
# Collinear: item_b repeats item_a (R gives NA for item_b).
collinear <- survey(50, 0)
collinear$item_b <- collinear$item_a
datasets <- list(survey = survey(120, 6), small = survey(30, 0)[, c("outcome", "item_a", "item_b")],
                 quasi = quasi, complete = complete, majority = majority, collinear = collinear)
levels_of <- list(finance = c("rha", "nav", "both"), item_a = c("no", "yes"),
                  item_b = c("no", "yes"), item_c = c("no", "yes"))

frame <- function(d) {
  for (item in setdiff(names(d), "outcome")) d[[item]] <- factor(d[[item]], levels_of[[item]])
  d$outcome <- as.integer(d$outcome == "yes")
  d
}
# The terms as item:level (the level compared with the item's first, reference level).
term_names <- function(d) {
  items <- setdiff(names(d), "outcome")
  c("(Intercept)", unlist(lapply(items, function(i) paste(i, levels_of[[i]][-1], sep = ":"))))
}
control <- glm.control(epsilon = 1e-14, maxit = 100)
# The exact profile-likelihood limit: the root of the signed square root of the deviance
# difference, each point refitted with the coefficient as an offset (uniroot to 1e-12).
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
# Konis (2007): separation exists iff max sum(s * X b) subject to s * X b >= 0, |b| <= 1 is
# positive (s = 2y - 1); complete iff some b makes every s * X b >= t > 0; coefficient j is
# infinite iff b_j can be moved off 0 within the cone. b = p - m with 0 <= p, m <= 1.
separation <- function(X, y) {
  k <- ncol(X); A <- (2 * y - 1) * X
  cone <- cbind(A, -A)
  box <- rbind(diag(2 * k))
  solve_lp <- function(objective, extra_column = NULL) {
    constraints <- rbind(cbind(cone, extra_column), cbind(box, if (!is.null(extra_column)) 0))
    rhs <- c(rep(0, nrow(A)), rep(1, 2 * k))
    dirs <- c(rep(">=", nrow(A)), rep("<=", 2 * k))
    if (!is.null(extra_column)) {
      constraints <- rbind(constraints, c(rep(0, 2 * k), 1)); rhs <- c(rhs, 1); dirs <- c(dirs, "<=")
    }
    lp("max", objective, constraints, dirs, rhs)$objval
  }
  any_direction <- solve_lp(c(colSums(A), -colSums(A)))
  strict <- solve_lp(c(rep(0, 2 * k), 1), extra_column = rep(-1, nrow(A)))
  unit <- diag(k)
  moves <- sapply(seq_len(k), function(j)
    max(solve_lp(c(unit[j, ], -unit[j, ])), solve_lp(c(-unit[j, ], unit[j, ]))))
  kind <- if (strict > 1e-7) "complete" else if (any_direction > 1e-7) "quasi_complete" else "none"
  list(kind = kind, infinite = colnames(X)[moves > 1e-7])
}

# R's own sign of separation, which misses some: glm (default control) warns of fitted
# probabilities numerically 0 or 1.
fitted_at_boundary <- function(m) {
  warned <- FALSE
  withCallingHandlers(glm(outcome ~ ., family = binomial(), data = m), warning = function(w) {
    if (grepl("numerically 0 or 1", conditionMessage(w))) warned <<- TRUE
    invokeRestart("muffleWarning")
  })
  warned
}

inputs <- list(); values <- list(); separations <- list()
for (name in names(datasets)) {
  d <- datasets[[name]]
  padded <- d
  for (column in setdiff(c("outcome", names(levels_of)), names(d))) padded[[column]] <- NA
  inputs[[name]] <- cbind(dataset = name, padded[, c("outcome", names(levels_of))])
  m <- frame(na.omit(d))
  fit <- suppressWarnings(glm(outcome ~ ., family = binomial(), data = m, control = control))
  X <- model.matrix(fit); y <- m$outcome
  colnames(X) <- term_names(m)
  sep <- separation(X, y)
  separations[[name]] <- data.frame(
    dataset = name, n = nrow(m), rank = fit$rank, parameters = ncol(X), separation = sep$kind,
    infinite = paste(sep$infinite, collapse = " "),
    glm_warns = fitted_at_boundary(m))
  if (sep$kind != "none" || fit$rank < ncol(X)) next
  s <- summary(fit)$coefficients
  wald <- confint.default(fit)
  spline <- suppressMessages(confint(fit))
  exact <- t(sapply(seq_len(ncol(X)), function(j)
    c(profile_limit(fit, X, y, j, -1), profile_limit(fit, X, y, j, 1))))
  values[[name]] <- data.frame(
    dataset = name, term = colnames(X), estimate = f(s[, 1]), se = f(s[, 2]), z = f(s[, 3]),
    p = f(s[, 4]), wald_low = f(wald[, 1]), wald_high = f(wald[, 2]),
    profile_low = f(exact[, 1]), profile_high = f(exact[, 2]),
    confint_low = f(spline[, 1]), confint_high = f(spline[, 2]),
    deviance = f(deviance(fit)), df_residual = fit$df.residual)
}
write.csv(do.call(rbind, inputs), "tests/reference/logistic_input.csv", row.names = FALSE,
          quote = FALSE, na = "")
write.csv(do.call(rbind, values), "tests/reference/logistic_values.csv", row.names = FALSE,
          quote = FALSE)
write.csv(do.call(rbind, separations), "tests/reference/logistic_separation.csv",
          row.names = FALSE, quote = FALSE)
