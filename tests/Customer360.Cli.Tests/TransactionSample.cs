using System.Globalization;
using System.Text;
using Customer360.Cli.Seeds;

namespace Customer360.Cli.Tests;

/// <summary>
/// Writes <c>seeds/transactions-sample.txt</c>: a small synthetic purchase log in the layout of
/// the logs used for lifetime-value work (customer, date, amount, quantity; runs of spaces), from
/// a fixed seed, so the file can be rewritten byte for byte.
/// </summary>
internal static class TransactionSample
{
    public const string RelativePath = "seeds/transactions-sample.txt";

    /// <summary>Customers in the sample: enough for the value models to be fitted on it.</summary>
    public const int Customers = 400;

    private static readonly DateOnly Start = new(1997, 1, 1);

    public static string Generate()
    {
        var random = SeedRandom.For(1997, "transactions-sample");
        var text = new StringBuilder("customer   date        amount  quantity\n");
        var lines = 0;
        for (var customer = 1; customer <= Customers; customer++)
        {
            var id = customer.ToString("00000", CultureInfo.InvariantCulture);
            var day = random.Next(0, 90);

            // Customers differ in what they usually spend, as the Gamma-Gamma model expects.
            var usualSpend = random.LogNormal(14.0, 0.6);
            // A few loyal customers buy often; most buy once or twice.
            var purchases = customer % 10 == 0 ? random.Next(12, 20) : 1 + (random.Chance(0.6) ? random.Next(0, 6) : 0);
            for (var p = 0; p < purchases && day < 540; p++)
            {
                var quantity = 1 + (random.Chance(0.3) ? random.Next(1, 4) : 0);
                var amount = decimal.Round((decimal)(usualSpend * random.LogNormal(1.0, 0.35)) * quantity, 2);
                var date = Start.AddDays(day);
                var dateText = random.Chance(0.1)
                    ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
                var line = random.Chance(0.15)
                    ? $"{id}      {dateText}  {amount.ToString("0.00", CultureInfo.InvariantCulture),7}\n"
                    : $"{id}      {dateText}  {amount.ToString("0.00", CultureInfo.InvariantCulture),7}  {quantity}\n";
                text.Append(line);
                lines++;
                if (random.Chance(0.05))
                {
                    // The same purchase twice on one day: two purchases, two touchpoints.
                    text.Append(line);
                    lines++;
                }

                // Now and then another purchase on the same day.
                day += random.Chance(0.1) ? 0 : 1 + (int)random.LogNormal(25, 1.0);
            }
        }

        return text.ToString();
    }

    /// <summary>The repository's root: the nearest folder up from the test binaries holding the solution.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Customer360.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Customer360.sln not found above " + AppContext.BaseDirectory);
    }
}
