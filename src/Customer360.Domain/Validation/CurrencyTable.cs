namespace Customer360.Domain.Validation;

/// <summary>
/// The reporting currency every aggregate is kept in, and the rate that turns one unit of each
/// accepted currency into it. A touchpoint in a currency with no rate is refused rather than
/// silently mixed into sums of another currency.
/// </summary>
public sealed class CurrencyTable
{
    private readonly Dictionary<string, decimal> _rates;

    public CurrencyTable(string reportingCurrency, IReadOnlyDictionary<string, decimal>? rates = null)
    {
        if (!IsCurrencyCode(reportingCurrency))
        {
            throw new ArgumentException($"'{reportingCurrency}' is not an ISO-4217 code", nameof(reportingCurrency));
        }

        ReportingCurrency = reportingCurrency;
        _rates = new Dictionary<string, decimal>(StringComparer.Ordinal) { [reportingCurrency] = 1m };
        foreach (var (code, rate) in rates ?? new Dictionary<string, decimal>())
        {
            if (!IsCurrencyCode(code) || rate <= 0)
            {
                throw new ArgumentException($"Bad exchange rate {code}={rate}", nameof(rates));
            }

            _rates[code] = code == reportingCurrency ? 1m : rate;
        }
    }

    public string ReportingCurrency { get; }

    public IEnumerable<string> Currencies => _rates.Keys;

    public bool TryConvert(decimal amount, string currency, out decimal reportingAmount)
    {
        if (_rates.TryGetValue(currency, out var rate))
        {
            reportingAmount = decimal.Round(amount * rate, 4, MidpointRounding.ToEven);
            return true;
        }

        reportingAmount = 0;
        return false;
    }

    /// <summary>Three upper-case ASCII letters, the shape of an ISO-4217 alphabetic code.</summary>
    public static bool IsCurrencyCode(string? code) =>
        code is { Length: 3 } && !code.AsSpan().ContainsAnyExceptInRange('A', 'Z');
}
