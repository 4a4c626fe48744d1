# Reference values for the meta-analysis methods modules (effects, pooling, subgroups,
# sensitivity) from metafor, on public metafor data sets and one constructed set.
# Run from the repository root: Rscript tests/reference/meta_methods.R
# Writes meta_methods_binary_input.csv, meta_methods_continuous_input.csv and
# meta_methods_values.csv (15 significant digits).
#
# Root searches are run to a tight tolerance (REML threshold, PM and Q-profile uniroot tol
# 1e-12) so that the values are the exact roots the Python code finds; metafor's defaults
# (threshold 1e-5, tol .Machine$double.eps^0.25) stop earlier.
suppressMessages(library(metafor))

tight <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000, tau2.max = 1e6)

binary <- list(
  bcg = with(dat.bcg, data.frame(study = paste(author, year), ai = tpos, n1i = tpos + tneg,
                                 ci = cpos, n2i = cpos + cneg, group = alloc)),
  egger2001 = with(dat.egger2001, data.frame(study = study, ai, n1i, ci, n2i, group = "all")),
  nielweise2007 = with(dat.nielweise2007, data.frame(study = paste(author, year), ai, n1i, ci,
                                                     n2i, group = "all")),
  # constructed: a double-zero study and two all-events studies among ordinary ones
  all_events = data.frame(study = paste0("s", 1:7), ai = c(12, 0, 10, 5, 30, 8, 6),
                          n1i = c(40, 25, 10, 30, 30, 50, 45), ci = c(20, 0, 12, 9, 28, 15, 7),
                          n2i = c(41, 24, 12, 31, 28, 50, 44), group = "all")
)
continuous <- list(
  normand1999 = with(dat.normand1999, data.frame(study = source, m1i, sd1i, n1i, m2i, sd2i, n2i)),
  curtis1998 = with(dat.curtis1998, data.frame(study = paste(id, paper), m1i, sd1i, n1i, m2i,
                                               sd2i, n2i))
)

values <- list()
put <- function(set, name, x) values[[length(values) + 1]] <<- data.frame(
  dataset = set, statistic = name, value = sprintf("%.15g", as.numeric(x)))

fit_values <- function(set, prefix, res) {
  put(set, paste0(prefix, "_estimate"), res$beta[1]); put(set, paste0(prefix, "_se"), res$se)
  put(set, paste0(prefix, "_ci_low"), res$ci.lb); put(set, paste0(prefix, "_ci_high"), res$ci.ub)
  put(set, paste0(prefix, "_p"), res$pval); put(set, paste0(prefix, "_tau2"), res$tau2)
  put(set, paste0(prefix, "_q"), res$QE); put(set, paste0(prefix, "_q_p"), res$QEp)
  put(set, paste0(prefix, "_i2"), res$I2 / 100); put(set, paste0(prefix, "_h2"), res$H2)
}

pooling_values <- function(set, measure, es, ni) {
  for (method in c("REML", "DL", "PM")) for (test in c("z", "knha")) {
    res <- rma(yi, vi, data = es, method = method, test = test, control = tight)
    prefix <- paste(measure, method, test, sep = "_")
    fit_values(set, prefix, res)
    pr <- predict(res)  # z for test = "z", t(k - 1) for test = "knha"
    put(set, paste0(prefix, "_pi_low"), pr$pi.lb); put(set, paste0(prefix, "_pi_high"), pr$pi.ub)
    if (test == "z") {
      ci <- confint(res, control = tight)$random
      put(set, paste0(prefix, "_tau2_low"), ci["tau^2", "ci.lb"])
      put(set, paste0(prefix, "_tau2_high"), ci["tau^2", "ci.ub"])
      put(set, paste0(prefix, "_i2_low"), ci["I^2(%)", "ci.lb"] / 100)
      put(set, paste0(prefix, "_i2_high"), ci["I^2(%)", "ci.ub"] / 100)
      put(set, paste0(prefix, "_h2_low"), ci["H^2", "ci.lb"])
      put(set, paste0(prefix, "_h2_high"), ci["H^2", "ci.ub"])
      riley <- predict(res, pi.type = "riley")
      put(set, paste0(prefix, "_pi_riley_low"), riley$pi.lb)
      put(set, paste0(prefix, "_pi_riley_high"), riley$pi.ub)
    }
  }
  fit_values(set, paste0(measure, "_FE_z"), rma(yi, vi, data = es, method = "FE"))
  # Leave-one-out of the REML model (z)
  l1o <- leave1out(rma(yi, vi, data = es, method = "REML", control = tight))
  for (i in seq_along(l1o$estimate)) {
    prefix <- sprintf("%s_l1o%d", measure, i)
    put(set, paste0(prefix, "_estimate"), l1o$estimate[i])
    put(set, paste0(prefix, "_ci_low"), l1o$ci.lb[i]); put(set, paste0(prefix, "_ci_high"), l1o$ci.ub[i])
    put(set, paste0(prefix, "_tau2"), l1o$tau2[i]); put(set, paste0(prefix, "_i2"), l1o$I2[i] / 100)
    put(set, paste0(prefix, "_q"), l1o$Q[i])
  }
  # Small-study effects: Egger's classical regression, Peters' test
  if (sum(!is.na(es$yi)) >= 10) {
    eg <- regtest(es$yi, es$vi, model = "lm", predictor = "sei")
    put(set, paste0(measure, "_egger_t"), eg$zval); put(set, paste0(measure, "_egger_p"), eg$pval)
    put(set, paste0(measure, "_egger_df"), eg$dfs); put(set, paste0(measure, "_egger_limit"), eg$est)
    pe <- regtest(es$yi, es$vi, ni = ni, model = "lm", predictor = "ninv")
    put(set, paste0(measure, "_peters_t"), pe$zval); put(set, paste0(measure, "_peters_p"), pe$pval)
    put(set, paste0(measure, "_peters_df"), pe$dfs)
  }
}

