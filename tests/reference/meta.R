# Reference values for the meta-analysis chapter, computed with metafor on data sets the
# chapter never used. Run from the repository root: Rscript tests/reference/meta.R
# Writes meta_input.csv (the counts) and meta_values.csv (dataset, statistic, value).
suppressMessages(library(metafor))

sets <- list(
  bcg = with(dat.bcg, data.frame(study = paste(author, year), ai = tpos, n1i = tpos + tneg,
                                 ci = cpos, n2i = cpos + cneg)),
  egger2001 = with(dat.egger2001, data.frame(study = study, ai, n1i, ci, n2i)),
  nielweise2007 = with(dat.nielweise2007, data.frame(study = paste(author, year), ai, n1i, ci, n2i)),
  hahn2001 = with(dat.hahn2001, data.frame(study = study, ai, n1i, ci, n2i)),
  lee2004 = with(dat.lee2004, data.frame(study = study, ai, n1i, ci, n2i)),
  hine1989 = with(dat.hine1989, data.frame(study = study, ai, n1i, ci, n2i)),
  laopaiboon2015 = with(dat.laopaiboon2015, data.frame(study = paste(author, year), ai, n1i, ci, n2i)),
  # constructed: every study without events in the control arm
  one_arm_zero = data.frame(study = c("p1", "p2", "p3"), ai = c(3, 5, 2), n1i = c(20, 30, 25),
                            ci = c(0, 0, 0), n2i = c(21, 29, 24)),
  # constructed: a double-zero study and two all-events studies (every participant of both
  # arms with the event), all three dropped by drop00 = TRUE
  all_events = data.frame(study = paste0("e", 1:6), ai = c(12, 0, 10, 5, 30, 8),
                          n1i = c(40, 25, 10, 30, 30, 50), ci = c(20, 0, 12, 9, 28, 15),
                          n2i = c(41, 24, 12, 31, 28, 50)),
  # constructed: a single study
  single = data.frame(study = "q1", ai = 50, n1i = 86, ci = 31, n2i = 80)
)

values <- list()
put <- function(set, name, x) values[[length(values) + 1]] <<- data.frame(
  dataset = set, statistic = name, value = sprintf("%.15g", as.numeric(x)))

