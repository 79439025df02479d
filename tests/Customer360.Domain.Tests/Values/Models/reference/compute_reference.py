#!/usr/bin/env python3
"""Reference values for the CLV model tests, computed with mpmath at 50 significant digits.

Every figure comes straight from the published formulas, with mpmath's own special functions
(gamma, beta, hyp2f1) and no log-space tricks, so it shares no code or algebra with the C#
implementation:

  BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing
          Science 24(2): likelihood eq. (6), conditional expectation eq. (10), P(alive) eq. (13).
  Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves", JMR 42(4),
          and Fader & Hardie (2013), "The Gamma-Gamma model of monetary value".
  CLV: sum over months k = 1..H of E(M) (E[Y(k)] - E[Y(k-1)]) / (1 + d_m)^k,
       d_m = (1 + d)^(1/12) - 1, one month = 52/12 weeks.

Where the papers' formulas have a removable singularity (a = 1, or a + b + x - 1 = 0), the
parameter is moved by 1e-30, which at 50 digits changes nothing in the first 17.

Run: python3 compute_reference.py   (Debian: apt-get install python3-mpmath)
"""
from mpmath import mp, mpf, beta, exp, expm1, gamma, hyp2f1, log, log1p, loggamma, nstr, quad

mp.dps = 50


def show(name, value):
    print(f"{name} = {nstr(value, 20)}")


# ---------------------------------------------------------------- BG/NBD
def bgnbd_likelihood(r, alpha, a, b, x, tx, T):
    common = gamma(r + x) * alpha**r / gamma(r)
    first = beta(a, b + x) / beta(a, b) * common / (alpha + T) ** (r + x)
    second = 0
    if x > 0:
        second = beta(a + 1, b + x - 1) / beta(a, b) * common / (alpha + tx) ** (r + x)
    return first + second


def bgnbd_log_likelihood(r, alpha, a, b, x, tx, T):
    return log(bgnbd_likelihood(r, alpha, a, b, x, tx, T))


def p_alive(r, alpha, a, b, x, tx, T):
    if x == 0:
        return mpf(1)
    return 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def expected_purchases(r, alpha, a, b, x, tx, T, t):
    if a == 1:
        a = a + mpf("1e-30")
    if a + b + x - 1 == 0:
        b = b + mpf("1e-30")
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    numerator = (a + b + x - 1) / (a - 1) * bracket
    if x == 0:
        return numerator
    return numerator / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def expected_purchases_by_integration(r, alpha, a, b, x, tx, T, t):
    """E[Y(t) | x, t_x, T] without 2F1: P(alive) times the expectation, over the posterior of an
    active customer (lambda ~ Gamma(r + x, alpha + T), p ~ Beta(a, b + x)), of the purchases of
    a customer who buys at rate lambda and drops out with probability p after each purchase,
    (1 - exp(-lambda p t)) / p (paper, eq. 7 and its derivation). The integral over lambda is
    closed, 1 - ((alpha + T) / (alpha + T + p t))^(r + x); the one over p is taken numerically,
    split around the posterior mean of p, where the Beta density is concentrated when b is large.
    Used here with a >= 0.5 only: for a far below 1 the density's singularity p^(a - 1) at 0
    defeats the quadrature. Each figure printed below also agrees with expected_purchases
    (hyp2f1) to 16 digits or more."""
    lnb = loggamma(a) + loggamma(b + x) - loggamma(a + b + x)

    def integrand(p):
        if p == 0:
            return mpf(0)
        bought = -expm1(-(r + x) * log1p(p * t / (alpha + T)))
        return bought / p * exp((a - 1) * log(p) + (b + x - 1) * log1p(-p) - lnb)

    mean = a / (a + b + x)
    cuts = [mean * k for k in (mpf("1e-6"), mpf("1e-3"), mpf("0.1"), mpf("0.5"), 1, 2, 5, 20, 100)]
    points = sorted({mpf(0), mpf(1), *(c for c in cuts if c < 1)})
    return p_alive(r, alpha, a, b, x, tx, T) * quad(integrand, points, maxdegree=10)


# ---------------------------------------------------------------- Gamma-Gamma
def gg_log_likelihood(p, q, g, x, m):
    density = (gamma(p * x + q) / (gamma(p * x) * gamma(q))
               * g**q * m ** (p * x - 1) * x ** (p * x) / (g + m * x) ** (p * x + q))
    return log(density)


def gg_expected_spend(p, q, g, x, m):
    return (g + m * x) * p / (p * x + q - 1)


def clv(bg, gg, x, tx, T, m, months, annual):
    monthly = (1 + annual) ** (mpf(1) / 12) - 1
    week_per_month = mpf(52) / 12
    spend = gg_expected_spend(*gg, x, m)
    total = mpf(0)
    previous = mpf(0)
    for k in range(1, months + 1):
        cumulative = expected_purchases(*bg, x, tx, T, k * week_per_month)
        total += spend * (cumulative - previous) / (1 + monthly) ** k
        previous = cumulative
    return total


