"""Provider survey chapter: which Raskere tilbake programmes give a permanent coordinator.

Source study: Berg (2015), a master's thesis with telephone interviews about 120 programmes,
financed by the regional health authorities, by NAV, or by both. Input: ``providers.csv``.
"""