for (set in names(binary)) {
  d <- binary[[set]]
  for (measure in c("RR", "OR", "RD")) {
    drop <- measure != "RD"
    es <- escalc(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d,
                 add = 1/2, to = "only0", drop00 = drop)
    for (i in seq_len(nrow(d))) {
      put(set, sprintf("%s_study%d_yi", measure, i), es$yi[i])
      put(set, sprintf("%s_study%d_vi", measure, i), es$vi[i])
    }
    ok <- !is.na(es$yi)
    pooling_values(set, measure, es[ok, ], (d$n1i + d$n2i)[ok])
    mh <- rma.mh(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
    put(set, paste0(measure, "_MH_estimate"), mh$beta[1]); put(set, paste0(measure, "_MH_se"), mh$se)
    put(set, paste0(measure, "_MH_ci_low"), mh$ci.lb); put(set, paste0(measure, "_MH_ci_high"), mh$ci.ub)
    put(set, paste0(measure, "_MH_p"), mh$pval); put(set, paste0(measure, "_MH_q"), mh$QE)
    put(set, paste0(measure, "_MH_i2"), mh$I2 / 100)
  }
  pt <- rma.peto(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
  put(set, "OR_Peto_estimate", pt$beta[1]); put(set, "OR_Peto_se", pt$se)
  put(set, "OR_Peto_ci_low", pt$ci.lb); put(set, "OR_Peto_ci_high", pt$ci.ub)
  put(set, "OR_Peto_p", pt$pval); put(set, "OR_Peto_q", pt$QE); put(set, "OR_Peto_i2", pt$I2 / 100)
  # Subgroups (bcg by allocation): REML per subgroup, then the fixed-effect test between the
  # subgroup estimates (RevMan's test for subgroup differences, separate tau2 per subgroup).
  if (length(unique(d$group)) > 1) {
    es <- escalc(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
    for (method in c("REML", "FE")) {
      fits <- lapply(split(es, es$group), function(g) rma(yi, vi, data = g, method = method,
                                                         control = tight))
      for (g in names(fits)) fit_values(set, paste("RR", "group", g, method, sep = "_"), fits[[g]])
      between <- rma(yi = sapply(fits, function(f) f$beta[1]), sei = sapply(fits, function(f) f$se),
                     method = "FE")
      put(set, paste0("RR_between_", method, "_q"), between$QE)
      put(set, paste0("RR_between_", method, "_df"), length(fits) - 1)
      put(set, paste0("RR_between_", method, "_p"), between$QEp)
    }
  }
}

for (set in names(continuous)) {
  d <- continuous[[set]]
  for (measure in c("MD", "SMD")) {
    es <- escalc(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
                 n2i = n2i, data = d)
    for (i in seq_len(nrow(d))) {
      put(set, sprintf("%s_study%d_yi", measure, i), es$yi[i])
      put(set, sprintf("%s_study%d_vi", measure, i), es$vi[i])
    }
    pooling_values(set, measure, es, d$n1i + d$n2i)
  }
}

write.csv(do.call(rbind, lapply(names(binary), function(s) cbind(dataset = s, binary[[s]]))),
          "tests/reference/meta_methods_binary_input.csv", row.names = FALSE)
write.csv(do.call(rbind, lapply(names(continuous), function(s) cbind(dataset = s, continuous[[s]]))),
          "tests/reference/meta_methods_continuous_input.csv", row.names = FALSE)
write.csv(do.call(rbind, values), "tests/reference/meta_methods_values.csv", row.names = FALSE,
          quote = FALSE)
