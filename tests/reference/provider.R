# Reference values for the provider chapter's 2x2 tests, from base R on nine tables that
# include zero cells and an empty row and column. Run from the repository root:
# Rscript tests/reference/provider.R   (writes provider_values.csv)
tables <- list(
  ordinary = c(12, 5, 7, 15), small = c(3, 1, 1, 3), large = c(120, 80, 95, 105),
  unbalanced = c(1, 20, 9, 10), zero_a = c(0, 8, 5, 6), zero_b = c(7, 0, 4, 9),
  zero_diagonal = c(5, 0, 0, 5), empty_row = c(0, 0, 6, 9), empty_column = c(4, 0, 7, 0)
)
f <- function(x) sprintf("%.15g", x)
rows <- list()
for (name in names(tables)) {
  cells <- tables[[name]]
  # rows: exposed / unexposed; columns: with / without coordinator
  m <- matrix(cells, 2, 2, byrow = TRUE)
  pearson <- suppressWarnings(chisq.test(m, correct = FALSE))
  yates <- suppressWarnings(chisq.test(m, correct = TRUE))
  fisher <- fisher.test(m)
  # Woolf (logit) interval by hand; with a zero cell 0.5 is added to all four cells
  # (Haldane-Anscombe).
  h <- if (any(cells == 0)) cells + 0.5 else cells
  or <- (h[1] * h[4]) / (h[2] * h[3]); se <- sqrt(sum(1 / h))
  z <- qnorm(0.975)
  rows[[name]] <- data.frame(
    table = name, exposed_yes = cells[1], exposed_no = cells[2], unexposed_yes = cells[3],
    unexposed_no = cells[4], chi2 = f(unname(pearson$statistic)), p = f(pearson$p.value),
    chi2_yates = f(unname(yates$statistic)), p_yates = f(yates$p.value),
    p_fisher = f(fisher$p.value), odds_ratio = f(or), or_ci_low = f(exp(log(or) - z * se)),
    or_ci_high = f(exp(log(or) + z * se)))
}
write.csv(do.call(rbind, rows), "tests/reference/provider_values.csv", row.names = FALSE,
          quote = FALSE)
