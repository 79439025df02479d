using System.Globalization;
using System.Text.Json;
using Customer360.Api.V1;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// <c>c360 import-transactions</c>, the built command line run as a process, against the real
/// server: the sample transaction log goes in once, and a second import applies nothing.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class TransactionImportTests(ServerFixture fixture)
{
    [Fact]
    public async Task ImportingTheSampleLogTwiceAppliesEveryPurchaseOnce()
    {
        var sample = Path.Combine(CliProcess.RepositoryRoot(), "seeds", "transactions-sample.txt");
        var prefix = $"txn-e2e-{Guid.NewGuid():N}-";
        var purchases = ReadSample(sample, prefix);

        var first = await ImportAsync(sample, prefix);

        Assert.Equal((purchases.Count, 0, 0), first);
        var before = new Dictionary<string, CustomerView>();
        foreach (var amounts in purchases.GroupBy(p => p.CustomerId, p => p.Amount))
        {
            var view = await fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = amounts.Key });
            Assert.Equal(amounts.Count(), view.Aggregates.OrderCount);
            Assert.Equal(amounts.Sum(), decimal.Parse(view.Aggregates.NetSpend.Amount, CultureInfo.InvariantCulture));
            before[amounts.Key] = view;
        }

        var second = await ImportAsync(sample, prefix);

        Assert.Equal((0, purchases.Count, 0), second);
        foreach (var (customerId, was) in before)
        {
            var now = await fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customerId });
            Assert.Equal(was.Version, now.Version);
            Assert.Equal(was.Aggregates, now.Aggregates);
            Assert.Equal(was.Value, now.Value);
            Assert.Equal(was.UpdatedAt, now.UpdatedAt);
        }
    }

    /// <summary>Runs the import and reads its JSON report: accepted, duplicate, rejected.</summary>
    private async Task<(long Accepted, long Duplicate, long Rejected)> ImportAsync(string path, string prefix)
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(
            "import-transactions", path, "--customer-prefix", prefix, "--server", fixture.Server.Address.ToString(), "--json");
        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;
        Assert.Equal(0, root.GetProperty("unacknowledged").GetInt64());
        return (root.GetProperty("accepted").GetInt64(), root.GetProperty("duplicate").GetInt64(), root.GetProperty("rejected").GetInt64());
    }

    /// <summary>The sample's purchases, read independently of the command line: a header, then customer, date, amount[, quantity].</summary>
    private static List<(string CustomerId, decimal Amount)> ReadSample(string path, string prefix) =>
    [
        .. File.ReadLines(path)
            .Skip(1)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(fields => (prefix + fields[0], decimal.Parse(fields[2], CultureInfo.InvariantCulture))),
    ];
}