CDNOW = (mpf("0.243"), mpf("4.414"), mpf("0.793"), mpf("2.426"))
A_ABOVE_ONE = (mpf("1.7"), mpf("12.5"), mpf("2.5"), mpf("6.0"))
A_IS_ONE = (mpf("0.5"), mpf("3.0"), mpf("1.0"), mpf("2.0"))
C_IS_ZERO = (mpf("0.4"), mpf("2.0"), mpf("0.3"), mpf("0.7"))
# alpha + T tiny against t = 52 puts z within 2e-4 of 1; with r = a the gap c - a - b of the
# transformed 2F1 is an integer.
SMALL_ALPHA = (mpf("0.5"), mpf("0.01"), mpf("0.8"), mpf("2.5"))
SMALL_ALPHA_INTEGER_GAP = (mpf("0.8"), mpf("0.01"), mpf("0.8"), mpf("2.5"))
GG = (mpf("6.25"), mpf("3.74"), mpf("15.44"))

CUSTOMERS = {
    "NoRepeat": (0, mpf(0), mpf("38.86")),
    "PaperExample": (2, mpf("30.43"), mpf("38.86")),
    "RepeatOnLastDay": (4, mpf("20"), mpf("20")),
    "LargeX": (500, mpf("70"), mpf("78")),
    "LargeXRecent": (500, mpf("78"), mpf("78")),
    "TinyT": (0, mpf(0), mpf("1e-6")),
    "TinyTRepeat": (3, mpf("5e-7"), mpf("1e-6")),
}

print("# BG/NBD, CDNOW parameters r=0.243 alpha=4.414 a=0.793 b=2.426")
for name, (x, tx, T) in CUSTOMERS.items():
    show(f"LogLikelihood.{name}", bgnbd_log_likelihood(*CDNOW, x, tx, T))
    show(f"PAlive.{name}", p_alive(*CDNOW, x, tx, T))
    for t in (mpf(39), mpf(52), mpf(90) / 7):
        show(f"Expected.{name}.t={nstr(t, 6)}", expected_purchases(*CDNOW, x, tx, T, t))

print("# BG/NBD, other parameter regions, customer PaperExample and NoRepeat, t = 52")
for label, params in (("AAboveOne", A_ABOVE_ONE), ("AIsOne", A_IS_ONE), ("CIsZero", C_IS_ZERO)):
    for name in ("NoRepeat", "PaperExample"):
        x, tx, T = CUSTOMERS[name]
        show(f"{label}.LogLikelihood.{name}", bgnbd_log_likelihood(*params, x, tx, T))
        show(f"{label}.Expected.{name}.t=52", expected_purchases(*params, x, tx, T, mpf(52)))

print("# BG/NBD, z near 1: customers TinyT and TinyTRepeat, t = 52")
for label, params in (("SmallAlpha", SMALL_ALPHA), ("SmallAlphaIntegerGap", SMALL_ALPHA_INTEGER_GAP)):
    for name in ("TinyT", "TinyTRepeat"):
        x, tx, T = CUSTOMERS[name]
        show(f"{label}.Expected.{name}.t=52", expected_purchases(*params, x, tx, T, mpf(52)))

print("# BG/NBD, dropout nearly constant (a and b very large, as a fit on a small population gave)")
LARGE_A_B = (mpf("0.2208"), mpf("7.114"), mpf("7.097e6"), mpf("3.049e7"))
for x, tx, T in ((0, mpf(0), mpf("74.14")), (1, mpf("12.57"), mpf(76)), (6, mpf(40), mpf(60))):
    for t in (mpf(13), mpf(52)):
        show(f"LargeAB.Expected.x={x}.t={nstr(t, 6)}", expected_purchases(*LARGE_A_B, x, tx, T, t))

print("# BG/NBD by direct integration (no 2F1): rare dropout and fast buying, customers who")
print("# bought first today or yesterday; and frequent dropout with a customer who bought daily")
RARE_DROPOUT = (mpf(1), mpf("0.2"), mpf("0.9"), mpf(10000))
RARE_DROPOUT_A_BELOW_HALF = (mpf(1), mpf("0.2"), mpf("0.5"), mpf(10000))
RARE_DROPOUT_A_ABOVE_ONE = (mpf(1), mpf("0.05"), mpf("1.5"), mpf(30000))
FREQUENT_DROPOUT = (mpf("0.5"), mpf(2), mpf(100), mpf(10))
for label, params, (x, tx, T), weeks in (
        ("RareDropout.FirstToday", RARE_DROPOUT, (0, mpf(0), mpf(0)), (mpf(13), mpf(52))),
        ("RareDropout.AgainNextDay", RARE_DROPOUT, (1, mpf(1) / 7, mpf(1) / 7), (mpf(13), mpf(52))),
        ("RareDropoutABelowHalf.FirstToday", RARE_DROPOUT_A_BELOW_HALF, (0, mpf(0), mpf(0)), (mpf(52),)),
        ("RareDropoutAAboveOne.AgainNextDay", RARE_DROPOUT_A_ABOVE_ONE, (1, mpf(1) / 7, mpf(1) / 7), (mpf(52),)),
        ("FrequentDropout.Daily1000", FREQUENT_DROPOUT, (1000, mpf(1000) / 7, mpf(1000) / 7), (mpf(52), mpf(260), mpf(520))),
        ("PaperExample", CDNOW, CUSTOMERS["PaperExample"], (mpf(39),))):
    for t in weeks:
        show(f"Integrated.{label}.t={nstr(t, 6)}", expected_purchases_by_integration(*params, x, tx, T, t))

