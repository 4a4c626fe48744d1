"""Interview study (Standal et al. 2024): reflexive thematic analysis of early NAV sessions.

Twenty-six sick-listed workers were interviewed about two early follow-up sessions with a NAV
caseworker. The chapter shows aggregate participant characteristics with small-count
suppression, the themes and their codes, a participant × theme matrix (pseudonyms only), segment
counts, excerpt boxes, negative cases and, with two coders, Cohen's κ per code.
"""
