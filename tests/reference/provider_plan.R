# Reference values for a provider survey with an analysis plan of its own
# (tests/test_provider_plan.py writes the survey, provider_plan_input.csv): the cross-table
# counts by region, the share answering yes per region with prop.test's Wilson interval, the
# 2x2 tests of each exposure against the outcome (chisq.test with and without Yates's
# correction, fisher.test, the Woolf odds ratio by hand) and glm(family = binomial) with Wald
# and exact profile-likelihood limits. Run from the repository root:
# Rscript tests/reference/provider_plan.R   (writes provider_plan_values.json)
suppressPackageStartupMessages(library(jsonlite))
d <- read.csv("tests/reference/provider_plan_input.csv", colClasses = "character",
              na.strings = "")
regions <- c("1", "2", "3")
sizes <- c("small", "medium", "large", "very_large")
aims <- c("aim_work", "aim_health", "aim_social")

# Cross-tables: programmes of each region with each answer (a missing answer counts nowhere).
rows <- c(setNames(lapply(sizes, function(s) d$size == s), sizes),
          setNames(lapply(aims, function(a) d[[a]] == "1"), aims),
          list(contact = d$employer_contact == "yes"))
counts <- lapply(rows, function(r) {
  as.list(setNames(sapply(regions, function(g) sum(r & d$region == g, na.rm = TRUE)), regions))
})

# The share with a written plan per region, and its Wilson 95 % interval.
shares <- lapply(setNames(regions, regions), function(g) {
  answers <- na.omit(d$return_plan[d$region == g])
  yes <- sum(answers == "yes"); valid <- length(answers)
  ci <- prop.test(yes, valid, correct = FALSE)$conf.int
  list(yes = yes, valid = valid, share = yes / valid, ci_low = ci[1], ci_high = ci[2])
})

# Each exposure against the outcome, rows with either answer missing left out.
outcome <- d$return_plan == "yes"
exposures <- list(
  contact = d$employer_contact == "yes",
  large = d$size %in% c("large", "very_large"),
  aim_work = d$aim_work == "1",
  south_east = d$region == "3"
)
z <- qnorm(0.975)
tests <- lapply(exposures, function(exposed) {
  keep <- !is.na(exposed) & !is.na(outcome)
  e <- exposed[keep]; y <- outcome[keep]
  cells <- c(sum(e & y), sum(e & !y), sum(!e & y), sum(!e & !y))
  m <- matrix(cells, 2, 2, byrow = TRUE)
  pearson <- chisq.test(m, correct = FALSE)
  yates <- chisq.test(m, correct = TRUE)
  or <- (cells[1] * cells[4]) / (cells[2] * cells[3]); se <- sqrt(sum(1 / cells))
  list(exposed_yes = cells[1], exposed_no = cells[2], unexposed_yes = cells[3],
       unexposed_no = cells[4], chi2 = unname(pearson$statistic), p = pearson$p.value,
       chi2_yates = unname(yates$statistic), p_yates = yates$p.value,
       p_fisher = fisher.test(m)$p.value, odds_ratio = or,
       or_ci_low = exp(log(or) - z * se), or_ci_high = exp(log(or) + z * se))
})

# glm(return_plan ~ size + employer_contact + aim_work) on the complete cases.
m <- na.omit(d[, c("return_plan", "size", "employer_contact", "aim_work")])
m$return_plan <- as.integer(m$return_plan == "yes")
m$size <- factor(m$size, sizes)
m$employer_contact <- factor(m$employer_contact, c("no", "yes"))
m$aim_work <- factor(m$aim_work, c("0", "1"))
control <- glm.control(epsilon = 1e-14, maxit = 100)
fit <- glm(return_plan ~ size + employer_contact + aim_work, binomial, m, control = control)
X <- model.matrix(fit); y <- m$return_plan
# The exact profile-likelihood limit: the root of the signed square root of the deviance
# difference, each point refitted with the coefficient as an offset (uniroot to 1e-12), as
# tests/reference/logistic.R computes it.
profile_limit <- function(j, side) {
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
s <- summary(fit)$coefficients
wald <- confint.default(fit)
names_r <- c("(Intercept)", paste0("size:", sizes[-1]), "employer_contact:yes", "aim_work:1")
terms <- lapply(seq_len(nrow(s)), function(j) {
  list(term = names_r[j], estimate = s[j, 1], se = s[j, 2], z = s[j, 3], p = s[j, 4],
       wald_low = wald[j, 1], wald_high = wald[j, 2],
       profile_low = profile_limit(j, -1), profile_high = profile_limit(j, 1))
})
glm_values <- list(n = nrow(m), events = sum(y), deviance = deviance(fit), terms = terms)

values <- list(counts = counts, shares = shares, tests = tests, glm = glm_values)
writeLines(toJSON(values, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/provider_plan_values.json")
