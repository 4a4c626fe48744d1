"""Meta-analysis chapter: a re-analysis of the Norwegian Institute of Public Health's systematic
review of work-oriented rehabilitation for people on long-term sick leave (FHI 2019), 20
randomised trials pooled as risk ratios of return to work (Mantel–Haenszel, inverse variance,
DerSimonian–Laird, the RevMan 5 variant, Hartung–Knapp–Sidik–Jonkman), with the review's GRADE
summary of findings, risk of bias and PRISMA flow as data.
"""