for (set in names(sets)) {
  d <- sets[[set]]
  # Per-study log RR: 0.5 added to all four cells of a study with a zero cell; a study
  # without events in either arm, or with events in every participant of both arms, is
  # dropped (metafor: add = 1/2, to = "only0", drop00 = TRUE).
  es <- escalc(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d,
               add = 1/2, to = "only0", drop00 = TRUE)
  z <- qnorm(0.975)
  for (i in seq_len(nrow(d))) {
    put(set, sprintf("study%d_rr", i), exp(es$yi[i]))
    put(set, sprintf("study%d_rr_low", i), exp(es$yi[i] - z * sqrt(es$vi[i])))
    put(set, sprintf("study%d_rr_high", i), exp(es$yi[i] + z * sqrt(es$vi[i])))
  }
  ok <- !is.na(es$yi)
  y <- es$yi[ok]; v <- es$vi[ok]; k <- sum(ok)
  put(set, "k_pooled", k)
  pooled <- function(prefix, b, lo, hi, p) {
    put(set, paste0(prefix, "_estimate"), exp(b)); put(set, paste0(prefix, "_ci_low"), exp(lo))
    put(set, paste0(prefix, "_ci_high"), exp(hi)); put(set, paste0(prefix, "_p"), p)
  }
  # Mantel-Haenszel, exact (metafor rma.mh: raw counts, no correction in the pooled estimate;
  # double-zero and all-events studies left out of the M-H sums too, drop00 = c(TRUE, TRUE))
  mh <- try(rma.mh(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d,
                   drop00 = c(TRUE, TRUE)), silent = TRUE)
  if (!inherits(mh, "try-error") && is.finite(mh$beta[1])) {
    pooled("fixed_mh_exact", mh$beta[1], mh$ci.lb, mh$ci.ub, mh$pval)
    if (k > 1) put(set, "fixed_mh_exact_qe", mh$QE)
  } else put(set, "fixed_mh_exact_estimate", NA)
  # Mantel-Haenszel as RevMan 5 (R package meta, MH.exact = FALSE): 0.5 added to all four
  # cells of each study with a zero cell, double-zero and all-events studies left out;
  # Greenland-Robins variance. Written out by hand (meta is not installed) and cross-checked with rma.mh on the
  # corrected counts.
  dd <- d[ok, ]
  zero <- with(dd, ai == 0 | ci == 0 | ai == n1i | ci == n2i)
  a <- dd$ai + 0.5 * zero; n1 <- as.numeric(dd$n1i + zero); c <- dd$ci + 0.5 * zero
  n2 <- as.numeric(dd$n2i + zero)
  n <- n1 + n2; R <- a * n2 / n; S <- c * n1 / n; P <- (n1 * n2 * (a + c) - a * c * n) / n^2
  b_rm <- log(sum(R) / sum(S)); se_rm <- sqrt(sum(P) / (sum(R) * sum(S)))
  pooled("fixed_mh", b_rm, b_rm - z * se_rm, b_rm + z * se_rm, 2 * pnorm(-abs(b_rm / se_rm)))
  check <- suppressWarnings(rma.mh(measure = "RR", ai = a, n1i = n1, ci = c, n2i = n2))
  stopifnot(abs(check$beta[1] - b_rm) < 1e-12, abs(check$se - se_rm) < 1e-12)
  # Inverse-variance fixed effect
  fe <- rma(y, v, method = "FE")
  pooled("fixed_iv", fe$beta[1], fe$ci.lb, fe$ci.ub, fe$pval)
  # DerSimonian-Laird; prediction interval with t, k - 2 df (predict(pi.type = "riley"))
  dl <- rma(y, v, method = "DL")
  pooled("random", dl$beta[1], dl$ci.lb, dl$ci.ub, dl$pval)
  if (k > 1) {
    put(set, "random_tau2", dl$tau2); put(set, "random_q", dl$QE)
    put(set, "random_q_p", dl$QEp); put(set, "random_i2", dl$I2 / 100)
  }
  if (k > 2) {
    pr <- predict(dl, pi.type = "riley")
    put(set, "random_pi_low", exp(pr$pi.lb)); put(set, "random_pi_high", exp(pr$pi.ub))
    prz <- predict(dl)  # metafor's default: normal quantile (documented difference)
    put(set, "random_pi_z_low", exp(prz$pi.lb)); put(set, "random_pi_z_high", exp(prz$pi.ub))
  }
  # Hartung-Knapp-Sidik-Jonkman with the DL tau2
  if (k > 1) {
    hk <- rma(y, v, method = "DL", test = "knha")
    pooled("hksj", hk$beta[1], hk$ci.lb, hk$ci.ub, hk$pval)
  } else {
    # k = 1: metafor sets test = "z" (a warning) and reports tau2 = Q = I2 = 0; the book
    # reports the estimate and leaves the interval and the heterogeneity not estimable.
    hk <- suppressWarnings(rma(y, v, method = "DL", test = "knha"))
    put(set, "hksj_estimate", exp(hk$beta[1]))
    put(set, "hksj_z_fallback_ci_low", exp(hk$ci.lb)); put(set, "hksj_z_fallback_ci_high", exp(hk$ci.ub))
    put(set, "random_k1_tau2", dl$tau2); put(set, "random_k1_q", dl$QE); put(set, "random_k1_i2", dl$I2)
  }
  # RevMan 5 random effects, by hand: Q around the RevMan M-H estimate, tau2 by the
  # DerSimonian-Laird moment formula, weights 1 / (v + tau2); with one study tau2 = 0 is
  # used for the estimate and no heterogeneity is written.
  w <- 1 / v
  q <- sum(w * (y - b_rm)^2); C <- sum(w) - sum(w^2) / sum(w)
  tau2 <- if (k > 1) max(0, (q - (k - 1)) / C) else 0
  ws <- 1 / (v + tau2); mu <- sum(ws * y) / sum(ws); se <- sqrt(1 / sum(ws))
  pooled("random_revman", mu, mu - z * se, mu + z * se, 2 * pnorm(-abs(mu / se)))
  if (k > 1) {
    put(set, "random_revman_tau2", tau2); put(set, "random_revman_q", q)
    put(set, "random_revman_q_p", pchisq(q, k - 1, lower.tail = FALSE))
    put(set, "random_revman_i2", max(0, (q - (k - 1)) / q))
    if (k > 2) {
      half <- qt(0.975, k - 2) * sqrt(tau2 + se^2)
      put(set, "random_revman_pi_low", exp(mu - half)); put(set, "random_revman_pi_high", exp(mu + half))
    }
  }
}

input <- do.call(rbind, lapply(names(sets), function(s) cbind(dataset = s, sets[[s]])))
write.csv(input, "tests/reference/meta_input.csv", row.names = FALSE)
write.csv(do.call(rbind, values), "tests/reference/meta_values.csv", row.names = FALSE, quote = FALSE)