print("# BG/NBD, purchase rates much alike across customers (r far above a + b), t = 52")
for label, params in (("R80", (mpf(80), mpf("2.5"), mpf("0.8"), mpf("2.5"))), ("R150", (mpf(150), mpf(5), mpf("0.8"), mpf("2.5")))):
    for name, (x, tx, T) in (("FirstYesterday", (0, mpf(0), mpf(1) / 7)), ("NoRepeat10", (0, mpf(0), mpf(10))), ("Repeat2", (2, mpf(5), mpf(10)))):
        show(f"{label}.Expected.{name}.t=52", expected_purchases(*params, x, tx, T, mpf(52)))

print("# BG/NBD, no repeat purchase with a + b < 1 (c = a + b - 1 < 0) and r near 80, by 2F1 and,")
print("# for a >= 0.5, by direct integration")
for label, params in (("R80SmallAB", (mpf(80), mpf("2.5"), mpf("0.5"), mpf("0.3"))),
                      ("R80SmallA", (mpf(80), mpf("2.5"), mpf("0.3"), mpf("0.5"))),
                      ("R75SmallB", (mpf(75), mpf(3), mpf("0.7"), mpf("0.25")))):
    for name, T in (("FirstYesterday", mpf(1) / 7), ("NoRepeat10", mpf(10)), ("NoRepeat", mpf("38.86"))):
        for t in (mpf(13), mpf(52)):
            show(f"{label}.Expected.{name}.t={nstr(t, 6)}", expected_purchases(*params, 0, mpf(0), T, t))
            if params[2] >= mpf("0.5"):
                show(f"Integrated.{label}.{name}.t={nstr(t, 6)}", expected_purchases_by_integration(*params, 0, mpf(0), T, t))

print("# Gauss 2F1")
HYP = {
    "Simple": (mpf("0.5"), mpf("1.5"), mpf("2.5"), mpf("0.3")),
    "PaperExampleArgs": (mpf("2.243"), mpf("4.426"), mpf("3.219"), mpf(39) / (mpf("4.414") + mpf("38.86") + 39)),
    "NearOne": (mpf("1.2"), mpf("2.3"), mpf("4.1"), mpf("0.999")),
    "NearOneDivergent": (mpf("0.243"), mpf("2.426"), mpf("2.219"), mpf("0.9999")),
    "NearOneAlmostIntegerGap": (mpf("1.5"), mpf("2.0"), mpf("3.51"), mpf("0.99999")),
    "IntegerGap": (mpf(1), mpf(1), mpf(2), mpf("0.95")),
    "LargeNegativeGap": (mpf(10), mpf(12), mpf("3.5"), mpf("0.8")),
    "Polynomial": (mpf(-3), mpf(2), mpf("1.5"), mpf("0.7")),
    "NegativeC": (mpf("0.3"), mpf("0.7"), mpf("-0.5"), mpf("0.6")),
    "NegativeZ": (mpf("0.5"), mpf("0.5"), mpf("1.5"), mpf(-3)),
    "LargeParameters": (mpf("500.243"), mpf("502.426"), mpf("502.219"), mpf("0.2")),
}
for name, args in HYP.items():
    show(f"Hyp2F1.{name}", hyp2f1(*args))

print("# Gamma-Gamma, p=6.25 q=3.74 gamma=15.44")
for name, (x, m) in {"Two": (2, mpf(35)), "OneSmall": (1, mpf("0.5")), "Many": (500, mpf(20))}.items():
    show(f"GG.LogLikelihood.{name}", gg_log_likelihood(*GG, x, m))
    show(f"GG.ExpectedSpend.{name}", gg_expected_spend(*GG, x, m))
show("GG.ExpectedSpend.NoRepeat", gg_expected_spend(*GG, 0, mpf(0)))

print("# CLV, CDNOW BG/NBD and the Gamma-Gamma above")
show("Clv.PaperExample.m=35.12m.10%", clv(CDNOW, GG, 2, mpf("30.43"), mpf("38.86"), mpf(35), 12, mpf("0.10")))
show("Clv.NoRepeat.12m.10%", clv(CDNOW, GG, 0, mpf(0), mpf("38.86"), mpf(0), 12, mpf("0.10")))
show("Clv.PaperExample.m=35.36m.0%", clv(CDNOW, GG, 2, mpf("30.43"), mpf("38.86"), mpf(35), 36, mpf(0)))
show("Clv.LargeX.m=20.12m.25%", clv(CDNOW, GG, 500, mpf(70), mpf(78), mpf(20), 12, mpf("0.25")))
