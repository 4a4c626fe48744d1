"""Number formatting in both languages and completeness of the label catalog."""

import re

import pytest

from analysis.core.i18n import (
    HOUSE_STYLE,
    LANGS,
    MissingTranslationError,
    catalog,
    fmt_estimate,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    number,
    placeholders,
    t,
    tn,
    with_percent,
    without_count,
)

THIN = "\u202f"
NBSP = "\u00a0"


def test_norwegian_numbers_use_decimal_comma_and_thin_space():
    assert fmt_num(1234567.891, "nb", 2) == f"1{THIN}234{THIN}567,89"
    assert fmt_num(1234567.891, "en", 2) == "1,234,567.89"
    assert fmt_int(12000, "nb") == f"12{THIN}000"


def test_rounding_is_half_up_like_the_papers():
    assert fmt_num(12.5, "en", 0) == "13"
    assert fmt_num(0.0325, "en", 3) == "0.033"
    assert fmt_pct(2 / 16, "nb") == f"13{NBSP}%"
    assert fmt_pct(2 / 16, "en") == "13%"


def test_negative_numbers_use_the_minus_sign():
    assert fmt_num(-0.5, "nb", 1) == "\u22120,5"


def test_p_values():
    assert fmt_p(0.0327, "nb") == "p = 0,033"
    assert fmt_p(0.0327, "en") == "p = 0.033"
    assert fmt_p(0.00004, "nb") == "p < 0,001"
    assert fmt_p(float("nan"), "en") == "\u2013"


def test_estimate_with_interval():
    assert fmt_estimate(2.2187, 1.0626, 4.6327, "nb") == "2,22 (95\u00a0% KI 1,06\u20134,63)"
    assert fmt_estimate(2.2187, 1.0626, 4.6327, "en") == "2.22 (95% CI 1.06\u20134.63)"


def test_every_label_exists_in_both_languages_with_the_same_placeholders():
    problems = []
    for key, entry in catalog().items():
        texts = {lang: (entry or {}).get(lang) for lang in LANGS}
        missing = [lang for lang, text in texts.items() if not isinstance(text, str) or not text]
        if missing:
            problems.append(f"{key}: no text in {missing}")
        elif len({frozenset(placeholders(text)) for text in texts.values()}) != 1:
            problems.append(f"{key}: placeholders differ {texts}")
    assert not problems, "\n".join(problems)


def test_unknown_label_or_language_is_an_error():
    with pytest.raises(MissingTranslationError):
        t("no.such.label", "nb")
    with pytest.raises(ValueError):
        t("common.yes", "de")


def test_language_dependent_placeholder_values():
    value = {"en": "NAV only", "nb": "Kun NAV"}
    assert t("provider.repro.types_total", "nb", finance=value).endswith("Kun NAV")
    assert t("provider.repro.types_total", "en", finance=value).endswith("NAV only")


def test_labels_follow_each_languages_number_style():
    """English writes "63%" and "95% CI"; bokmål "63 %" and "95 % KI"."""
    import re

    wrong = [
        key
        for key, entry in catalog().items()
        if re.search(r"\d[ \u00a0\u202f]%", entry.get("en", ""))
        or re.search(r"\d%", entry.get("nb", ""))
    ]
    assert wrong == []


def test_counts_have_zero_one_and_other_forms_in_digits_or_words():
    assert tn("cohort.count.with_coordinator", 0, "en") == "none of them with a coordinator"
    assert tn("cohort.count.days", 1, "nb") == "1 dag"
    assert tn("cohort.count.days", 1234, "nb") == f"1{THIN}234 dager"
    assert "one employee" in tn("cohort.count.left_out", 1, "en", words=True)
    assert "The four employees" in tn("cohort.count.left_out", 4, "en", words=True)
    assert "De 10 arbeidstakerne" in tn("cohort.count.left_out", 10, "nb", words=True)
    assert tn("meta.count.study", 20, "en", start=True) == "Twenty studies"
    assert tn("meta.count.study", 21, "nb", start=True) == "21 studier"
    assert tn("meta.count.study", 0, "nb", words=True) == "ingen studier"


def test_numbers_in_words_below_ten_and_at_the_start_of_a_sentence():
    assert [number(n, "en") for n in (0, 3, 9, 10)] == ["no", "three", "nine", "10"]
    assert [number(n, "nb", start=True) for n in (1, 12, 20)] == ["Én", "Tolv", "Tjue"]
    assert number(21, "en", start=True) == "21" and number(-1, "en") == "−1"


def test_plural_forms_follow_the_cldr_rules_of_each_language():
    """One is singular in both languages, 0 and 21 plural (a rule such as "ends in 1" would
    not do), and a zero form where the catalog has one."""
    assert tn("input.problems", 1, "nb") == "1 problem i inndataene:"
    assert tn("input.problems", 21, "nb") == "21 problemer i inndataene:"
    assert tn("input.problems", 0, "en") == "0 problems in the input data:"
    assert tn("cohort.count.days", 0, "en") == "0 days"  # no zero form: CLDR's other


def test_a_count_with_decimals_keeps_them_and_takes_its_plural_form():
    """Follow-up of 6.5 months is not "7 months"; one month is singular, 1.5 plural."""
    assert tn("meta.count.months", 6.5, "nb") == "6,5 måneder"
    assert tn("meta.count.months", 6.5, "en") == "6.5 months"
    assert tn("meta.count.months", 1.0, "en") == "1 month"
    assert tn("meta.count.months", 1.5, "nb") == "1,5 måneder"
    assert tn("meta.count.months", 12.25, "en") == "12.25 months"


def test_a_description_count_gives_way_to_the_data_count():
    assert without_count("20 return-to-work clinics") == "return-to-work clinics"
    assert without_count(f"1{THIN}500 tilbud") == "tilbud"
    assert without_count("rapid RTW programmes (2012)") == "rapid RTW programmes (2012)"


def test_every_language_has_a_house_style_and_the_percent_sign_comes_from_cldr():
    assert set(HOUSE_STYLE) == set(LANGS)
    assert with_percent("12,5", "nb") == f"12,5{NBSP}%"
    assert with_percent("12.5", "en") == "12.5%"
    assert fmt_pct(-0.125, "nb", 1) == f"\u221212,5{NBSP}%"


def test_bokmaal_labels_keep_the_percent_sign_with_its_number():
    """A bokmål "95 %" has a no-break space, so that a line never breaks before the sign."""
    broken = [
        key for key, texts in catalog().items() if re.search(r"[\d}][ \t\n]%", texts.get("nb", ""))
    ]
    assert broken == []
    assert NBSP + "%" in t("common.ci95", "nb")
