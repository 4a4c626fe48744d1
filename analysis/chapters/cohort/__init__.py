"""Cohort chapter: coordinator and time to first and to full return to work (RTW).

Re-runs the survival analysis of the cohort study of 326 employees in 43 rapid return-to-work
programmes (Raskere tilbake), followed for 360 days: Kaplan–Meier curves and medians (SPSS-style
and Brookmeyer–Crowley intervals), log-rank tests, Cox models in confounder blocks with a
proportional-hazards check, and the programme-type results. The shipped ``data/cohort.csv`` is
synthetic (``analysis/generators/cohort.py``); a register extract with the same columns runs
unchanged.
"""
